"""Yearly holidays: a calendar's holidays that come back every year, with the observed-day rule.

A city publishes its holidays as rules (New Year's Day is January 1, Memorial Day the last
Monday of May, the day after Thanksgiving), a Saturday holiday observed on the Friday before
and a Sunday one on the Monday after. The calendar below has only those rules, in force from
1900 on: every year has its holidays, and office days, shut-off days, timelines and `rules
eval` read them through the calendar's one place for holidays.
"""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from engine.rules.calendar import WEEKDAYS, CityCalendar, evaluate
from engine.rules.errors import DocumentErrors, FactError
from engine.rules.kinds.calendar import calendar_lines
from engine.rules.library import RuleLibrary
from engine.rules.lint import lint_document
from engine.rules.loader import load_document

RULES = Path(__file__).resolve().parents[2] / "rules"

YEARLY = """\
id: yearly-calendar
kind: calendar
title: Holidays every year
versions:
  - effective: 1900-01-01
    closed_weekdays: [sat, sun]
    holidays_observed: {sat: fri, sun: mon}
    yearly_holidays:
      new_years_day:           {name: New Year's Day, month: 1, day: 1}
      martin_luther_king_day:  {name: Martin Luther King Jr. Day, month: 1, weekdays: [mon], nth: [3]}
      presidents_day:          {name: Presidents' Day, month: 2, weekdays: [mon], nth: [3]}
      cesar_chavez_day:        {name: Cesar Chavez Day, month: 3, day: 31}
      memorial_day:            {name: Memorial Day, month: 5, weekdays: [mon], nth: [-1]}
      juneteenth:              {month: 6, day: 19}
      independence_day:        {name: Independence Day, month: 7, day: 4}
      labor_day:               {name: Labor Day, month: 9, weekdays: [mon], nth: [1]}
      veterans_day:            {name: Veterans Day, month: 11, day: 11}
      thanksgiving:            {name: Thanksgiving Day, month: 11, weekdays: [thu], nth: [4]}
      day_after_thanksgiving:  {name: Day after Thanksgiving, after: thanksgiving, days: 1}
      christmas_day:           {name: Christmas Day, month: 12, day: 25}
    no_shutoff:
      weekdays: [fri]
      before_holiday: true
    cycles:
      X: {bill_day: 10}
    timeline:
      due: {after: bill, days: 21, roll: office_day}
      shutoff: {after: due, days: 2, roll: shutoff_day}
"""
OWN_DAY_MONTHS = {"New Year's Day": 1, "Martin Luther King Jr. Day": 1, "Presidents' Day": 2, "Cesar Chavez Day": 3,
                  "Memorial Day": 5, "Juneteenth": 6, "Independence Day": 7, "Labor Day": 9, "Veterans Day": 11,
                  "Thanksgiving Day": 11, "Day after Thanksgiving": 11, "Christmas Day": 12}


def yearly() -> CityCalendar:
    """The calendar of yearly holidays only, compiled."""
    return CityCalendar(load_document(YEARLY, "yearly-calendar.yaml"))


CITY = yearly()


@given(st.integers(1900, 2199))
def test_every_holiday_falls_in_its_month_or_a_day_from_it_when_observed(year):
    """Each of the twelve, every year: on its own day in its month, or "(observed)" one day off a weekend."""
    found = {**CITY.holidays_in(year - 1), **CITY.holidays_in(year)}
    for day, name in found.items():
        own = name.removesuffix(" (observed)")
        if name == own:
            assert day.month == OWN_DAY_MONTHS[own], (day, name)
        else:  # moved off a weekend to the nearest weekday: a day from it, in its month or the year's last day
            assert day.weekday() in (0, 4), (day, name)
            moved_from = day + timedelta(days=1 if day.weekday() == 4 else -1)
            assert moved_from.weekday() in (5, 6)
            assert moved_from.month == OWN_DAY_MONTHS[own] or (own, moved_from.month, moved_from.day) == \
                ("New Year's Day", 1, 1), (day, name)
    # each of the twelve of `year` is observed from December 31 of the year before to the year's end
    window = {name.removesuffix(" (observed)") for day, name in found.items() if day >= date(year - 1, 12, 31)}
    assert window == set(OWN_DAY_MONTHS), year
    assert all(CITY.holiday(day) == name for day, name in CITY.holidays_in(year).items())
    assert all(not CITY.is_office_day(day) for day in CITY.holidays_in(year))


