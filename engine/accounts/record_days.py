"""The days a clerk writes on a customer's record (a forwarding address, a move-in or move-out, an enrolment).

A typed day is a day of these years: not before 1900 (engine.rules.bounds.FIRST_DATE, the
first day a fact may hold, since these days become the notices' facts) and not more than a
year after today (a forwarding address or a lease is recorded ahead, never years ahead). So
0001-01-01 or 9999-12-31 typed into a date box is refused with the field named, not kept.
"""
from __future__ import annotations

from datetime import date, timedelta

from engine.rules.bounds import FIRST_DATE

DAYS_AHEAD = 366  # the furthest ahead a day is recorded: a year from today


def day_problem(day: date, field: str, *, today: date) -> str | None:
    """Why `day` cannot be written as `field` (a sentence naming the field), or None when it can."""
    latest = today + timedelta(days=DAYS_AHEAD)
    if day < FIRST_DATE:
        return f"{field}: not before {FIRST_DATE.isoformat()}, not {day.isoformat()}."
    if day > latest:
        return f"{field}: at most a year ahead (by {latest.isoformat()}), not {day.isoformat()}."
    return None
