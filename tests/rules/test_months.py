"""Month arithmetic: each month-end rule by its name, as the city's plans and renewals use them."""
from __future__ import annotations

import doctest
from datetime import date, timedelta

import pytest

from engine.rules import months
from engine.rules.months import (day_of_month_or_last, first_of_month, months_later_or_month_end,
                                 months_later_or_next_first, whole_months)


def test_the_docstring_examples_hold():
    assert doctest.testmod(months).failed == 0


def test_a_plan_installment_after_jan_31_falls_on_the_last_day_of_february():
    assert months_later_or_month_end(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert months_later_or_month_end(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert [months_later_or_month_end(date(2026, 1, 31), k) for k in range(4)] == [
        date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)]


def test_a_month_after_jan_31_by_the_calendar_is_mar_1():
    assert months_later_or_next_first(date(2027, 1, 31), 1) == date(2027, 3, 1)
    assert months_later_or_next_first(date(2024, 2, 29), 12) == date(2025, 3, 1)
    assert months_later_or_next_first(date(2026, 3, 10), 12) == date(2027, 3, 10)


def test_the_two_rules_agree_on_any_day_every_month_has():
    day = date(2025, 1, 1)
    while day < date(2027, 1, 1):
        if day.day <= 28:
            assert all(months_later_or_month_end(day, n) == months_later_or_next_first(day, n) for n in range(25))
        day += timedelta(days=1)


@pytest.mark.parametrize("start, end, expected", [
    (date(2026, 1, 31), date(2026, 2, 28), 0),
    (date(2026, 1, 31), date(2026, 3, 1), 1),
    (date(2026, 1, 15), date(2026, 3, 14), 1),
    (date(2026, 1, 15), date(2026, 3, 15), 2),
    (date(2026, 5, 1), date(2026, 4, 30), 0),
])
def test_whole_months_between_two_days(start, end, expected):
    assert whole_months(start, end) == expected


def test_whole_months_count_by_the_calendar_rule():
    """n whole months have passed exactly when the n-months-later day (next-first rule) has come."""
    start = date(2024, 1, 29)
    for offset in range(0, 800, 3):
        end = start + timedelta(days=offset)
        n = whole_months(start, end)
        assert months_later_or_next_first(start, n) <= end < months_later_or_next_first(start, n + 1)


def test_the_first_of_a_month_before_or_after():
    assert first_of_month(date(2026, 11, 24), 1) == date(2026, 12, 1)
    assert first_of_month(date(2026, 11, 24), 3) == date(2027, 2, 1)
    assert first_of_month(date(2026, 1, 5), -1) == date(2025, 12, 1)


def test_a_bill_day_of_31_in_february_is_its_last_day():
    assert day_of_month_or_last(2026, 2, 31) == date(2026, 2, 28)
    assert day_of_month_or_last(2026, 4, 15) == date(2026, 4, 15)
