"""Partial periods: how much of a schedule's lines a period shorter or longer than its unit pays.

A schedule version may carry a `proration:` block (docs/rules-format.md, "Partial periods"):

    proration:
      by: days                 # days | months | none
      unit_days: 30            # by days: the days of one whole period
      whole_days: {from: 25, to: 35}   # by days: a period of this many days is billed whole
      minimum_days: 1          # by days: a shorter period is billed as this many days
      first_bill_days: 30      # a first bill without an earlier read covers this many days
      lines: [Water base charge, Sewer base charge]   # the lines prorated (every line when absent)

or, for an annual fee whose first year is short:

    proration:
      by: months
      unit_months: 12
      count: started           # started: a month begun counts whole; completed: only whole months
      minimum_months: 1

`share(first, last)` is the one place a partial period becomes a fraction: the schedule's
evaluation over a period (engine.rules.schedule.evaluate) multiplies each prorated line by
it, so billing's first bills, stop-service's final bills and a first-year license fee are
prorated alike. Pure: dates in, a fraction and its words out.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from engine.rules.months import months_in

BY = ("days", "months", "none")
COUNTS = ("started", "completed")
FIRST_BILL_DAYS = 30  # without a block: a first bill covers the read's day and the 29 days before it


@dataclass(frozen=True)
class Share:
    """The fraction of a whole period's prorated lines a period pays, and how it was reached."""

    fraction: Decimal
    words: str

    @property
    def whole(self) -> bool:
        """True when the period pays its lines in full (nothing to prorate)."""
        return self.fraction == 1


WHOLE = Share(Decimal(1), "")


@dataclass(frozen=True)
class Proration:
    """A version's `proration:` block, read."""

    by: str = "none"
    unit_days: int = 30
    whole_from: int | None = None
    whole_to: int | None = None
    minimum_days: int = 1
    unit_months: int = 12
    count: str = "started"
    minimum_months: int = 1
    first_bill_days: int = FIRST_BILL_DAYS
    lines: frozenset[str] | None = None

    @classmethod
    def of(cls, body: dict | None) -> "Proration":
        """The block of a version's body (no block: nothing is prorated, a first bill covers 30 days)."""
        block = (body or {}).get("proration")
        if not block:
            return cls()
        whole = block.get("whole_days") or {}
        return cls(by=block.get("by", "none"), unit_days=int(block.get("unit_days", 30)),
                   whole_from=whole.get("from"), whole_to=whole.get("to"),
                   minimum_days=int(block.get("minimum_days", 1)), unit_months=int(block.get("unit_months", 12)),
                   count=block.get("count", "started"), minimum_months=int(block.get("minimum_months", 1)),
                   first_bill_days=int(block.get("first_bill_days", FIRST_BILL_DAYS)),
                   lines=frozenset(block["lines"]) if block.get("lines") else None)

    def prorates(self, line: str) -> bool:
        """Whether the block prorates this line (every line when it names none)."""
        return self.by != "none" and (self.lines is None or line in self.lines)

    def share(self, first: date, last: date) -> Share:
        """What part of a whole period the days `first`..`last` (both included) pay."""
        if self.by == "days":
            return self._by_days((last - first).days + 1)
        if self.by == "months":
            return self._by_months(first, last)
        return WHOLE

    def _by_days(self, days: int) -> Share:
        """days / unit_days, unless the period counts as whole; never below minimum_days."""
        low = self.whole_from if self.whole_from is not None else self.unit_days
        high = self.whole_to if self.whole_to is not None else self.unit_days
        if low <= days <= high:
            return WHOLE
        billed = max(days, self.minimum_days)
        counted = f"{days} days" if billed == days else f"{days} days, billed as {billed}"
        return Share(Decimal(billed) / Decimal(self.unit_days), f"{counted} of {self.unit_days}")

    def _by_months(self, first: date, last: date) -> Share:
        """Months begun (or completed) / unit_months; never below minimum_months."""
        months = months_in(first, last, self.count)
        if months == self.unit_months:
            return WHOLE
        billed = max(months, self.minimum_months)
        word = "months begun" if self.count == "started" else "whole months"
        counted = f"{months} {word}" if billed == months else f"{months} {word}, billed as {billed}"
        return Share(Decimal(billed) / Decimal(self.unit_months), f"{counted} of {self.unit_months}")

    def first_bill_from(self, read_on: date, opened_on: date) -> date:
        """The first day a first bill (no earlier read) covers: the day service began, or first_bill_days back."""
        return max(opened_on, read_on - timedelta(days=self.first_bill_days - 1))


def prorated(amount: Decimal, share: Share) -> Decimal:
    """An exact amount times the share (rounded later, with the line, in the version's rounding)."""
    return amount if share.whole else amount * share.fraction


def proration_in_force(library, rule_id: str, on: date) -> Proration:
    """The proration block of a schedule's version in force on the day (none, when the document has no version then)."""
    from engine.rules.errors import EvaluationError
    from engine.rules.versions import version_in_force
    try:
        return Proration.of(version_in_force(library.get(rule_id), on).body)
    except (EvaluationError, KeyError):
        return Proration()
