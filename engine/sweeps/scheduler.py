"""The nightly schedule: which sweep runs on which days at what time in the city, and catching up missed nights.

`schedule.yaml` (at the repository root, read by `ordinance scheduler` and `ordinance serve`):

    timezone: America/Los_Angeles     # the city's (as saved on the City settings page, or the scheduler does not
                                      # start); each run is for the city's date at its scheduled time
    catch_up_days: 7                  # on start, nights missed in the last 7 days run once each, oldest first
    misfire_grace_minutes: 180        # a run up to 3 hours late (a busy or sleeping machine) still runs
    sweeps:
      - {sweep: delinquency, days: daily, at: "01:30"}
      - {sweep: liens, days: [mon], at: "03:00"}

A sweep is named by its id: a built-in system sweep (engine.sweeps.registry) or one of the
city's sweep documents (`kind: sweep`), which `ordinance scheduler` checks when it starts.

A run knows the city's date it runs on besides the night it sweeps: a night caught up
(before that date) mails no notice (engine.workflow.night). The database decides what has
run: a night is missed when its sweep has no finished run row for that date, and a second
scheduler (or a person running the same sweep by hand) only joins or finds done the run the
first one started. Nothing here reads the clock: the
moment comes in as an argument.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.rules.errors import DocumentError
from engine.rules.yamlsafe import read_yaml
from engine.store.models import SweepRun
from engine.sweeps.registry import BUILT_IN

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
TOP_KEYS = {"timezone", "catch_up_days", "misfire_grace_minutes", "sweeps"}
ENTRY_KEYS = {"sweep", "days", "at"}
SWEEP_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")  # a built-in sweep's name or a sweep document's id
AT = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$", re.ASCII)
MAX_CATCH_UP_DAYS = 31


@dataclass(frozen=True)
class Entry:
    """One line of the schedule: a sweep, the weekdays it runs (0 = Monday) and the city time."""

    sweep: str
    weekdays: tuple[int, ...]
    at: time

    @property
    def cron_days(self) -> str:
        """The days as APScheduler's cron day_of_week field: mon,tue,..."""
        return ",".join(DAYS[d] for d in self.weekdays)


@dataclass(frozen=True)
class Schedule:
    """The whole schedule, checked."""

    timezone: str
    entries: tuple[Entry, ...]
    catch_up_days: int = 7
    misfire_grace_minutes: int = 180

    @property
    def zone(self) -> ZoneInfo:
        """The city's time zone."""
        return ZoneInfo(self.timezone)


def _refuse(source: str, lines: dict[str, int], path: str, message: str) -> DocumentError:
    """A DocumentError at the line of `path` (or of its parent)."""
    line = lines.get(path) or lines.get(path.rsplit(".", 1)[0]) or lines.get(path.split("[")[0]) or 1
    return DocumentError(source, line, path, message)


def _whole(value: Any, source: str, lines: dict, path: str, low: int, high: int) -> int:
    """A whole number between low and high, or a DocumentError."""
    if isinstance(value, bool) or not hasattr(value, "as_integer_ratio") or int(value) != value \
            or not low <= int(value) <= high:
        raise _refuse(source, lines, path, f"must be a whole number from {low} to {high}, not {value!r}")
    return int(value)


def _entry(raw: Any, source: str, lines: dict, path: str, sweeps: Collection[str] | None) -> Entry:
    """One `sweeps:` line, checked: a known sweep (one of `sweeps`, when given), days, a time HH:MM."""
    if not isinstance(raw, dict):
        raise _refuse(source, lines, path, "each line needs sweep, days and at")
    unknown = set(raw) - ENTRY_KEYS
    if unknown or set(raw) != ENTRY_KEYS:
        wrong = sorted(unknown) or sorted(ENTRY_KEYS - set(raw))
        raise _refuse(source, lines, path, f"{'unknown' if unknown else 'missing'} key(s) {', '.join(wrong)}; "
                                           f"each line has exactly {', '.join(sorted(ENTRY_KEYS))}")
    if not isinstance(raw["sweep"], str) or not SWEEP_NAME.match(raw["sweep"]) \
            or (sweeps is not None and raw["sweep"] not in sweeps):
        known = ", ".join(sweeps) if sweeps is not None else f"{', '.join(BUILT_IN)} and the city's sweep documents"
        raise _refuse(source, lines, f"{path}.sweep", f"no sweep named {raw['sweep']!r}; the sweeps are {known}")
    days = DAYS if raw["days"] == "daily" else raw["days"]
    if not isinstance(days, list | tuple) or not days or any(d not in DAYS for d in days):
        raise _refuse(source, lines, f"{path}.days", f"days is `daily` or a list of {', '.join(DAYS)}")
    match = AT.match(str(raw["at"]))
    if not match:
        raise _refuse(source, lines, f"{path}.at", f"at is a time of day HH:MM (24-hour), not {raw['at']!r}")
    return Entry(raw["sweep"], tuple(sorted({DAYS.index(d) for d in days})), time(int(match[1]), int(match[2])))


