"""kind: deadline — the annual business license: reminders, grace, late, lapsed, and the late penalty."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from eval_support import example, load_text
from engine.rules.deadline import evaluate, started_months, term_end
from engine.rules.errors import EvaluationError, FactError
from engine.rules.library import RuleLibrary

RENEWAL = example("business-license-renewal")
NO_CALENDAR = load_text(RENEWAL.text.replace("    calendar: city-calendar", "   "))
LIBRARY = RuleLibrary.from_documents([RENEWAL, example("license-late-penalty"), example("city-calendar")])
PLAIN_LIBRARY = RuleLibrary.from_documents([NO_CALENDAR, example("license-late-penalty")])
LICENSE = {"issued_on": "2026-03-10", "license_fee": "250.00"}


def on(day, doc=RENEWAL, library=LIBRARY, **facts):
    """The license's standing on `day` (ISO)."""
    return evaluate(doc, {**LICENSE, **facts}, date.fromisoformat(day), library=library)


def test_a_license_that_expired_2026_12_31_is_43_days_and_2_started_months_late_on_2027_03_15():
    result = on("2027-03-15", NO_CALENDAR, PLAIN_LIBRARY)
    assert (result.status, result.days_late, result.months_late) == ("late", 43, 2)
    assert result.to_json()["penalty"]["total"] == "50.00"  # 10% of 250.00 a month, 2 months
    assert result.penalty.lines[0]["detail"] == "10% of license fee $250.00 x 2 (months late)"


def test_with_the_city_calendar_a_grace_period_ending_on_sunday_runs_to_monday():
    result = on("2027-03-15")
    assert result.grace_ends == date(2027, 2, 1)  # 2027-01-31 is a Sunday
    assert (result.status, result.days_late, result.months_late) == ("late", 42, 2)
    assert on("2027-02-01").status == "grace" and on("2027-02-01").penalty is None


@pytest.mark.parametrize(
    "day, status, days_late, months_late, reminder",
    [
        ("2026-03-10", "active", 0, 0, ("2026-11-16", "license-renewal-reminder")),
        ("2026-11-15", "active", 0, 0, ("2026-11-16", "license-renewal-reminder")),
        ("2026-11-16", "renewal_due", 0, 0, ("2026-11-16", "license-renewal-reminder")),
        ("2026-11-17", "renewal_due", 0, 0, ("2026-12-16", "license-renewal-final")),
        ("2026-12-17", "renewal_due", 0, 0, None),
        ("2026-12-31", "renewal_due", 0, 0, None),
        ("2027-01-01", "grace", 0, 0, None),
        ("2027-01-31", "grace", 0, 0, None),
        ("2027-02-01", "late", 1, 1, None),
        ("2027-02-28", "late", 28, 1, None),
        ("2027-03-01", "late", 29, 2, None),
        ("2027-04-29", "late", 88, 3, None),
        ("2027-04-30", "lapsed", 89, 3, None),
        ("2027-12-01", "lapsed", 304, 11, None),
    ],
)
def test_the_license_day_by_day_without_a_calendar(day, status, days_late, months_late, reminder):
    result = on(day, NO_CALENDAR, PLAIN_LIBRARY).to_json()
    assert (result["status"], result["days_late"], result["months_late"]) == (status, days_late, months_late)
    assert result["next_reminder"] == (None if reminder is None else {"date": reminder[0], "notice": reminder[1]})
    assert result["expires_on"] == "2026-12-31"
    assert (result["penalty"] is None) is (status not in ("late", "lapsed"))


def test_the_penalty_stops_growing_after_5_months():
    assert on("2027-12-01", NO_CALENDAR, PLAIN_LIBRARY).penalty.total == Decimal("125.00")


def test_the_result_as_json():
    result = on("2026-11-20").to_json()
    assert result == {
        "expires_on": "2026-12-31", "status": "renewal_due", "days_late": 0, "months_late": 0,
        "next_reminder": {"date": "2026-12-16", "notice": "license-renewal-final"}, "penalty": None,
        "grace_ends": "2027-02-01", "lapses_on": "2027-04-30",
        "rule": "business-license-renewal", "version": "2026-01-01", "reference": None, "as_of": "2026-11-20",
    }


def test_an_expiry_given_is_used_as_it_is():
    assert on("2027-03-01", expires_on="2027-06-30").status == "active"


def test_without_expiry_or_issue_date_nothing_can_be_said():
    with pytest.raises(FactError, match="expires_on: missing"):
        evaluate(RENEWAL, {"license_fee": "250.00"}, date(2026, 5, 1), library=LIBRARY)


def test_a_linked_calendar_needs_the_library():
    with pytest.raises(EvaluationError, match="links to city-calendar"):
        evaluate(RENEWAL, LICENSE, date(2026, 5, 1))


def test_terms_by_year_end_and_by_months():
    year_end = {"every": "year", "date": "12-31"}
    assert term_end(year_end, date(2026, 3, 10)) == date(2026, 12, 31)
    assert term_end(year_end, date(2026, 12, 31)) == date(2026, 12, 31)
    assert term_end({"every": "year", "date": "06-30"}, date(2026, 7, 1)) == date(2027, 6, 30)
    assert term_end({"months": Decimal(12)}, date(2026, 3, 10)) == date(2027, 3, 9)
    assert term_end({"months": Decimal(12)}, date(2024, 2, 29)) == date(2025, 2, 28)


def test_started_months_count_from_the_first_late_day():
    assert started_months(date(2027, 2, 1), date(2027, 1, 31)) == 0
    assert [started_months(date(2027, 1, 31), d) for d in (date(2027, 1, 31), date(2027, 2, 28), date(2027, 3, 1))] == [1, 1, 2]


def test_every_day_for_two_years_has_one_status_in_order():
    order = ["active", "renewal_due", "grace", "late", "lapsed"]
    day, seen = date(2026, 3, 10), []
    while day < date(2028, 3, 10):
        status = on(day.isoformat(), NO_CALENDAR, PLAIN_LIBRARY).status
        if not seen or seen[-1] != status:
            seen.append(status)
        day += timedelta(days=1)
    assert seen == order


def test_a_grace_that_ended_before_the_calendars_first_version_ends_on_the_day_counted():
    """The calendar starts 2026-01-01; a license that expired 2024-12-31 (on file from before the city wrote its
    calendar down) still has a standing: grace to 2025-01-31 as counted, lapsed 120 days after expiry."""
    result = on("2026-12-07", issued_on="2024-03-10")
    assert result.expires_on == date(2024, 12, 31) and result.grace_ends == date(2025, 1, 31)
    assert (result.status, result.days_late, result.lapses_on) == ("lapsed", 675, date(2025, 4, 30))
    assert on("2026-12-07", issued_on="2025-03-10").grace_ends == date(2026, 2, 2)  # in force: rolled past Sunday
