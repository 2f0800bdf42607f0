"""Dates from the night a notice goes out, never from the past: the delinquency workflow taken late.

The account is in cycle B, its April 2026 bill due 2026-04-29. On time, the reminder goes out
with the late fee on 2026-04-30 and names the shut-off notice day of the timeline, 2026-06-18;
the shut-off notice names the door hanger (7 office days on) and the shut-off (2 days after,
on a shut-off day). Taken late, every one of those dates is counted again from the day the
notice is mailed, and the case's history says so.
"""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from engine.rules.calendar import city_calendar
from engine.rules.library import RuleLibrary
from engine.rules.loader import load_document
from engine.store.models import LedgerEntry, Notice
from engine.workflow import services
from engine.workflow.definitions import WorkflowSet, load_workflow
from engine.workflow.night import Night
from engine.workflow.runtime import StepRefused
from engine.workflow.values import set_value
from tests.workflow.conftest import REPO, at, pay
from tests.workflow.test_delinquency import account, case, take, walk_to_door_hanger  # noqa: F401 (fixtures)


def done_of(event) -> list[dict]:
    """What a step's actions did, as its case event records it."""
    return next(entry["done"] for entry in event.explanation if entry["guard"] == "actions")


def test_a_reminder_mailed_three_days_late_moves_the_shutoff_notice_three_days(db, catalog, case):
    """Mailed on 05-03, not 04-30: the bill counts as due 05-02, the shut-off notice is 50 days on, rolled to 06-22."""
    event = take(db, catalog, case, "mail_reminder", "sweep:delinquency", date(2026, 5, 3))
    assert case.fields["shutoff_notice_on"] == "2026-06-22"
    [moved] = [d for d in done_of(event) if d.get("re_dated")]
    assert moved["field"] == "shutoff_notice_on"
    assert moved["re_dated"] == ("the timeline's shutoff_notice for 2026-04 is 2026-06-18; with its late_fee "
                                 "taken on 2026-05-03 it is 2026-06-22")
    reminder = db.scalars(select(Notice).where(Notice.case_id == case.id)).one()
    assert (reminder.data["notice_date"], reminder.data["due_date"]) == ("2026-05-03", "2026-06-22")


def test_on_time_nothing_is_re_dated(db, catalog, case):
    """The reminder on the late-fee day names the timeline's own shut-off notice day, and says nothing more."""
    event = take(db, catalog, case, "mail_reminder", "sweep:delinquency", date(2026, 4, 30))
    assert case.fields["shutoff_notice_on"] == "2026-06-18"
    assert not [d for d in done_of(event) if d.get("re_dated")]


def test_a_shutoff_notice_mailed_months_late_gives_the_full_notice_from_that_day(db, catalog, case):
    """Mailed 2026-12-01 instead of 06-18: door hanger 7 office days on (12-10), shut-off 2 days after on a shut-off
    day (Saturday 12-12, so Monday 12-14); the notice lapses 30 days after the shut-off date."""
    take(db, catalog, case, "mail_reminder", "sweep:delinquency", date(2026, 4, 30))
    event = take(db, catalog, case, "mail_shutoff_notice", "sweep:delinquency", date(2026, 12, 1))
    assert (case.fields["door_hanger_on"], case.fields["shutoff_on"], case.fields["notice_lapses_on"]) == (
        "2026-12-10", "2026-12-14", "2027-01-13")
    assert {d["field"] for d in done_of(event) if d.get("re_dated")} == {"door_hanger_on", "shutoff_on"}
    notice = db.scalars(select(Notice).where(Notice.case_id == case.id, Notice.notice_type == "shutoff-notice")).one()
    assert (notice.data["due_date"], notice.data["shutoff_date"]) == ("2026-12-13", "2026-12-14")


def test_a_case_whose_notice_lapsed_is_taken_back_by_the_workflow_not_released(db, catalog, case):
    """Door hanger posted, then no sweep until 2026-08-10, past the notice's lapse (shut-off 07-06 + 30 days):
    restart_notice takes the case back and a new shut-off notice goes out; it is never released on the old one."""
    walk_to_door_hanger(db, catalog, case)
    assert case.fields["notice_lapses_on"] == "2026-08-05"
    late = date(2026, 8, 10)
    events = services.advance(db, catalog, case.id, sweep="delinquency", on=late, now=at(late))
    assert [(e.step, e.from_state, e.to_state) for e in events] == [
        ("restart_notice", "door_hanger", "reminded"), ("mail_shutoff_notice", "reminded", "shutoff_notice")]
    assert (case.fields["door_hanger_on"], case.fields["shutoff_on"]) == ("2026-08-19", "2026-08-24")