@given(st.integers(1900, 2199), st.integers(1, 12), st.integers(0, 6), st.sampled_from([1, 2, 3, 4, -1, -2, -3, -4]))
def test_the_nth_weekday_of_a_holiday_is_the_one_counted_by_hand(year, month, weekday, n):
    """A yearly holiday on the nth weekday of a month is the day found by walking the month's days."""
    text = YEARLY.replace("{name: Labor Day, month: 9, weekdays: [mon], nth: [1]}",
                          f"{{name: Labor Day, month: {month}, weekdays: [{WEEKDAYS[weekday]}], nth: [{n}]}}")
    text = text.replace("holidays_observed: {sat: fri, sun: mon}", "holidays_observed: {}")
    days, first = [], date(year, month, 1)
    while first.month == month:
        if first.weekday() == weekday:
            days.append(first)
        first += timedelta(days=1)
    expected = days[n - 1] if n > 0 else days[n]
    holidays = CityCalendar(load_document(text, "x.yaml")).versions[0].holidays
    assert holidays.falls_in(year)["labor_day"] == expected
    assert "Labor Day" in holidays.on(expected).split("; ")


@pytest.mark.parametrize("day, name", [
    (date(2027, 7, 5), "Independence Day (observed)"),  # July 4, 2027 is a Sunday
    (date(2026, 7, 3), "Independence Day (observed)"),  # July 4, 2026 is a Saturday
    (date(2022, 12, 26), "Christmas Day (observed)"),  # December 25, 2022 is a Sunday
    (date(2026, 11, 26), "Thanksgiving Day"),
    (date(2026, 11, 27), "Day after Thanksgiving"),
    (date(2027, 12, 31), "New Year's Day (observed)"),  # January 1, 2028 is a Saturday: observed the year before
    (date(2027, 6, 18), "Juneteenth (observed)"),
    (date(2028, 7, 4), "Independence Day"),
])
def test_worked_holidays(day, name):
    assert CITY.holiday(day) == name
    assert CITY.office_bars(day)[0] == f"{day.isoformat()} is a holiday ({name})"


def test_a_holiday_observed_elsewhere_is_not_one_on_its_own_day():
    assert CITY.holiday(date(2027, 7, 4)) is None and CITY.holiday(date(2026, 7, 4)) is None
    assert CITY.holiday(date(2028, 1, 1)) is None  # observed on Friday, December 31, 2027


# The holidays the sample city's 2026 and 2027 versions listed before they became yearly holidays.
LISTED = {
    2026: {"2026-01-01": "New Year's Day", "2026-01-19": "Martin Luther King Jr. Day", "2026-02-16": "Presidents' Day",
           "2026-03-31": "Cesar Chavez Day", "2026-05-25": "Memorial Day", "2026-06-19": "Juneteenth",
           "2026-07-03": "Independence Day (observed)", "2026-09-07": "Labor Day", "2026-11-11": "Veterans Day",
           "2026-11-26": "Thanksgiving Day", "2026-11-27": "Day after Thanksgiving", "2026-12-25": "Christmas Day"},
    2027: {"2027-01-01": "New Year's Day", "2027-01-18": "Martin Luther King Jr. Day", "2027-02-15": "Presidents' Day",
           "2027-03-31": "Cesar Chavez Day", "2027-05-31": "Memorial Day", "2027-06-18": "Juneteenth (observed)",
           "2027-07-05": "Independence Day (observed)", "2027-09-06": "Labor Day", "2027-11-11": "Veterans Day",
           "2027-11-25": "Thanksgiving Day", "2027-11-26": "Day after Thanksgiving",
           "2027-12-24": "Christmas Day (observed)", "2027-12-31": "New Year's Day 2028 (observed)"},
}


