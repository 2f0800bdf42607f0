"""Dates from the calendar: recurring dates (the first and third Monday), due dates on a day of a later month.

The calendar below is the shape of a city whose council meets on the first and third Monday
of each month (moved to the next office day when it falls on a holiday), holds its budget
hearing on the last Tuesday of June, closes its tax roll on August 10 and makes a bill due on
the 5th of the month after it is mailed.
"""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, strategies as st

from engine.rules.calendar import CityCalendar, nth_weekday
from engine.rules.errors import DocumentErrors, EvaluationError
from engine.rules.library import RuleLibrary
from engine.rules.loader import load_document

COUNCIL = """\
id: council-calendar
kind: calendar
title: Council calendar
versions:
  - effective: 2026-01-01
    closed_weekdays: [sat, sun]
    holidays: {2026-05-25: Memorial Day, 2026-09-07: Labor Day, 2027-01-18: Martin Luther King Jr. Day}
    cycles: {A: {bill_day: 31}, B: {bill_day: 15}}
    timeline:
      due: {after: bill, months: 1, day: 5, roll: office_day}
    recurring:
      council_meetings: {every: month, weekdays: [mon], nth: [1, 3], roll: office_day}
      budget_hearing: {every: year, month: 6, weekdays: [tue], nth: [-1]}
      tax_roll_closes: {every: year, month: 8, day: 10}
      month_end_review: {every: month, day: 31}
"""


def council() -> CityCalendar:
    """The council's calendar, compiled."""
    return CityCalendar(load_document(COUNCIL, "council-calendar.yaml"))


def test_the_first_and_third_monday_and_a_monday_holiday_moves_to_tuesday():
    city = council()
    assert city.occurrences("council_meetings", 2026, 5) == [date(2026, 5, 4), date(2026, 5, 18)]
    assert city.occurrences("council_meetings", 2026, 9) == [date(2026, 9, 8), date(2026, 9, 21)]  # Labor Day
    assert city.next_recurring("council_meetings", date(2026, 5, 5)) == date(2026, 5, 18)
    assert city.next_recurring("council_meetings", date(2026, 5, 18)) == date(2026, 5, 18)  # on the day: that day
    assert city.next_recurring("council_meetings", date(2026, 5, 19)) == date(2026, 6, 1)


def test_the_first_council_monday_in_may_from_any_day_of_the_year():
    city = council()
    assert city.next_recurring("council_meetings", date(2026, 1, 10), month=5) == date(2026, 5, 4)
    assert city.next_recurring("council_meetings", date(2026, 5, 19), month=5) == date(2027, 5, 3)
    assert city.next_recurring("council_meetings", date(2026, 5, 5), month=5) == date(2026, 5, 18)
    assert city.next_recurring("council_meetings", date(2026, 5, 5), month=5, nth=1) == date(2027, 5, 3)
    assert city.next_recurring("council_meetings", date(2026, 1, 1), month=5, nth=-1) == date(2026, 5, 18)


def test_yearly_dates_last_weekday_and_a_day_past_the_month_end():
    city = council()
    assert city.next_recurring("budget_hearing", date(2026, 3, 1)) == date(2026, 6, 30)
    assert city.next_recurring("tax_roll_closes", date(2026, 8, 11)) == date(2027, 8, 10)
    assert city.occurrences("month_end_review", 2026, 2) == [date(2026, 2, 28)]
    assert city.occurrences("month_end_review", 2028, 2) == [date(2028, 2, 29)]


def test_a_recurring_date_the_calendar_does_not_name_is_refused_with_the_names_it_has():
    with pytest.raises(EvaluationError, match="has no recurring date named 'hearings'.*budget_hearing"):
        council().next_recurring("hearings", date(2026, 1, 1))


