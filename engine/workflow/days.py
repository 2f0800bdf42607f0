"""The days a calendar allows, asked on the day: what `due: {field, calendar, allowed}` reads.

A date stored on a case (the shut-off date a door hanger printed) is a day not before which
a step may be taken; whether the step may be taken on a given day is asked of the calendar
as it reads then, so a holiday, a weekend, the office day before a holiday, or a
no-shut-off period published after the date was stored holds the step back.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from engine.rules.calendar import city_calendar
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
