"""The schedule: schedule.yaml read and checked, city dates across daylight-saving changes and leap day, catching up."""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import func, select

from engine.rules.errors import DocumentError
from engine.store.models import CaseEvent, Notice, SweepRun
from engine.sweeps.registry import all_sweeps, get_sweep
from engine.sweeps.runner import run_sweep
from engine.sweeps.scheduler import (Entry, add_jobs, as_of_for, catch_up, fire, load_schedule, missed_runs,
                                     parse_schedule)
from tests.sweeps.conftest import REPO, build_city

LA = ZoneInfo("America/Los_Angeles")
NIGHTLY = Entry("delinquency", tuple(range(7)), time(0, 30))


def utc(*parts: int) -> datetime:
    """An aware UTC moment."""
    return datetime(*parts, tzinfo=timezone.utc)


def test_the_repositorys_schedule_reads_and_names_every_sweep(catalog):
    """schedule.yaml: the city's zone, a week of catch-up, three hours' grace, each sweep on its days; every sweep
    the city has is scheduled (the built-in ones and its sweep documents)."""
    schedule = load_schedule(REPO / "schedule.yaml", all_sweeps(catalog.rules))
    assert {e.sweep for e in schedule.entries} == set(all_sweeps(catalog.rules))
    assert schedule.timezone == "America/Los_Angeles"
    assert (schedule.catch_up_days, schedule.misfire_grace_minutes) == (7, 180)
    assert {e.sweep for e in schedule.entries} == {"delinquency", "plan-defaults", "renewals", "liens",
                                                   "deposit-refunds", "cash-only-review", "audit-checkpoint",
                                                   "balances-rollover"}
    assert next(e for e in schedule.entries if e.sweep == "audit-checkpoint").weekdays == tuple(range(7))
    assert next(e for e in schedule.entries if e.sweep == "liens").cron_days == "mon"


@pytest.mark.parametrize(("text", "message"), [
    ("timezone: Pacific/Nowhere\nsweeps:\n  - {sweep: delinquency, days: daily, at: '00:30'}\n",
     "schedule.yaml:1: timezone: 'Pacific/Nowhere' is not a time zone"),
    ("timezone: UTC\nsweeps:\n  - {sweep: delinquency, days: daily, at: '00:30'}\n  - {sweep: parking, days: daily, "
     "at: '01:00'}\n", "schedule.yaml:4: sweeps[1].sweep: no sweep named 'parking'"),
    ("timezone: UTC\nsweeps:\n  - {sweep: liens, days: [monday], at: '01:00'}\n",
     "schedule.yaml:3: sweeps[0].days: days is `daily` or a list of mon"),
    ("timezone: UTC\nsweeps:\n  - {sweep: liens, days: daily, at: '25:00'}\n",
     "schedule.yaml:3: sweeps[0].at: at is a time of day HH:MM (24-hour), not '25:00'"),
    ("timezone: UTC\ncatchup: 3\nsweeps:\n  - {sweep: liens, days: daily, at: '01:00'}\n",
     "schedule.yaml:2: catchup: unknown key"),
    ("timezone: UTC\ncatch_up_days: 400\nsweeps:\n  - {sweep: liens, days: daily, at: '01:00'}\n",
     "schedule.yaml:2: catch_up_days: must be a whole number from 0 to 31, not Decimal('400')"),
])
def test_a_bad_schedule_is_refused_with_its_line_and_key(text, message, catalog):
    """Every mistake names the file, the line and the key (a sweep is built in or one of the city's documents)."""
    with pytest.raises(DocumentError) as refused:
        parse_schedule(text, sweeps=all_sweeps(catalog.rules))
    assert str(refused.value).startswith(message)


@pytest.mark.parametrize(("moment", "city_date"), [
    (utc(2026, 11, 1, 7, 29), date(2026, 10, 31)),  # 00:29 PDT: tonight's run has not come yet
    (utc(2026, 11, 1, 7, 30), date(2026, 11, 1)),   # 00:30 PDT on the day clocks fall back
    (utc(2026, 11, 1, 9, 30), date(2026, 11, 1)),   # 01:30 PST, the second 01:30 of the night
    (utc(2027, 3, 14, 8, 30), date(2027, 3, 14)),   # 00:30 PST on the day clocks spring forward
    (utc(2027, 3, 14, 10, 0), date(2027, 3, 14)),   # 03:00 PDT
    (utc(2028, 2, 29, 8, 30), date(2028, 2, 29)),   # leap day
    (utc(2028, 3, 1, 8, 29), date(2028, 2, 29)),    # just before the run of March 1
])
def test_a_run_is_for_the_city_date_of_its_scheduled_time(moment, city_date):
    """The as-of date is the city's date at 00:30 local, whatever the UTC date or the daylight-saving offset."""
    assert as_of_for(NIGHTLY, LA, moment) == city_date


def test_a_time_the_clocks_skip_runs_that_night_an_hour_later():
    """02:30 does not exist on 2027-03-14 in Los Angeles: the run for that date comes at 03:30 PDT."""
    skipped = Entry("delinquency", tuple(range(7)), time(2, 30))
    assert as_of_for(skipped, LA, utc(2027, 3, 14, 10, 29)) == date(2027, 3, 13)
    assert as_of_for(skipped, LA, utc(2027, 3, 14, 10, 30)) == date(2027, 3, 14)


