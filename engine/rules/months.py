"""Month arithmetic, each month-end rule under its own name (pure: dates in, dates out).

A month later is not one thing when the day is the 29th, 30th or 31st. The city uses two rules:

- a payment plan's installments fall on the same day each month, or on the month's last
  day when it is shorter: `months_later_or_month_end(Jan 31, 1)` is Feb 28;
- a renewal term or a month late runs the calendar way, to the same day, or to the day after
  the month's end when it is shorter: `months_later_or_next_first(Jan 31, 1)` is Mar 1.

Whole months between two days (months of service, months late) count by the second rule.
A billing period (YYYY-MM) steps by whole months: `period_months_later("2026-12", 1)` is 2027-01.
"""
from __future__ import annotations

import calendar
from datetime import date, timedelta


def last_day_of_month(year: int, month: int) -> int:
    """The month's last day: 28, 29, 30 or 31."""
    return calendar.monthrange(year, month)[1]


def day_of_month_or_last(year: int, month: int, day: int) -> date:
    """Day `day` of the month, or its last day when the month is shorter.

    >>> day_of_month_or_last(2026, 2, 31)
    datetime.date(2026, 2, 28)
    """
    return date(year, month, min(day, last_day_of_month(year, month)))


def first_of_month(day: date, later: int = 0) -> date:
    """The first day of the month `later` months after the day's month (before it, when negative).

    >>> first_of_month(date(2026, 11, 24), 2)
    datetime.date(2027, 1, 1)
    """
    year, month = divmod(day.month - 1 + later, 12)
    return date(day.year + year, month + 1, 1)


def period_months_later(period: str, count: int) -> str:
    """The billing period (YYYY-MM) `count` months after `period` (before it, when negative).

    >>> period_months_later("2026-12", 1)
    '2027-01'
    >>> period_months_later("2027-01", -13)
    '2025-12'
    """
    month = first_of_month(date(int(period[:4]), int(period[5:7]), 1), count)
    return f"{month.year:04d}-{month.month:02d}"


def months_later_or_month_end(day: date, count: int) -> date:
    """The same day `count` months later; that month's last day when it is shorter.

    >>> months_later_or_month_end(date(2026, 1, 31), 1)
    datetime.date(2026, 2, 28)
    >>> months_later_or_month_end(date(2026, 1, 31), 2)
    datetime.date(2026, 3, 31)
    """
    month = first_of_month(day, count)
    return day_of_month_or_last(month.year, month.month, day.day)


def months_later_or_next_first(day: date, count: int) -> date:
    """The same day `count` months later; the first of the month after when that month is shorter.

    >>> months_later_or_next_first(date(2027, 1, 31), 1)
    datetime.date(2027, 3, 1)
    >>> months_later_or_next_first(date(2024, 2, 29), 12)
    datetime.date(2025, 3, 1)
    """
    month = first_of_month(day, count)
    if day.day <= last_day_of_month(month.year, month.month):
        return month.replace(day=day.day)
    return first_of_month(month, 1)


def months_in(first: date, last: date, count: str = "started") -> int:
    """Calendar months from `first` through `last`: each month begun, or only those wholly inside.

    >>> months_in(date(2026, 4, 15), date(2026, 12, 31)), months_in(date(2026, 4, 15), date(2026, 12, 31), "completed")
    (9, 8)
    """
    if last < first:
        return 0
    begun = (last.year - first.year) * 12 + last.month - first.month + 1
    if count == "started":
        return begun
    whole = begun
    if first.day != 1:
        whole -= 1
    if last + timedelta(days=1) != first_of_month(last, 1):
        whole -= 1
    return max(whole, 0)


def whole_months(start: date, end: date) -> int:
    """Whole months from `start` to `end` (0 when `end` is earlier), month n ending on the n-months-later day.

    Counted by `months_later_or_next_first`: from Jan 31, a whole month has passed on Mar 1, not Feb 28.

    >>> whole_months(date(2026, 1, 31), date(2026, 2, 28))
    0
    >>> whole_months(date(2026, 1, 15), date(2026, 3, 15))
    2
    """
    if end < start:
        return 0
    count = (end.year - start.year) * 12 + end.month - start.month
    return count if end.day >= start.day else count - 1


SHORT_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day_words(day: date) -> str:
    """A calendar date in the city's one date style, as pages and messages write it: Mar 2, 2026.

    >>> day_words(date(2026, 3, 2))
    'Mar 2, 2026'
    """
    return f"{SHORT_MONTHS[day.month - 1]} {day.day}, {day.year}"


def period_words(period: str) -> str:
    """A billing period (YYYY-MM) as people say it, in the city's date style: Mar 2026 (a text that is no period is
    given back as it is).

    >>> period_words("2026-03"), period_words("2026-13")
    ('Mar 2026', '2026-13')
    """
    year, _, month = period.partition("-")
    if len(year) != 4 or not (year + month).isdigit() or not year.isascii() or not month.isascii() \
            or not 1 <= int(month) <= 12 or len(month) != 2:
        return period
    return f"{SHORT_MONTHS[int(month) - 1]} {year}"