def parse_schedule(text: str, source: str = "schedule.yaml", sweeps: Collection[str] | None = None) -> Schedule:
    """The schedule from its YAML text, or a DocumentError naming the line and key.

    `sweeps` are the names there are (the built-in sweeps and the city's sweep documents,
    engine.sweeps.registry.all_sweeps); without them a name is only checked to be one.
    """
    read = read_yaml(text, source)
    data, lines = read.data, read.lines
    if not isinstance(data, dict):
        raise DocumentError(source, 1, "", "the schedule is a mapping with timezone and sweeps")
    unknown = set(data) - TOP_KEYS
    if unknown:
        raise _refuse(source, lines, sorted(unknown)[0], f"unknown key; the schedule has {', '.join(sorted(TOP_KEYS))}")
    try:
        ZoneInfo(str(data.get("timezone", "")))
    except (ZoneInfoNotFoundError, ValueError):
        raise _refuse(source, lines, "timezone", f"{data.get('timezone')!r} is not a time zone; use a name such "
                                                 "as America/Los_Angeles") from None
    if not isinstance(data.get("sweeps"), list) or not data["sweeps"]:
        raise _refuse(source, lines, "sweeps", "sweeps is a list of {sweep, days, at}")
    entries = tuple(_entry(raw, source, lines, f"sweeps[{i}]", sweeps) for i, raw in enumerate(data["sweeps"]))
    return Schedule(timezone=str(data["timezone"]), entries=entries,
                    catch_up_days=_whole(data.get("catch_up_days", 7), source, lines, "catch_up_days", 0,
                                         MAX_CATCH_UP_DAYS),
                    misfire_grace_minutes=_whole(data.get("misfire_grace_minutes", 180), source, lines,
                                                 "misfire_grace_minutes", 1, 24 * 60))


def load_schedule(path: str | Path, sweeps: Collection[str] | None = None) -> Schedule:
    """Read and check schedule.yaml (its sweeps against `sweeps`, when given)."""
    path = Path(path)
    return parse_schedule(path.read_text(encoding="utf-8"), str(path), sweeps)


def zone_disagrees(schedule: Schedule, city_zone: str) -> str | None:
    """Why a schedule cannot run for the city whose time zone (saved on the City settings page) is `city_zone`: its
    nights would be counted in its own zone and its notices dated and printed in the city's (a schedule in
    America/Los_Angeles for a city in Pacific/Honolulu sweeps a night at 00:30 that is 9:30 pm the day before in
    the city). None when the two are the same."""
    if schedule.timezone == city_zone:
        return None
    return (f"its timezone {schedule.timezone} is not the city's time zone, {city_zone} (saved on the City settings "
            f"page): the nights would be counted in one and the notices dated in the other; write timezone: "
            f"{city_zone}")


def scheduled_at(entry: Entry, day: date, zone: ZoneInfo) -> datetime:
    """The moment (aware) an entry runs on a city date; a time the clocks skip runs an hour later."""
    return datetime.combine(day, entry.at, tzinfo=zone)


def nights_due(entry: Entry, zone: ZoneInfo, now: datetime, look_back_days: int) -> list[date]:
    """The city dates, oldest first, in the look-back window whose scheduled time has come by `now`."""
    today = now.astimezone(zone).date()
    days = [today - timedelta(days=n) for n in range(look_back_days, -1, -1)]
    return [day for day in days if day.weekday() in entry.weekdays and scheduled_at(entry, day, zone) <= now]


def as_of_for(entry: Entry, zone: ZoneInfo, now: datetime) -> date | None:
    """The city date of the entry's latest scheduled run at or before `now` (what a fired job runs for)."""
    due = nights_due(entry, zone, now, 7)
    return due[-1] if due else None


def missed_runs(session: Session, schedule: Schedule, now: datetime) -> list[tuple[date, time, str]]:
    """(date, time, sweep) of every scheduled run in the look-back window with no finished run row, in order."""
    missed = []
    for entry in schedule.entries:
        nights = nights_due(entry, schedule.zone, now, schedule.catch_up_days)
        if not nights:
            continue
        done = set(session.scalars(select(SweepRun.as_of).where(
            SweepRun.sweep == entry.sweep, SweepRun.dry_run.is_(False), SweepRun.status == "done",
            SweepRun.as_of >= nights[0])))
        missed += [(day, entry.at, entry.sweep) for day in nights if day not in done]
    return sorted(missed)


def catch_up(session_factory: Callable[[], Session], schedule: Schedule, now: datetime,
             run: Callable[[str, date, date], Any]) -> list[tuple[str, date]]:
    """Run each missed night once, oldest first (by date, then scheduled time), on the city's date now; what was run.

    `run(sweep, night, today)`: a night before `today` is one caught up, and mails nothing.
    """
    with session_factory() as session:
        missed = missed_runs(session, schedule, now)
    today = city_date(schedule.zone, now)
    for day, _at, sweep in missed:
        run(sweep, day, today)
    return [(sweep, day) for day, _at, sweep in missed]


def city_date(zone: ZoneInfo, now: datetime) -> date:
    """The city's date at a moment."""
    return now.astimezone(zone).date()


def add_jobs(scheduler: Any, schedule: Schedule, run: Callable[[str, date, date], Any],
             clock: Callable[[], datetime]) -> None:
    """One cron job per schedule line on an APScheduler 3 scheduler: coalesced, one at a time, with misfire grace."""
    from apscheduler.triggers.cron import CronTrigger

    for entry in schedule.entries:
        trigger = CronTrigger(day_of_week=entry.cron_days, hour=entry.at.hour, minute=entry.at.minute,
                              timezone=schedule.zone)
        scheduler.add_job(fire, trigger, args=(entry, schedule.zone, run, clock), id=f"{entry.sweep}@{entry.at}",
                          name=f"sweep {entry.sweep} {entry.cron_days} {entry.at:%H:%M}", coalesce=True,
                          max_instances=1, misfire_grace_time=schedule.misfire_grace_minutes * 60,
                          replace_existing=True)


def fire(entry: Entry, zone: ZoneInfo, run: Callable[[str, date, date], Any],
         clock: Callable[[], datetime]) -> None:
    """A job firing: run the sweep for the city date of its scheduled time (not of the moment it got to run)."""
    now = clock()
    day = as_of_for(entry, zone, now)
    if day is not None:
        run(entry.sweep, day, city_date(zone, now))