@pytest.mark.parametrize("year", [2026, 2027])
def test_the_sample_citys_yearly_holidays_are_the_dates_it_listed(year):
    """The sample calendar's yearly holidays give the days its resolutions listed, by the same names (but
    "New Year's Day 2028 (observed)", which is now "New Year's Day (observed)")."""
    city = CityCalendar(RuleLibrary.from_folder(RULES).get("city-calendar"))
    computed = {day.isoformat(): name for day, name in city.holidays_in(year).items()}
    assert computed == {day: name.replace(" 2028", "") for day, name in LISTED[year].items()}


def test_the_sample_city_has_holidays_after_the_last_year_it_listed():
    city = CityCalendar(RuleLibrary.from_folder(RULES).get("city-calendar"))
    assert [len(city.holidays_in(year)) for year in range(2025, 2032)] == [12, 12, 13, 11, 12, 12, 12]
    assert city.holiday(date(2031, 12, 25)) == "Christmas Day" and not city.is_shutoff_day(date(2031, 12, 24))


def test_shutoff_days_and_due_dates_across_the_year_boundary():
    """December 2027 into January 2028: Christmas observed Friday the 24th, New Year's Day Friday the 31st."""
    assert CITY.shutoff_bars(date(2027, 12, 30)) == [
        "2027-12-30 is the office day before a holiday (New Year's Day (observed))"]
    assert CITY.next_shutoff_day(date(2027, 12, 29)) == date(2028, 1, 3)
    assert CITY.next_office_day(date(2027, 12, 23)) == date(2027, 12, 27)
    steps = evaluate(CITY.doc, {"cycle": "X", "period": "2027-12"}, date(2027, 12, 1)).to_json()
    assert steps["steps"]["bill"] == "2027-12-10" and steps["steps"]["due"] == "2028-01-03"
    assert "[2027-12-31 is a holiday (New Year's Day (observed)); 2027-12-31 is a Friday" not in steps["details"]["due"]
    assert "[2027-12-31 is a holiday (New Year's Day (observed))], rolled to the next office day 2028-01-03" \
        in steps["details"]["due"]
    # A bill whose due date is Christmas Day, 2030 (a Wednesday) is due on Thursday the 26th.
    christmas = evaluate(load_document(YEARLY.replace("bill_day: 10", "bill_day: 4"), "x.yaml"),
                         {"cycle": "X", "period": "2030-12"}, date(2030, 12, 1)).to_json()
    assert christmas["steps"]["due"] == "2030-12-26"


def test_which_version_decides_a_day_and_a_listed_one_off_beside_the_yearly_ones():
    """From 2028-07-01 Veterans Day is observed only on a Sunday; a one-off closure is listed beside the rules."""
    later = YEARLY + """\
  - effective: 2028-07-01
    closed_weekdays: [sat, sun]
    holidays_observed: {sat: fri, sun: mon}
    yearly_holidays:
      veterans_day: {name: Veterans Day, month: 11, day: 11, observed: {sun: mon}}
      independence_day: {name: Independence Day, month: 7, day: 4}
    holidays:
      2028-07-04: Independence Day and the city's 150th birthday
      2028-08-01: Closed for the move to the new City Hall
"""
    city = CityCalendar(load_document(later, "x.yaml"))
    assert city.holiday(date(2027, 11, 11)) == "Veterans Day"
    assert city.holiday(date(2028, 11, 10)) is None  # a Saturday holiday stays on Saturday under the new version
    assert city.holiday(date(2028, 11, 11)) == "Veterans Day"
    assert city.holiday(date(2028, 5, 29)) == "Memorial Day"  # the first version is in force until June 30
    assert city.holiday(date(2028, 9, 4)) is None  # Labor Day is not a holiday of the second version
    assert city.holiday(date(2028, 7, 4)) == "Independence Day and the city's 150th birthday"  # the listed name wins
    assert city.holiday(date(2028, 8, 1)) == "Closed for the move to the new City Hall"
    assert [str(w).split(": ", 1)[1] for w in lint_document(city.doc)] == [
        "versions[1].holidays.2028-07-04: holiday 2028-07-04 is also a yearly holiday of this version "
        "(Independence Day); the name listed here is the one shown"]
    both = city.holidays_in(2028)
    assert both[date(2028, 5, 29)] == "Memorial Day" and date(2028, 9, 4) not in both and len(both) == 8


