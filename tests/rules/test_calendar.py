"""kind: calendar — office days, shut-off days, and the billing-cycle timeline of the sample city."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from engine.rules.loader import load_document
from eval_support import example, load_text
from engine.rules.calendar import CityCalendar, evaluate
from engine.rules.errors import DocumentErrors, FactError, NoVersionInForce

AS_OF = date(2026, 3, 1)
CITY = example("city-calendar")
CAL = CityCalendar(CITY)


def shutoff_on(day):
    """The answer for a shut-off on `day`."""
    return evaluate(CITY, {"date": day, "action": "shutoff"}, AS_OF).to_json()


def test_no_shutoff_on_juneteenth_the_next_allowed_day_is_monday():
    answer = shutoff_on("2026-06-19")
    assert answer["allowed"] is False and answer["next_allowed"] == "2026-06-22"
    assert "2026-06-19 is a holiday (Juneteenth)" in answer["reasons"]


def test_the_day_after_thanksgiving_is_a_holiday_and_a_friday():
    answer = shutoff_on("2026-11-27")
    assert answer["reasons"] == ["2026-11-27 is a holiday (Day after Thanksgiving)",
                                 "2026-11-27 is a Friday (no shut-offs on Fridays)"]
    assert answer["next_allowed"] == "2026-11-30"


def test_no_shutoff_in_the_winter_holidays_until_january_6():
    answer = shutoff_on("2026-12-16")
    assert answer["reasons"] == ["2026-12-16 is in Winter holidays"] and answer["next_allowed"] == "2027-01-06"
    assert shutoff_on("2027-01-05")["allowed"] is False and shutoff_on("2027-01-06")["allowed"] is True


def test_the_office_day_before_a_holiday_is_barred():
    assert shutoff_on("2026-11-25")["reasons"] == ["2026-11-25 is the office day before a holiday (Thanksgiving)"]
    # Memorial Day is a Monday: the Friday before it is barred twice over, Thursday is fine
    assert "2026-05-22 is the office day before a holiday (Memorial Day)" in shutoff_on("2026-05-22")["reasons"]
    assert shutoff_on("2026-05-21")["allowed"] is True


def test_an_ordinary_tuesday_is_allowed_and_next_allowed_is_null():
    answer = shutoff_on("2026-03-10")
    assert answer == {"date": "2026-03-10", "action": "shutoff", "allowed": True, "next_allowed": None, "reasons": [],
                      "rule": "city-calendar", "version": "2026-01-01", "reference": None, "as_of": "2026-03-01"}


def test_the_office_is_closed_on_saturdays_and_holidays_but_open_on_fridays():
    saturday = evaluate(CITY, {"date": "2026-03-07", "action": "office"}, AS_OF).to_json()
    assert saturday["reasons"] == ["2026-03-07 is a Saturday (the office is closed on Saturdays)"]
    assert saturday["next_allowed"] == "2026-03-09"
    assert evaluate(CITY, {"date": "2026-03-06", "action": "office"}, AS_OF).allowed
    assert not CAL.is_office_day(date(2026, 1, 19)) and CAL.why_not(date(2026, 1, 19), "office") == [
        "2026-01-19 is a holiday (Martin Luther King Jr. Day)"]


def test_cycle_a_in_march_2026():
    result = evaluate(CITY, {"cycle": "A", "period": "2026-03"}, AS_OF).to_json()
    assert result["steps"] == {
        "bill": "2026-03-01",
        "due": "2026-03-23",           # 03-21 is a Saturday: rolled to Monday
        "late_fee": "2026-03-24",
        "shutoff_notice": "2026-04-27",
        "door_hanger": "2026-05-06",   # 7 office days after 04-27
        "shutoff": "2026-05-11",       # 05-08 is a Friday: rolled to the next shut-off day
    }
    assert "rolled to the next office day 2026-03-23" in result["details"]["due"]
    assert result["version"] == "2026-01-01"


def test_cycle_b_in_november_runs_past_thanksgiving_and_the_winter_holidays():
    steps = evaluate(CITY, {"cycle": "B", "period": "2026-11"}, AS_OF).steps
    assert steps["bill"] == date(2026, 11, 15) and steps["due"] == date(2026, 12, 7)
    assert steps["shutoff_notice"] == date(2027, 1, 11) and steps["shutoff"] == date(2027, 1, 25)


def test_the_bill_day_of_a_short_month_is_its_last_day():
    doc = load_text(example("city-calendar").text.replace("B: {bill_day: 15}", "B: {bill_day: 31}"))
    assert evaluate(doc, {"cycle": "B", "period": "2026-02"}, AS_OF).steps["bill"] == date(2026, 2, 28)


def test_an_unknown_cycle_or_a_bad_period_names_the_fact():
    with pytest.raises(FactError, match="cycle: 'C' is not one of 'A', 'B'"):
        evaluate(CITY, {"cycle": "C", "period": "2026-03"}, AS_OF)
    with pytest.raises(FactError, match="period: 'March' is not a month"):
        evaluate(CITY, {"cycle": "A", "period": "March"}, AS_OF)
    with pytest.raises(FactError, match="action: 'dig'"):
        evaluate(CITY, {"date": "2026-03-10", "action": "dig"}, AS_OF)


def test_before_the_first_version_no_date_can_be_judged():
    with pytest.raises(NoVersionInForce, match="no version of city-calendar in force on 2025-12-31"):
        CAL.is_office_day(date(2025, 12, 31))


TWO_YEARS = """
id: two-year-calendar
kind: calendar
title: A calendar with a second year published
versions:
  - effective: 2026-01-01
    closed_weekdays: [sat, sun]
    holidays: {2026-12-25: Christmas Day}
    no_shutoff: {weekdays: [fri]}
    cycles: {A: {bill_day: 1}}
    timeline:
      due: {after: bill, days: 30, roll: office_day}
      door_hanger: {after: due, office_days: 3}
  - effective: 2027-01-01
    reference: Resolution 2026-90
    closed_weekdays: [sat, sun]
    holidays:
      2027-01-01: New Year's Day
      2027-01-04: Winter closure
    no_shutoff: {weekdays: [fri, mon]}
    cycles: {A: {bill_day: 1}}
    timeline:
      due: {after: bill, days: 30, roll: office_day}
      door_hanger: {after: due, office_days: 3}