def test_before_the_lapse_the_case_goes_on_to_the_shutoff(db, catalog, case):
    """On the shut-off day itself the notice stands: the case is released, not taken back."""
    walk_to_door_hanger(db, catalog, case)
    events = services.advance(db, catalog, case.id, sweep="delinquency", on=date(2026, 7, 6), now=at(date(2026, 7, 6)))
    assert [e.step for e in events] == ["ready_for_shutoff"]


SECOND_NOTICES = """
id: second-notices
title: A second notice printing the date the first one set
subject: utility_account
version: 1
initial: open
states:
  open:    {label: Open}
  first:   {label: First notice mailed}
  second:  {label: Second notice mailed, final: true}
  done:    {label: Done, final: true}
transitions:
  - id: first_notice
    from: open
    to: first
    by: sweep
    actions:
      - set: {pay_by: {calendar: city-calendar, days: 14, roll: office_day}}
      - notice: lien-intent
  - id: second_notice
    from: first
    to: second
    by: sweep
    actions:
      - notice: lien-intent
  - id: dated_by_the_bill
    from: open
    to: done
    roles: [clerk]
    actions:
      - set: {pay_by: {calendar: city-calendar, step: due}}
      - notice: lien-intent
"""


@pytest.fixture()
def second_notices(catalog) -> services.Catalog:
    """The sample city's rules with a workflow whose second notice prints the first one's pay-by date."""
    workflow = load_workflow(SECOND_NOTICES, "second-notices.yaml", catalog.rules)
    return services.Catalog(catalog.rules, WorkflowSet({**{w.key: w for w in catalog.workflows},
                                                        workflow.key: workflow}))


def test_a_stored_date_already_past_is_re_dated_by_the_step_that_set_it(db, second_notices, account):
    """The first notice (05-01) says pay by 05-15; the second goes out 06-01: pay by is counted again from 06-01
    by the first step's own rule (14 days, on an office day): 06-15, and the case event says so."""
    catalog = second_notices
    case = services.open_case(db, catalog, "second-notices", account.id, actor="sweep:delinquency",
                              on=date(2026, 5, 1), now=at(date(2026, 5, 1)))
    take(db, catalog, case, "first_notice", "sweep:delinquency", date(2026, 5, 1))
    assert case.fields["pay_by"] == "2026-05-15"
    event = take(db, catalog, case, "second_notice", "sweep:delinquency", date(2026, 6, 1))
    assert case.fields["pay_by"] == "2026-06-15"
    [redated] = [d for d in done_of(event) if d["action"] == "re_date"]
    assert (redated["field"], redated["was"], redated["value"]) == ("pay_by", "2026-05-15", "2026-06-15")
    assert "was past on 2026-06-01, when the lien-intent is mailed" in redated["why"]
    notices = db.scalars(select(Notice).where(Notice.case_id == case.id).order_by(Notice.id)).all()
    assert [n.data["due_date"] for n in notices] == ["2026-05-15", "2026-06-15"]


def test_a_notice_that_would_print_a_past_date_is_refused(db, second_notices, account):
    """A pay-by date taken from the bill's due date (04-29), mailed 06-01: the step is refused, nothing is kept."""
    catalog = second_notices
    case = services.open_case(db, catalog, "second-notices", account.id, actor="carla", on=date(2026, 6, 1),
                              now=at(date(2026, 6, 1)), fields={"period": "2026-04"})
    with pytest.raises(StepRefused) as refused:
        take(db, catalog, case, "dated_by_the_bill", "carla", date(2026, 6, 1))
    assert refused.value.reasons == [
        "the lien-intent would print due date 2026-04-29, before the day it is mailed (2026-06-01); the case is too "
        "far behind to act on lawfully"]
    assert case.state == "open" and not db.scalars(select(Notice).where(Notice.case_id == case.id)).all()


def with_mailing(catalog, rule: str) -> RuleLibrary:
    """The sample city's rules, its calendar saying when a night's notices are mailed (`mailing:`)."""
    text = (REPO / "rules" / "calendar" / "city-calendar.yaml").read_text()
    text = text.replace("    cycles:\n", f"    mailing: {rule}\n    cycles:\n")
    calendar = load_document(text, "city-calendar.yaml")
    return RuleLibrary({**{doc.id: doc for doc in catalog.rules}, calendar.id: calendar})


FIVE_OFFICE_DAYS = {"calendar": "city-calendar", "office_days": 5, "roll": "shutoff_day"}


