"""A naive reference for measures, written for the tests: windows, filters, take and aggregations, slowly and plainly.

Nothing here calls the product's measure code; months are counted by hand.
"""
from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import Decimal

from engine.rules.streams import STREAMS

AGGREGATIONS = ("count", "sum", "earliest", "latest", "days_since")


def months_back(day: date, months: int) -> date:
    """The same day `months` months before, or that month's last day when it is shorter."""
    index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def window_start(within: dict | None, as_of: date) -> date | None:
    """The day after which a window's events lie."""
    if not within:
        return None
    (unit, n), = within.items()
    if unit == "days":
        return as_of - timedelta(days=n)
    return months_back(as_of, n if unit == "months" else 12 * n)


def holds(value, op: str, wanted) -> bool:
    """One comparison; an absent value never holds."""
    if value is None:
        return False
    return {"eq": lambda: value == wanted, "ne": lambda: value != wanted, "in": lambda: value in wanted,
            "not_in": lambda: value not in wanted, "gt": lambda: value > wanted, "gte": lambda: value >= wanted,
            "lt": lambda: value < wanted, "lte": lambda: value <= wanted}[op]()


def measure_value(spec: dict, name: str, events: list[dict], as_of: date):
    """The value a measure version (its aggregation `name` with `spec`) gives over a stream's events, or None."""
    start = window_start(spec.get("within"), as_of)
    kept = []
    for event in sorted(events, key=lambda e: e["date"]):  # stable: one day's events as given
        if event["date"] > as_of or (start is not None and event["date"] <= start):
            continue
        tests = []
        for field, test in (spec.get("where") or {}).items():
            if isinstance(test, dict):
                tests += [(field, op, v) for op, v in test.items()]
            else:
                tests.append((field, "eq", test))
        if all(holds(event.get(field), op, v) for field, op, v in tests):
            kept.append(event)
    take = spec.get("take") or {}
    if "newest" in take:
        kept = kept[len(kept) - min(take["newest"], len(kept)):]
    if "oldest" in take:
        kept = kept[:take["oldest"]]
    if name == "count":
        return len(kept)
    if name == "sum":
        total = Decimal("0.00")
        for event in kept:
            total += event.get(spec["field"], Decimal(0))
        return total
    nth = spec.get("nth", 1)
    if len(kept) < nth:
        return spec.get("default")
    if name == "earliest":
        return kept[nth - 1]["date"]
    latest = sorted(kept, key=lambda e: e["date"])[len(kept) - nth]["date"]
    return latest if name == "latest" else (as_of - latest).days


def money_fields(stream: str, subject: str = "account") -> list[str]:
    """The money fields of a stream."""
    return [f for f, (kind, _) in STREAMS[subject][stream].fields.items() if kind == "money"]
