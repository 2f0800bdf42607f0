"""Which version of a document is in force: on one day, and day by day over a period."""
from __future__ import annotations

from datetime import date, timedelta

from engine.rules.document import RuleDocument, Version
from engine.rules.errors import EvaluationError, NoVersionInForce


def version_in_force(doc: RuleDocument, on: date) -> Version:
    """The version with the greatest `effective` on or before `on`; none or retired is an error."""
    current = None
    for version in doc.versions:  # ascending, as the loader guarantees
        if version.effective > on:
            break
        current = version
    if current is None or current.retired:
        raise NoVersionInForce(doc.id, on.isoformat())
    return current


def versions_over(doc: RuleDocument, first: date, last: date) -> list[tuple[Version, int, date, date]]:
    """The period `first`..`last` (both included) split by version: (version, days, from, to) in order."""
    if last < first:
        raise EvaluationError(f"the period {first.isoformat()} to {last.isoformat()} ends before it starts")
    parts: list[tuple[Version, int, date, date]] = []
    day = first
    while day <= last:
        version = version_in_force(doc, day)
        end = min(last, _last_day_of(doc, version))
        parts.append((version, (end - day).days + 1, day, end))
        day = end + timedelta(days=1)
    return parts


def _last_day_of(doc: RuleDocument, version: Version) -> date:
    """The last day `version` is in force: the day before the next version, or far in the future."""
    later = [v.effective for v in doc.versions if v.effective > version.effective]
    return min(later) - timedelta(days=1) if later else date.max
