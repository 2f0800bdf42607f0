"""A hearing on delinquent charges set from the council's recurring meetings, the notice dated back from it:
a new calendar document and a new workflow, both published through the store, no Python.

The council's meetings are Claremore, OK's: Code of Ordinances § 2-102(A), "a regular meeting at 6:00 p.m. on
every first and every third Monday of every month; provided that, if such a Monday falls on a holiday, the
regular meeting shall be held at that time on the next day which is not a holiday". The notice period is
Seattle, WA's for an assessment roll hearing: Municipal Code § 20.04.070(A), notice mailed "at least fifteen
(15) days before the date fixed for such hearing". (Two cities' rules joined in one scenario; neither source
sets both.)
"""
from __future__ import annotations

from datetime import date

import pytest

from tests.policies.town import Town, town

PUBLISHED = date(2026, 8, 1)
COUNCIL = """\
id: council-meetings
kind: calendar
title: Regular council meetings
department: finance
description: >-
  The council meets on the first and third Monday of each month; when the Monday is a holiday, on the next day
  that is not.
versions:
  - effective: 2026-08-01
    reference: "Claremore Code of Ordinances § 2-102(A)"
    closed_weekdays: [sat, sun]
    holidays: {2026-09-07: Labor Day, 2026-11-26: Thanksgiving, 2026-12-25: Christmas, 2027-01-18: Martin Luther King Jr. Day}
    recurring:
      council_meetings: {every: month, weekdays: [mon], nth: [1, 3], roll: office_day}
"""
HEARINGS = """\
id: assessment-hearing
title: Delinquent charges heard by the council before the assessment roll
subject: utility_account
version: 1
initial: listed
states:
  listed: {label: Listed for the assessment roll}
  noticed: {label: Hearing set and notice due}
  heard: {label: Heard by the council, final: true}
transitions:
  - id: set_hearing
    label: Set the hearing at the first council meeting the notice period allows
    from: listed
    to: noticed
    roles: [supervisor]
    actions:
      - set:
          hearing_on: {calendar: council-meetings, next: council_meetings, lead_days: 15}
          notice_by: {from: hearing_on, days: -15}
  - id: record_hearing
    label: Record the council's decision
    from: noticed
    to: heard
    roles: [supervisor]
    due: hearing_on
"""


@pytest.fixture()
def city(db) -> Town:
    """The council's meetings and the hearing workflow published from 2026-08-01."""
    city = town(db, PUBLISHED)
    city.publish(COUNCIL)
    city.publish_workflow(HEARINGS)
    return city


@pytest.mark.parametrize("set_on, hearing, notice_by", [
    # 15 days on is Friday 2026-09-04; the first Monday of September is Labor Day: the meeting is Tuesday 09-08.
    (date(2026, 8, 20), date(2026, 9, 8), date(2026, 8, 24)),
    # 15 days on is 2026-09-09, past the Labor Day meeting: the third Monday, 09-21.
    (date(2026, 8, 25), date(2026, 9, 21), date(2026, 9, 6)),
    # January 2027: the first Monday 01-04 is too soon; the third is MLK Day, so Tuesday 01-19.
    (date(2026, 12, 22), date(2027, 1, 19), date(2027, 1, 4)),
])
def test_the_hearing_is_the_first_council_meeting_fifteen_days_on_and_the_notice_fifteen_days_before(
        city, set_on, hearing, notice_by):
    case = city.open_case("assessment-hearing", city.account(), set_on)
    city.take(case, "set_hearing", "sam", set_on)
    assert (case.fields["hearing_on"], case.fields["notice_by"]) == (hearing.isoformat(), notice_by.isoformat())