def test_a_due_date_on_the_fifth_of_the_next_month_rolled_to_an_office_day():
    library = RuleLibrary.from_documents([load_document(COUNCIL, "council-calendar.yaml")])
    january = library.evaluate("council-calendar", {"cycle": "A", "period": "2026-01"}, date(2026, 1, 1)).to_json()
    assert january["steps"] == {"bill": "2026-01-31", "due": "2026-02-05"}
    march = library.evaluate("council-calendar", {"cycle": "A", "period": "2026-03"}, date(2026, 3, 1)).to_json()
    assert march["steps"]["due"] == "2026-04-06"  # April 5, 2026 is a Sunday
    assert "day 5 of the month 1 month later = 2026-04-05" in march["details"]["due"]
    december = library.evaluate("council-calendar", {"cycle": "B", "period": "2026-12"}, date(2026, 12, 1)).to_json()
    assert december["steps"] == {"bill": "2026-12-15", "due": "2027-01-05"}


def test_rules_eval_answers_the_next_recurring_date():
    library = RuleLibrary.from_documents([load_document(COUNCIL, "council-calendar.yaml")])
    shown = library.evaluate("council-calendar", {"recurring": "council_meetings", "from": "2026-05-05", "month": 5},
                             date(2026, 3, 1)).to_json()
    assert (shown["falls_on"], shown["from"], shown["month"]) == ("2026-05-18", "2026-05-05", 5)


@pytest.mark.parametrize("recurring, message", [
    ("{every: month, weekdays: [mon]}", "weekdays and nth go together"),
    ("{every: month, day: 5, weekdays: [mon], nth: [1]}", "either day (a day of the month) or weekdays with nth, not both"),
    ("{every: month}", "either day (a day of the month) or weekdays with nth"),
    ("{every: year, day: 5}", "a date every year names its month (month: 5 for May)"),
    ("{every: month, month: 5, day: 5}", "a date every month names no month"),
    ("{every: month, weekdays: [mon], nth: [0]}", "nth counts from 1 (the first) or from -1 (the last)"),
    ("{every: week, day: 5}", "every"),
])
def test_a_recurring_date_that_cannot_be_meant_is_refused_by_name(recurring, message):
    text = COUNCIL.replace("{every: year, month: 8, day: 10}", recurring)
    with pytest.raises(DocumentErrors) as raised:
        load_document(text, "council-calendar.yaml")
    assert any("recurring.tax_roll_closes" in str(e) and message in str(e) for e in raised.value.errors), \
        [str(e) for e in raised.value.errors]


@pytest.mark.parametrize("step, message", [
    ("{after: bill, months: 1}", "a step counted in months names the day of that month (day: 5)"),
    ("{after: bill, day: 5, days: 3}", "day goes with months"),
    ("{after: bill, months: 1, day: 5, days: 3}", "a step has one of days, office_days or months with day"),
])
def test_a_due_step_in_months_needs_its_day_and_nothing_else(step, message):
    text = COUNCIL.replace("{after: bill, months: 1, day: 5, roll: office_day}", step)
    with pytest.raises(DocumentErrors) as raised:
        load_document(text, "council-calendar.yaml")
    assert any(message in str(e) for e in raised.value.errors), [str(e) for e in raised.value.errors]


@given(st.integers(2000, 2099), st.integers(1, 12), st.integers(0, 6), st.sampled_from([1, 2, 3, 4, 5, -1, -2, -5]))
def test_nth_weekday_matches_counting_the_days_of_the_month(year, month, weekday, n):
    days = [date(year, month, d) for d in range(1, 32) if _real(year, month, d)]
    matching = [d for d in days if d.weekday() == weekday]
    expected = (matching[n - 1] if n <= len(matching) else None) if n > 0 else \
        (matching[n] if -n <= len(matching) else None)
    assert nth_weekday(year, month, weekday, n) == expected


def _real(year: int, month: int, day: int) -> bool:
    """Whether the day exists."""
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


# --- a step's dates from the calendar: the hearing on the first council Monday in May, the notice 45 days before

