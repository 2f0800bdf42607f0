"""kind: deadline — renewals and expiries: status on a day, reminders, grace, late counts, penalty.

Months are added the calendar way (engine.rules.months.months_later_or_next_first): the same
day N months later, or, when that month is too short, the day after its last day (Jan 31 +
1 month = Mar 1). So a `{months: 12}` term issued 2024-02-29 expires 2025-02-28, and a month
late that starts on the 31st starts the next on the 1st after a short month.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from engine.rules.calendar import city_calendar
from engine.rules.document import Documents, RuleDocument
from engine.rules.errors import EvaluationError, FactError
from engine.rules.facts import fact_checker
from engine.rules.months import (day_of_month_or_last, first_of_month, last_day_of_month,
                                 months_later_or_next_first, whole_months)
from engine.rules.schedule import ScheduleResult, evaluate as evaluate_schedule
from engine.rules.types import Facts, YamlMapping
from engine.rules.versions import version_in_force

ONE_DAY = timedelta(days=1)


def started_months(first_late: date, on: date) -> int:
    """How many months have started by `on`, month k starting k-1 months after `first_late`."""
    return whole_months(first_late, on) + 1 if on >= first_late else 0


def term_end(term: dict, issued_on: date) -> date:
    """When a term that began on `issued_on` expires: `{every: year, date: MM-DD}`, `{months: N}`, or
    `{months: N, ends: month_end}` (the last day of the month N months after the month of issue)."""
    if "months" in term and term.get("ends") == "month_end":  # the last day of the anniversary month
        later = first_of_month(issued_on, int(term["months"]))
        return later.replace(day=last_day_of_month(later.year, later.month))
    if "months" in term:
        return months_later_or_next_first(issued_on, int(term["months"])) - ONE_DAY
    if term.get("every") == "year":
        text = term["date"].isoformat()[5:] if isinstance(term["date"], date) else str(term["date"])
        month, day = (int(part) for part in text.split("-"))

        def in_year(year: int) -> date:
            """MM-DD in a year (Feb 29 is Feb 28 in a common year)."""
            return day_of_month_or_last(year, month, day)

        end = in_year(issued_on.year)
        return end if end >= issued_on else in_year(issued_on.year + 1)
    raise EvaluationError(f"unknown term {term!r}")


@dataclass(frozen=True)
class DeadlineResult:
    """Where a license (or any renewal) stands on a day, and what is owed for lateness."""

    expires_on: date
    status: str
    days_late: int
    months_late: int
    next_reminder: dict | None
    penalty: ScheduleResult | None
    grace_ends: date
    lapses_on: date | None
    rule: str
    version: date
    reference: str | None
    as_of: date

    def to_json(self) -> dict:
        """The result as `--json` prints it (dates ISO, the penalty as its schedule prints it)."""
        reminder = None
        if self.next_reminder is not None:
            reminder = {"date": self.next_reminder["date"].isoformat(), "notice": self.next_reminder["notice"]}
        return {
            "expires_on": self.expires_on.isoformat(),
            "status": self.status,
            "days_late": self.days_late,
            "months_late": self.months_late,
            "next_reminder": reminder,
            "penalty": self.penalty.to_json() if self.penalty is not None else None,
            "grace_ends": self.grace_ends.isoformat(),
            "lapses_on": self.lapses_on.isoformat() if self.lapses_on else None,
            "rule": self.rule,
            "version": self.version.isoformat(),
            "reference": self.reference,
            "as_of": self.as_of.isoformat(),
        }


def _linked(library: Documents | None, document_id: str, kind: str, by: str) -> RuleDocument:
    """A document this deadline links to, from the library."""
    if library is None:
        raise EvaluationError(f"{by} links to {document_id}: evaluate it through the rule library")
    doc = library.get(document_id)
    if doc.kind != kind:
        raise EvaluationError(f"{by} links to {document_id}, which is a {doc.kind}, not a {kind}")
    return doc


def grace_end(body: YamlMapping, expires_on: date, library: Documents | None, by: str) -> date:
    """The last day of grace: expiry + grace days, run on to the next open day of the linked calendar.

    A grace that ended before the calendar has a version in force (a license on file from before the city wrote
    its calendar down) ends on the day counted: nothing says that day was closed, and the license still has a
    standing (late, lapsed) rather than none.
    """
    end = expires_on + timedelta(days=int((body.get("grace") or {}).get("days", 0)))
    if body.get("calendar"):
        calendar = city_calendar(_linked(library, body["calendar"], "calendar", by))
        if end >= calendar.effective[0]:
            end = calendar.roll(end, "office_day")
    return end


def status_on(on: date, expires_on: date, first_reminder: date | None, grace_ends: date, lapses_on: date | None) -> str:
    """active, renewal_due, grace, late or lapsed."""
    if on <= expires_on:
        return "renewal_due" if first_reminder is not None and on >= first_reminder else "active"
    if on <= grace_ends:
        return "grace"
    if lapses_on is not None and on >= lapses_on:
        return "lapsed"
    return "late"


def evaluate(doc: RuleDocument, facts: Facts, as_of: date, *, library: Documents | None = None) -> DeadlineResult:
    """A renewal's status on `as_of`: expiry, reminders, grace, days and months late, and the penalty."""
    version = version_in_force(doc, as_of)
    body = version.body
    checked = fact_checker(doc).check(facts)
    expires_on = checked.get("expires_on")
    if expires_on is None:
        if checked.get("issued_on") is None or not body.get("term"):
            raise FactError("expires_on: missing, and there is no issued_on (with a term) to compute it from")
        expires_on = term_end(body["term"], checked["issued_on"])
    reminders = sorted(
        ({"date": expires_on - timedelta(days=int(r["days_before"])), "notice": r["notice"]}
         for r in body.get("reminders", [])), key=lambda r: r["date"])
    first_reminder = reminders[0]["date"] if reminders else None
    grace_ends = grace_end(body, expires_on, library, doc.id)
    lapse = body.get("lapse")
    lapses_on = expires_on + timedelta(days=int(lapse["days_after"])) if lapse else None
    status = status_on(as_of, expires_on, first_reminder, grace_ends, lapses_on)
    next_reminder = next((r for r in reminders if r["date"] >= as_of), None)
    days_late = months_late = 0
    penalty = None
    if status in ("late", "lapsed"):
        days_late = (as_of - grace_ends).days
        months_late = started_months(grace_ends + ONE_DAY, as_of)
        link = (body.get("late_penalty") or {}).get("schedule")
        if link:
            schedule = _linked(library, link, "schedule", doc.id)
            penalty = evaluate_schedule(schedule, {**facts, "days_late": days_late, "months_late": months_late},
                                        as_of, library=library)
    return DeadlineResult(expires_on, status, days_late, months_late, next_reminder, penalty, grace_ends,
                          lapses_on, doc.id, version.effective, version.reference, as_of)
