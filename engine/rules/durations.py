"""Durations: how long a decision's status lasts (`for:` on a criteria rule), and the day it ends.

A criteria rule may say how long what it decides lasts: `for: {months: 12}` (or `days`,
`years`), counted from the day it is decided, or from a date fact with `from: FACT`. The
outcome then carries `until`: the day the status ends (it holds through the day before).
Months run the calendar way (engine.rules.months.months_later_or_next_first): 12 months
from 2026-03-02 end on 2027-03-02; one month from January 31 ends on March 1.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from engine.rules.months import months_later_or_next_first
from engine.rules.types import YamlMapping

UNITS = ("days", "months", "years")


@dataclass(frozen=True)
class Duration:
    """A count of days, months or years, counted from the decision's day or from a date fact."""

    unit: str
    count: int
    start: str | None = None  # the date fact it counts from; None: the day decided

    @classmethod
    def read(cls, spec: YamlMapping) -> Duration:
        """From a checked `for:` mapping (one unit, an optional `from`)."""
        [unit] = [name for name in UNITS if name in spec]
        return cls(unit, int(spec[unit]), spec.get("from"))

    def until(self, facts: YamlMapping, as_of: date) -> date:
        """The day the status ends: the start (the `from` fact when given, else `as_of`) plus the duration."""
        start = facts.get(self.start) if self.start else None
        if not isinstance(start, date):
            start = as_of
        if self.unit == "days":
            return start + timedelta(days=self.count)
        return months_later_or_next_first(start, self.count * (12 if self.unit == "years" else 1))

    def words(self) -> str:
        """'12 months from the day decided', '24 months from last_returned_on'."""
        unit = self.unit if self.count != 1 else self.unit[:-1]
        return f"{self.count} {unit} from {self.start or 'the day decided'}"
