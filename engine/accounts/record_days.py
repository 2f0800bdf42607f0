"""The days a clerk writes on a customer's record (a forwarding address, a move-in or move-out, an enrolment).

A typed day is a day of these years: not before 1900 (engine.rules.bounds.FIRST_DATE, the
first day a fact may hold, since these days become the notices' facts) and not more than a
year after today (a forwarding address or a lease is recorded ahead, never years ahead). The
last day of an assistance enrolment (its re-certification) is a day a program may set years
ahead, so it may be up to ten years ahead, never more. So 0001-01-01 or 9999-12-31 typed into
a date box is refused with the field named, not kept.
"""
from __future__ import annotations

from datetime import date, timedelta

from engine.rules.bounds import FIRST_DATE

DAYS_AHEAD = 366  # the furthest ahead a day is recorded: a year from today
END_YEARS_AHEAD = 10  # the furthest ahead an enrolment's last day is recorded, in years


def day_problem(day: date, field: str, *, today: date, years_ahead: int = 1) -> str | None:
    """Why `day` cannot be written as `field` (a sentence naming the field), or None when it can; at most
    `years_ahead` years (of DAYS_AHEAD days) after `today`, the city's date (engine.city.today_in_city), not the UTC
    date of the moment.

    The dates in the sentence are ISO (2027-03-03): the city's style (Mar 3, 2027) is webapp.formatting.day, which
    the engine cannot import (a Flask module)."""
    latest = today + timedelta(days=DAYS_AHEAD * years_ahead)
    if day < FIRST_DATE:
        return f"{field}: not before {FIRST_DATE.isoformat()}, not {day.isoformat()}."
    if day > latest:
        span = "a year" if years_ahead == 1 else f"{years_ahead} years"
        return f"{field}: at most {span} ahead (by {latest.isoformat()}), not {day.isoformat()}."
    return None