def test_rules_eval_lists_a_years_holidays_and_refuses_a_year_it_cannot_answer():
    shown = evaluate(CITY.doc, {"holidays": 2027}, date(2026, 12, 1)).to_json()
    lines = calendar_lines(shown)
    assert lines[0] == "  holidays of 2027: 13" and "    2027-07-05 Mon  Independence Day (observed)" in lines
    for year in ("2027", 1899, 2200, True):
        with pytest.raises(FactError, match="holidays: .* is not a year from 1900 to 2199"):
            evaluate(CITY.doc, {"holidays": year}, date(2026, 12, 1))


def test_two_holidays_on_one_day_are_one_holiday_named_by_both():
    text = YEARLY.replace("      christmas_day:", "      christmas_eve: {name: Christmas Eve, after: christmas_day, "
                          "days: -1}\n      christmas_day:")
    city = CityCalendar(load_document(text, "x.yaml"))
    assert city.holiday(date(2027, 12, 24)) == "Christmas Eve; Christmas Day (observed)"
    assert city.holiday(date(2022, 12, 23)) == "Christmas Eve (observed)"


@pytest.mark.parametrize("year, days", [
    (2021, {"2021-12-23": "Christmas Eve (observed)", "2021-12-24": "Christmas Day (observed)",
            "2021-12-30": "New Year's Eve (observed)", "2021-12-31": "New Year's Day (observed)"}),
    (2022, {"2022-12-23": "Christmas Eve (observed)", "2022-12-26": "Christmas Day (observed)",
            "2022-12-30": "New Year's Eve (observed)"}),
    (2026, {"2026-12-24": "Christmas Eve", "2026-12-25": "Christmas Day", "2026-12-31": "New Year's Eve"}),
    (2027, {"2027-12-23": "Christmas Eve (observed)", "2027-12-24": "Christmas Day (observed)",
            "2027-12-30": "New Year's Eve (observed)", "2027-12-31": "New Year's Day (observed)"}),
    (2032, {"2032-12-23": "Christmas Eve (observed)", "2032-12-24": "Christmas Day (observed)",  # Christmas on a Saturday
            "2032-12-30": "New Year's Eve (observed)", "2032-12-31": "New Year's Day (observed)"}),
])
def test_a_holiday_whose_day_is_taken_moves_to_the_office_day_before(year, days):
    """Christmas Eve and New Year's Eve `if_taken: before`: a Friday taken by Christmas Day (or by the next year's
    New Year's Day) observed there moves them to Thursday, as cities publish them."""
    text = YEARLY.replace("      christmas_day:", "      christmas_eve: {name: Christmas Eve, month: 12, day: 24, "
                          "if_taken: before}\n      new_years_eve: {name: New Year's Eve, month: 12, day: 31, "
                          "if_taken: before}\n      christmas_day:")
    city = CityCalendar(load_document(text, "x.yaml"))
    found = {day.isoformat(): city.holiday(day) for day in (date(year, 12, 1) + timedelta(n) for n in range(31))}
    assert {day: name for day, name in found.items() if name} == days
    assert not any(city.is_office_day(date.fromisoformat(day)) for day in days)


