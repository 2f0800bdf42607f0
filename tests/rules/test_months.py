"""Month arithmetic: each month-end rule by its name, as the city's plans and renewals use them."""
from __future__ import annotations

import doctest
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from engine.rules import months
from engine.rules.months import (day_of_month_or_last, first_of_month, months_later_or_month_end,
                                 months_later_or_next_first, period_months_later, whole_months)


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


def test_a_billing_period_steps_by_whole_months_across_the_year():
    assert period_months_later("2026-12", 1) == "2027-01"
    assert period_months_later("2026-11", -12) == "2025-11"
    assert period_months_later("2027-01", -13) == "2025-12"
    assert [period_months_later("2026-11", k) for k in range(3)] == ["2026-11", "2026-12", "2027-01"]


MONTH_ARITHMETIC = re.compile(r"\*\s*12\b|//\s*12\b|%\s*12\b|divmod\([^)]*,\s*12\)|month\s*==\s*12")


def month_arithmetic_outside_months(root: Path) -> list[str]:
    """The lines of the engine that step or count months by hand (x 12, // 12, % 12) outside engine/rules/months.py."""
    found = []
    for path in sorted(root.rglob("*.py")):
        if path.name == "months.py" or "migrations" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if MONTH_ARITHMETIC.search(line.split("#", 1)[0]):
                found.append(f"{path.relative_to(root.parent)}:{number}")
    return found


def test_months_are_stepped_and_counted_only_in_engine_rules_months(tmp_path):
    """Billing's next free period, statements' usage window, the calendar grid and proration all ask months.py."""
    engine = Path(__file__).resolve().parents[2] / "engine"
    assert month_arithmetic_outside_months(engine) == []
    (tmp_path / "engine").mkdir()
    (tmp_path / "engine" / "billing.py").write_text('period = f"{year + month // 12}-{month % 12 + 1:02d}"\n')
    assert month_arithmetic_outside_months(tmp_path / "engine") == ["engine/billing.py:1"]


def test_a_billing_period_is_said_one_way_everywhere():
    """The Billing page said "December 2026", the read review "No read for 2026-12", the case pages "Dec 2026"."""
    from engine.rules.months import period_words
    assert [period_words(p) for p in ("2026-01", "2026-12", "1999-07")] == ["Jan 2026", "Dec 2026", "Jul 1999"]
    assert [period_words(p) for p in ("2026-13", "2026-00", "2026-1", "２０２６-03", "", "soon")] == [
        "2026-13", "2026-00", "2026-1", "２０２６-03", "", "soon"]  # not a period: given back as written