"""


def test_each_date_is_judged_by_the_version_in_force_on_that_date():
    doc = load_text(TWO_YEARS)
    calendar = CityCalendar(doc)
    steps = evaluate(doc, {"cycle": "A", "period": "2026-12"}, AS_OF).steps
    assert steps["due"] == date(2026, 12, 31)  # a Thursday, open under the 2026 version
    assert steps["door_hanger"] == date(2027, 1, 7)  # 01-01 and 01-04 closed under the 2027 version: 05, 06, 07
    assert calendar.is_shutoff_day(date(2026, 12, 28)) and not calendar.is_shutoff_day(date(2027, 1, 11))
    assert evaluate(doc, {"date": "2027-01-11", "action": "shutoff"}, AS_OF).version == date(2027, 1, 1)


def test_the_reusable_calendar_api():
    assert CAL.next_office_day(date(2026, 7, 2)) == date(2026, 7, 6)  # 07-03 observed Independence Day
    assert CAL.next_shutoff_day(date(2026, 3, 5)) == date(2026, 3, 9)  # Friday 03-06 barred
    assert CAL.add_office_days(date(2026, 4, 27), 7) == date(2026, 5, 6)
    assert CAL.roll(date(2026, 3, 21), "office_day") == date(2026, 3, 23)
    assert CAL.roll(date(2026, 3, 23), "office_day") == date(2026, 3, 23)


def test_every_day_of_2026_is_either_allowed_or_has_a_reason_and_next_allowed_is_allowed():
    day = date(2026, 1, 1)
    while day.year == 2026:
        reasons = CAL.why_not(day, "shutoff")
        assert CAL.is_shutoff_day(day) is (not reasons)
        if reasons:
            following = CAL.next_shutoff_day(day)
            assert CAL.is_shutoff_day(following) and all(
                not CAL.is_shutoff_day(day + timedelta(days=k)) for k in range(1, (following - day).days))
        day += timedelta(days=1)


def test_a_step_taken_late_moves_what_it_counts_from_and_counts_the_rest_again():
    """Cycle A, March 2026 (shut-off notice 04-27): the notice taken 2026-06-01 instead. The notice and the steps it is
    counted from (due, bill) move 35 days; the door hanger is 7 office days after 06-01 (06-10), the shut-off 2 days
    after that, a Friday, so Monday 06-15. The late fee, counted from the moved due date, moves as well."""
    steps, details, version = CAL.timeline("A", "2026-03")
    counted, how = CAL.recount(steps, details, version, "shutoff_notice", date(2026, 6, 1))
    assert counted == {"bill": date(2026, 4, 5), "due": date(2026, 4, 27), "late_fee": date(2026, 4, 28),
                       "shutoff_notice": date(2026, 6, 1), "door_hanger": date(2026, 6, 10),
                       "shutoff": date(2026, 6, 15)}
    assert how["shutoff_notice"] == "2026-04-27, shutoff_notice taken 35 days late: 2026-06-01"
    assert CAL.recount(steps, details, version, "shutoff_notice", date(2026, 4, 20))[0] == steps  # early: as it is


def test_the_day_a_nights_notices_are_mailed():
    """Without `mailing:` a night's notices go out that day; with `{office_days: 1}` on the next office day."""
    assert CAL.mailing_day(date(2026, 3, 7)) == date(2026, 3, 7)
    next_day = CityCalendar(load_text(example("city-calendar").text.replace(
        "    cycles:", "    mailing: {office_days: 1}\n    cycles:")))
    assert next_day.mailing_day(date(2026, 3, 7)) == date(2026, 3, 9)  # Saturday night: Monday
    assert next_day.mailing_day(date(2026, 3, 9)) == date(2026, 3, 10)