def test_a_holiday_moved_after_skips_closed_weekdays_and_other_holidays():
    """`if_taken: after` moves forward past the weekend and past another holiday's day."""
    text = YEARLY.replace("      christmas_day:", "      boxing_day: {name: Boxing Day, month: 12, day: 26, "
                          "observed: {}, if_taken: after}\n      christmas_day:")
    city = CityCalendar(load_document(text, "x.yaml"))
    # 2027: Christmas is a Saturday (observed Friday 24th); Boxing Day on Sunday 26th is free: kept on its day.
    assert city.holiday(date(2027, 12, 26)) == "Boxing Day"
    # 2032: Christmas on Saturday, observed Friday the 24th; Boxing Day on Sunday: not taken either.
    assert city.holiday(date(2032, 12, 26)) == "Boxing Day"
    # 2022: Christmas on Sunday, observed Monday 26th: Boxing Day's own day is taken, so Tuesday 27th.
    assert city.holiday(date(2022, 12, 26)) == "Christmas Day (observed)"
    assert city.holiday(date(2022, 12, 27)) == "Boxing Day (observed)"
    # 2026: Christmas on Friday, Boxing Day Saturday (kept on its day: observed {}), no day taken.
    assert city.holiday(date(2026, 12, 26)) == "Boxing Day"


def test_if_taken_is_before_or_after():
    assert any("if_taken" in error and "before" in error for error in refused(
        ("{name: Christmas Day, month: 12, day: 25}", "{name: Christmas Day, month: 12, day: 25, if_taken: first}")))


def refused(replace: tuple[str, str], where: str = "") -> list[str]:
    """The errors of YEARLY with one change."""
    with pytest.raises(DocumentErrors) as raised:
        load_document(YEARLY.replace(*replace), "yearly-calendar.yaml")
    return [str(error) for error in raised.value.errors]


