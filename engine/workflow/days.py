"""The days a calendar allows, asked on the day: what `due: {field, calendar, allowed}` reads.

A date stored on a case (the shut-off date a door hanger printed) is a day not before which
a step may be taken; whether the step may be taken on a given day is asked of the calendar
as it reads then, so a holiday, a weekend, the office day before a holiday, or a
no-shut-off period published after the date was stored holds the step back.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from engine.rules.calendar import city_calendar
from engine.rules.errors import EvaluationError
from engine.rules.library import RuleLibrary
from engine.workflow.model import AllowedDay


@dataclass(frozen=True)
class OpenDay:
    """The first day of a kind on or after a day, why the day itself is not one, and the version that says so."""

    day: date
    asked: date
    bars: tuple[str, ...]
    version: date

    @property
    def moved(self) -> bool:
        """Whether the day asked is not itself a day of the kind."""
        return self.day != self.asked


def first_allowed(rules: RuleLibrary, allowed: AllowedDay, start: date) -> OpenDay:
    """The first day on or after `start` that the calendar allows for this kind of day, and why `start` is not."""
    calendar = city_calendar(rules.get(allowed.calendar))
    day = calendar.roll(start, allowed.kind)
    bars = calendar.shutoff_bars(start) if allowed.kind == "shutoff_day" else calendar.office_bars(start)
    return OpenDay(day=day, asked=start, bars=tuple(bars), version=calendar.version_on(start).version.effective)


def needs_forecast(rules: RuleLibrary, allowed: AllowedDay, day: date) -> bool:
    """Whether a step due on a shut-off day reads the day's weather forecast (its calendar has a `forecast` rule on
    `day`); False when the calendar cannot say (the due check itself then refuses, saying why)."""
    if allowed.kind != "shutoff_day":
        return False
    try:
        return city_calendar(rules.get(allowed.calendar)).needs_forecast(day)
    except (EvaluationError, LookupError):
        return False


def weather_holds(rules: RuleLibrary, allowed: AllowedDay, day: date,
                  forecast: Mapping[str, object] | None) -> tuple[str, ...]:
    """Why the weather holds a step due on a shut-off day on `day`, as the calendar says it (CityCalendar.weather_bars);
    empty for an office day, a calendar without a `forecast` rule, or a forecast that does not bar it."""
    if not needs_forecast(rules, allowed, day):
        return ()
    return tuple(city_calendar(rules.get(allowed.calendar)).weather_bars(day, forecast))