def test_the_jobs_fire_at_city_time_coalesced_one_at_a_time_with_grace():
    """APScheduler cron jobs in the city's zone: next run 00:30 local on each side of a change."""
    schedule = load_schedule(REPO / "schedule.yaml")
    scheduler = BackgroundScheduler(timezone=schedule.zone)
    add_jobs(scheduler, schedule, lambda sweep, day, today: None, lambda: utc(2026, 1, 1))
    job = scheduler.get_job("delinquency@00:30:00")
    assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 180 * 60)
    fall = job.trigger.get_next_fire_time(None, datetime(2026, 10, 31, 12, 0, tzinfo=LA))
    spring = job.trigger.get_next_fire_time(None, datetime(2027, 3, 13, 12, 0, tzinfo=LA))
    assert fall.astimezone(timezone.utc) == utc(2026, 11, 1, 7, 30)
    assert spring.astimezone(timezone.utc) == utc(2027, 3, 14, 8, 30)


def run_for(factory, catalog, clock):
    """A scheduler's job body: run the sweep for a city date with the test's clock."""
    def run(sweep: str, day: date, today: date) -> None:
        """Run one sweep for one night on the city's date."""
        run_sweep(factory, get_sweep(sweep), as_of=day, today=today, clock=clock, runner="scheduler",
                  services=catalog)
    return run


@pytest.mark.parametrize(("fired_at", "due", "city_date"), [
    (utc(2026, 11, 1, 7, 30), date(2026, 10, 30), date(2026, 11, 1)),
    (utc(2027, 3, 14, 8, 30), date(2027, 3, 12), date(2027, 3, 14)),
    (utc(2028, 2, 29, 8, 30), date(2028, 2, 28), date(2028, 2, 29)),
])
def test_the_nightly_run_at_half_past_midnight_sweeps_the_city_date(committing_db, catalog, fired_at, due, city_date):
    """Fired at 00:30 local on a daylight-saving change or leap day: the run, its cases and notices carry that date."""
    with committing_db() as session, session.begin():
        build_city(session, 9, billed=date(due.year, due.month, 1), due=due)
    fire(NIGHTLY, LA, run_for(committing_db, catalog, lambda: fired_at), lambda: fired_at)
    with committing_db() as session:
        [run] = session.scalars(select(SweepRun)).all()
        assert (run.as_of, run.status) == (city_date, "done")
        assert set(session.scalars(select(Notice.created_on))) == {city_date}
        assert set(session.scalars(select(CaseEvent.on_date))) == {city_date}
        assert session.scalar(select(func.count()).select_from(Notice)) == 3
        assert {n["notice_date"] for n in session.scalars(select(Notice.data))} == {city_date.isoformat()}


def test_missed_nights_are_caught_up_once_each_in_date_order(committing_db, catalog, city):
    """Down three nights: on start each missing night runs once, oldest first; a second start finds nothing."""
    schedule = parse_schedule("timezone: America/Los_Angeles\ncatch_up_days: 3\nsweeps:\n"
                              "  - {sweep: delinquency, days: daily, at: '00:30'}\n"
                              "  - {sweep: liens, days: daily, at: '01:30'}\n")
    now = utc(2026, 5, 2, 8, 0)  # 01:00 PDT on May 2: tonight's delinquency has run, liens has not
    run_sweep(committing_db, get_sweep("delinquency"), as_of=date(2026, 4, 30), today=date(2026, 5, 2),
              clock=lambda: now, runner="by hand", services=catalog)
    with committing_db() as session:
        assert [(d.isoformat(), s) for d, _t, s in missed_runs(session, schedule, now)] == [
            ("2026-04-29", "delinquency"), ("2026-04-29", "liens"), ("2026-04-30", "liens"),
            ("2026-05-01", "delinquency"), ("2026-05-01", "liens"), ("2026-05-02", "delinquency")]
    ran = catch_up(committing_db, schedule, now, run_for(committing_db, catalog, lambda: now))
    assert [day.isoformat() for _sweep, day in ran] == [
        "2026-04-29", "2026-04-29", "2026-04-30", "2026-05-01", "2026-05-01", "2026-05-02"]
    assert catch_up(committing_db, schedule, now, run_for(committing_db, catalog, lambda: now)) == []
    with committing_db() as session:
        runs = session.execute(select(SweepRun.sweep, SweepRun.as_of, SweepRun.status)).all()
    assert len(runs) == 7 and {status for _s, _d, status in runs} == {"done"}


def test_a_night_killed_halfway_is_caught_up_by_finishing_it(committing_db, catalog, city):
    """A run row left `running` is not a finished night: the catch-up resumes it, once."""
    schedule = parse_schedule("timezone: America/Los_Angeles\ncatch_up_days: 0\nsweeps:\n"
                              "  - {sweep: delinquency, days: daily, at: '00:30'}\n")
    now = utc(2026, 4, 30, 9, 0)
    with committing_db() as session, session.begin():
        session.add(SweepRun(sweep="delinquency", as_of=date(2026, 4, 30), dry_run=False, status="running",
                             started_at=now, runner="a killed process", cursor=0, report={}))
    assert catch_up(committing_db, schedule, now, run_for(committing_db, catalog, lambda: now)) == [
        ("delinquency", date(2026, 4, 30))]
    with committing_db() as session:
        [run] = session.scalars(select(SweepRun)).all()
        assert run.status == "done" and run.report["cases_opened"] == {"delinquency": 10}