@pytest.mark.parametrize("change, message", [
    (("{sat: fri, sun: mon}", "{sat: fry, sun: mon}"),
     'yearly-calendar.yaml:7: versions[0].holidays_observed.sat: expected a weekday: mon, tue, wed, thu, fri, sat or '
     'sun, found the text "fry"'),
    (("weekdays: [thu]", "weekdays: [thursday]"),
     "yearly-calendar.yaml:18: versions[0].yearly_holidays.thanksgiving.weekdays[0]: expected a weekday: mon, tue, "
     'wed, thu, fri, sat or sun, found the text "thursday"'),
    (("weekdays: [mon], nth: [-1]", "weekdays: [mon], nth: [5]"),
     "yearly-calendar.yaml:13: versions[0].yearly_holidays.memorial_day.nth: nth 5: not every month has a fifth of a "
     "weekday; a holiday every year is 1 to 4 (the first to the fourth) or -1 to -4 (the last to the fourth to last)"),
    (("weekdays: [mon], nth: [-1]", "weekdays: [mon], nth: [0]"),
     "yearly-calendar.yaml:13: versions[0].yearly_holidays.memorial_day.nth: nth counts from 1 (the first) or from -1 "
     "(the last); 0 is neither"),
    (("weekdays: [mon], nth: [-1]", "weekdays: [mon], nth: [9]"),
     "yearly-calendar.yaml:13: versions[0].yearly_holidays.memorial_day.nth[0]: must be at most 5, not 9"),
    (("{name: Cesar Chavez Day, month: 3, day: 31}", "{name: Cesar Chavez Day, month: 2, day: 30}"),
     "yearly-calendar.yaml:12: versions[0].yearly_holidays.cesar_chavez_day.day: month 2 has no day 30 in any year"),
    (("after: thanksgiving", "after: thanksgivng"),
     "yearly-calendar.yaml:19: versions[0].yearly_holidays.day_after_thanksgiving.after: no yearly holiday named "
     '"thanksgivng" (this version\'s yearly holidays: new_years_day, martin_luther_king_day, presidents_day, '
     "cesar_chavez_day, memorial_day, juneteenth, independence_day, labor_day, veterans_day, thanksgiving, "
     "christmas_day)"),
    (("after: thanksgiving", "after: day_after_thanksgiving"),
     "yearly-calendar.yaml:19: versions[0].yearly_holidays.day_after_thanksgiving.after: day_after_thanksgiving "
     "cannot be counted from itself"),
    (("after: thanksgiving, days: 1", "after: thanksgiving, days: 0"),
     "yearly-calendar.yaml:19: versions[0].yearly_holidays.day_after_thanksgiving.days: days: 0 is the day of "
     "thanksgiving itself; count at least one day"),
    (("after: thanksgiving, days: 1", "after: thanksgiving"),
     "yearly-calendar.yaml:19: versions[0].yearly_holidays.day_after_thanksgiving: after goes with days: "
     "{after: thanksgiving, days: 1} is the day after Thanksgiving"),
    (("after: thanksgiving, days: 1", "after: thanksgiving, days: 40"),
     "yearly-calendar.yaml:19: versions[0].yearly_holidays.day_after_thanksgiving.days: must be at most 31, not 40"),
    (("{name: Labor Day, month: 9, weekdays: [mon], nth: [1]}", "{name: Labor Day, month: 9, weekdays: [mon, tue], "
                                                                 "nth: [1]}"),
     "yearly-calendar.yaml:16: versions[0].yearly_holidays.labor_day: a yearly holiday is one day a year: one weekday "
     "and one nth (weekdays: [mon], nth: [3] is the third Monday)"),
    (("{name: Labor Day, month: 9, weekdays: [mon], nth: [1]}", "{name: Labor Day, weekdays: [mon], nth: [1]}"),
     "yearly-calendar.yaml:16: versions[0].yearly_holidays.labor_day: a yearly holiday names its month (month: 7 for "
     "July), or the holiday it is counted from (after: thanksgiving, days: 1)"),
    (("{name: Labor Day, month: 9, weekdays: [mon], nth: [1]}", "{name: Labor Day, month: 9, weekdays: [mon]}"),
     "yearly-calendar.yaml:16: versions[0].yearly_holidays.labor_day: weekdays and nth go together: nth: [1, 3] is the "
     "first and third of each weekday"),
    (("{name: Independence Day, month: 7, day: 4}", "{name: Independence Day, month: 7, day: 4, days: 1}"),
     "yearly-calendar.yaml:15: versions[0].yearly_holidays.independence_day.days: days goes with after: the days "
     "counted from another yearly holiday"),
    (("{name: Independence Day, month: 7, day: 4}", "{name: Independence Day, month: 7, day: 4, observed: {sun: sun}}"),
     "yearly-calendar.yaml:15: versions[0].yearly_holidays.independence_day.observed.sun: sun: sun keeps the holiday "
     "on its own day; leave sun out"),
    (("      juneteenth:", "      Juneteenth:"),
     'yearly-calendar.yaml:14: versions[0].yearly_holidays.Juneteenth: the key "Juneteenth" is not valid here: '
     "expected a name of lower-case letters, digits and _ (at most 40, starting with a letter)"),
])
def test_a_yearly_holiday_that_cannot_be_meant_is_refused_by_key_and_line(change, message):
    assert message in refused(change)


def test_a_circle_of_holidays_is_refused_for_each_of_them():
    errors = refused(("{name: Thanksgiving Day, month: 11, weekdays: [thu], nth: [4]}",
                      "{name: Thanksgiving Day, after: day_after_thanksgiving, days: -1}"))
    assert errors == [
        "yearly-calendar.yaml:18: versions[0].yearly_holidays.thanksgiving.after: the holidays are counted from each "
        "other in a circle: thanksgiving -> day_after_thanksgiving -> thanksgiving",
        "yearly-calendar.yaml:19: versions[0].yearly_holidays.day_after_thanksgiving.after: the holidays are counted "
        "from each other in a circle: day_after_thanksgiving -> thanksgiving -> day_after_thanksgiving"]


def test_more_than_fifty_yearly_holidays_are_refused():
    many = "".join(f"      day_{n}: {{month: 1, day: {n % 28 + 1}}}\n" for n in range(51))
    text = YEARLY.replace("    yearly_holidays:\n", "    yearly_holidays:\n" + many)
    with pytest.raises(DocumentErrors) as raised:
        load_document(text, "yearly-calendar.yaml")
    assert [str(e) for e in raised.value.errors] == [
        "yearly-calendar.yaml:8: versions[0].yearly_holidays: at most 50 entries, found 63"], raised.value.errors