HEARING_WORKFLOW = """\
id: tax-roll
title: Delinquent charges to the tax roll
subject: utility_account
version: 1
initial: listed
states:
  listed: {label: Listed for the tax roll}
  noticed: {label: Hearing notice mailed}
  resolved: {label: Resolved, final: true}
transitions:
  - id: set_hearing
    from: listed
    to: noticed
    by: staff
    roles: [supervisor]
    actions:
      - set:
          hearing_on: {calendar: council-calendar, next: council_meetings, month: 5, nth: 1, lead_days: 45}
          notice_by: {from: hearing_on, days: -45}
          reply_by: {calendar: council-calendar, office_days: -10, from: hearing_on}
  - id: close
    from: noticed
    to: resolved
    by: staff
    roles: [supervisor]
"""


def _library() -> RuleLibrary:
    return RuleLibrary.from_documents([load_document(COUNCIL, "council-calendar.yaml")])


def test_the_hearing_is_the_first_may_council_monday_at_least_45_days_on_and_the_notice_45_days_before():
    from engine.workflow.values import set_value

    library = _library()
    spec = {"calendar": "council-calendar", "next": "council_meetings", "month": 5, "nth": 1, "lead_days": 45}
    consulted: list[dict[str, str]] = []
    assert set_value(library, spec, date(2026, 3, 1), {}, consulted) == date(2026, 5, 4)
    assert consulted == [{"rule": "council-calendar", "version": "2026-01-01"}]
    # On April 1 May 4 is only 33 days away: the notice could not go out 45 days before, so next May's.
    assert set_value(library, spec, date(2026, 4, 1), {}, []) == date(2027, 5, 3)
    facts = {"hearing_on": "2027-05-03"}
    assert set_value(library, {"from": "hearing_on", "days": -45}, date(2026, 4, 1), facts, []) == date(2027, 3, 19)
    back = {"calendar": "council-calendar", "office_days": -10, "from": "hearing_on"}
    assert set_value(library, back, date(2026, 4, 1), facts, []) == date(2027, 4, 19)
    with pytest.raises(EvaluationError, match="hearing_on is not set"):
        set_value(library, back, date(2026, 4, 1), {}, [])


def test_a_workflow_setting_the_hearing_from_the_calendar_loads():
    from engine.workflow.definitions import load_workflow

    workflow = load_workflow(HEARING_WORKFLOW, "tax-roll.yaml", _library())
    assert workflow.id == "tax-roll"


@pytest.mark.parametrize("value, message", [
    ("{calendar: council-calendar, next: hearings}", "council-calendar has no recurring date 'hearings'; its "
     "recurring dates: budget_hearing, council_meetings, month_end_review, tax_roll_closes"),
    ("{calendar: council-calendar, next: council_meetings, month: 13}", "expected a month number from 1 to 12"),
    ("{calendar: council-calendar, office_days: 3, month: 5}", "month goes with next"),
    ("{calendar: council-calendar, next: council_meetings, nth: 1}", "nth picks among a month's days"),
    ("{calendar: council-calendar, office_days: -3}", "add from: FIELD"),
    ("{calendar: council-calendar, next: council_meetings, days: 3}",
     "a calendar date has exactly one of days, office_days, step or next"),
    ("{calendar: council-calendar, step: due, from: hearing_on}", "from goes with days, office_days or next"),
])
def test_a_calendar_value_that_cannot_be_meant_is_refused_by_path(value, message):
    from engine.workflow.definitions import load_workflow

    text = HEARING_WORKFLOW.replace(
        "{calendar: council-calendar, next: council_meetings, month: 5, nth: 1, lead_days: 45}", value)
    with pytest.raises(DocumentErrors) as raised:
        load_workflow(text, "tax-roll.yaml", _library())
    assert any(message in str(e) and "hearing_on" in str(e) for e in raised.value.errors), \
        [str(e) for e in raised.value.errors]