EVERY_YEAR = """\
id: winter
kind: calendar
title: Winter, every year
versions:
  - effective: 2026-01-01
    reference: Administrative Code 13.04.125
    closed_weekdays: [sat, sun]
    no_shutoff:
      every_year:
        - {from: 12-15, to: 01-05, reason: Winter holidays}
        - {from: 07-01, to: 07-02}
"""


@pytest.mark.parametrize("day, reasons", [
    (date(2028, 12, 14), []),
    (date(2028, 12, 15), ["2028-12-15 is in Winter holidays"]),
    (date(2029, 1, 5), ["2029-01-05 is in Winter holidays"]),
    (date(2029, 1, 8), []),
    (date(2031, 7, 1), ["2031-07-01 is in a no-shut-off period"]),
    (date(2031, 7, 3), []),
])
def test_a_period_every_year_bars_its_days_in_any_year(day, reasons):
    """`every_year` periods hold in years no version names; one ending earlier in the year runs into the next."""
    city = CityCalendar(load_document(EVERY_YEAR, "winter.yaml"))
    assert city.shutoff_bars(day) == reasons


@pytest.mark.parametrize("change, message", [
    (("to: 01-05", "to: 02-29"), "winter.yaml:10: versions[0].no_shutoff.every_year[0].to: 02-29 is not in every "
                                 "year: write 02-28 or 03-01"),
    (("to: 01-05", "to: 04-31"), "winter.yaml:10: versions[0].no_shutoff.every_year[0].to: month 4 has no day 31"),
    (("to: 01-05", "to: 1-5"), "winter.yaml:10: versions[0].no_shutoff.every_year[0].to: expected a day of the "
                               "year, MM-DD (12-15 is December 15), found the text \"1-5\""),
    (("from: 12-15, to: 01-05", "from: 01-02, to: 01-01"),
     "winter.yaml:9: versions[0].no_shutoff.every_year: together these periods bar every day of the year: no day "
     "would be left for shut-offs"),
])
def test_a_period_every_year_that_cannot_be_meant_is_refused(change, message):
    with pytest.raises(DocumentErrors) as raised:
        load_document(EVERY_YEAR.replace(*change), "winter.yaml")
    assert message in [str(error) for error in raised.value.errors]