def test_both_readings_of_a_count_of_office_days_from_a_saturday_night(catalog):
    """A plan default found on Saturday night 2026-08-22. Counted from the night (the format's reading):
    Mon 24 .. Fri 28 is five office days, Friday is no shut-off day, so Monday 08-31. Counted from the day the
    notice is mailed: with `mailing: {office_days: 1}` that is Monday 08-24, and five office days on is 08-31;
    with `mailing: {office_days: 2}` Tuesday 08-25, and 09-01."""
    saturday = date(2026, 8, 22)
    night = set_value(catalog.rules, FIVE_OFFICE_DAYS, saturday, {}, [])
    assert night == date(2026, 8, 31)
    next_day = with_mailing(catalog, "{office_days: 1}")
    assert city_calendar(next_day.get("city-calendar")).mailing_day(saturday) == date(2026, 8, 24)
    assert set_value(next_day, FIVE_OFFICE_DAYS, saturday, {}, []) == date(2026, 8, 31)  # no counted_from: the night
    assert set_value(next_day, {**FIVE_OFFICE_DAYS, "counted_from": "mailing"}, saturday, {}, []) == date(2026, 8, 31)
    second_day = with_mailing(catalog, "{office_days: 2}")
    assert set_value(second_day, {**FIVE_OFFICE_DAYS, "counted_from": "mailing"}, saturday, {}, []) == date(2026, 9, 1)


def test_both_readings_differ_on_an_office_day(catalog):
    """Found on Tuesday 2026-08-18: from the night, Wed .. Tue is five office days, 08-25; mailed the next office
    day (Wednesday), five office days on is Wednesday 08-26."""
    tuesday = date(2026, 8, 18)
    assert set_value(catalog.rules, FIVE_OFFICE_DAYS, tuesday, {}, []) == date(2026, 8, 25)
    next_day = with_mailing(catalog, "{office_days: 1}")
    assert set_value(next_day, {**FIVE_OFFICE_DAYS, "counted_from": "mailing"}, tuesday, {}, []) == date(2026, 8, 26)
    same_day = with_mailing(catalog, "{days: 0, roll: office_day}")
    assert set_value(same_day, {**FIVE_OFFICE_DAYS, "counted_from": "mailing"}, tuesday, {}, []) == date(2026, 8, 25)


PENALTY_ONLY = """
id: penalty-only
title: A sweep step that posts a fee and mails nothing
subject: utility_account
version: 1
initial: open
states:
  open:     {label: Open}
  charged:  {label: Penalty posted}
  paid:     {label: Paid, final: true}
transitions:
  - id: post_penalty
    from: open
    to: charged
    by: sweep
    when: {fact: days_past_due, gte: 1}
    actions:
      - fee: late-fee
  - id: paid
    from: [open, charged]
    to: paid
    by: sweep
    when: {fact: past_due_balance, lte: 0}
"""


@pytest.fixture()
def penalty_only(catalog) -> services.Catalog:
    """The sample city's rules with a workflow whose sweep step posts the late fee without a letter."""
    workflow = load_workflow(PENALTY_ONLY, "penalty-only.yaml", catalog.rules)
    return services.Catalog(catalog.rules, WorkflowSet({**{w.key: w for w in catalog.workflows},
                                                        workflow.key: workflow}))


def test_a_night_caught_up_posts_no_fee_even_from_a_step_that_mails_nothing(db, penalty_only, account):
    """Caught up on 05-03, the night of 05-01 holds the fee-only step and says why; 05-03 itself posts it, dated
    05-03. A step that mails nothing and posts nothing (paid) is still taken as of its night."""
    catalog, night = penalty_only, date(2026, 5, 1)
    case = services.open_case(db, catalog, "penalty-only", account.id, actor="sweep:delinquency", on=night,
                              now=at(night))
    held = services.advance_night(db, catalog, case.id, sweep="delinquency", night=Night(night, date(2026, 5, 3)),
                                  on=night, now=at(date(2026, 5, 3)))
    assert held.events == [] and case.state == "open"
    assert (held.held.kind, held.held.reason) == ("caught_up", (
        "post penalty not taken: it posts a fee (Late payment penalty on utility bills), and May 1, 2026 is a night "
        "caught up on May 3, 2026; tonight's run posts it as of tonight"))
    assert not db.scalars(select(LedgerEntry).where(LedgerEntry.account_id == account.id,
                                                    LedgerEntry.kind == "fee")).all()
    tonight = date(2026, 5, 3)
    done = services.advance_night(db, catalog, case.id, sweep="delinquency", night=Night(tonight, tonight),
                                  on=tonight, now=at(tonight))
    assert [e.step for e in done.events] == ["post_penalty"] and done.held is None
    [fee] = db.scalars(select(LedgerEntry).where(LedgerEntry.account_id == account.id, LedgerEntry.kind == "fee"))
    assert fee.effective_on == tonight
    pay(db, account.id, "200.00", on=date(2026, 5, 4))
    paid = services.advance_night(db, catalog, case.id, sweep="delinquency", night=Night(date(2026, 5, 5),
                                                                                          date(2026, 5, 7)),
                                  on=date(2026, 5, 5), now=at(date(2026, 5, 7)))
    assert [(e.step, e.on_date) for e in paid.events] == [("paid", date(2026, 5, 5))] and paid.held is None
