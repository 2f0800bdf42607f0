"""The delinquency workflow walked with the sample city's real calendar and rules.

The account is in cycle B: the April 2026 bill (mailed 2026-04-08) is due 2026-04-29. Its
timeline: shut-off notice 2026-06-18 (due + 50), door hanger 2026-06-30 (7 office days,
Juneteenth skipped), shut-off two days later, 2026-07-02 -- but that Thursday is the office
day before the Independence Day holiday (Friday 2026-07-03), then a weekend: the first
allowed shut-off day is Monday 2026-07-06.
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from engine.accounts.history import account_streams
from engine.money import ledger
from engine.store.models import AuditEntry, Bill, Case, LedgerEntry, Notice
from engine.workflow import services
from engine.workflow.model import SERVICE_OFF
from engine.workflow.runtime import StepRefused
from tests.factories import create_account, create_customer, print_notices
from tests.workflow.conftest import assert_every_step_audited, at, charge, pay

BILLED, DUE = date(2026, 4, 8), date(2026, 4, 29)


def take(db, catalog, case, step, user, on, **form):
    """Take a step on the version the user sees now."""
    return services.take_step(db, catalog, case.id, step, user=user, on=on, now=at(on), version=case.version,
                              form=form)


def refused(db, catalog, case, step, user, on, **form) -> list[str]:
    """The reasons a step is refused (it must be)."""
    with pytest.raises(StepRefused) as failure:
        take(db, catalog, case, step, user, on, **form)
    return failure.value.reasons


@pytest.fixture()
def account(db, staff):
    """A cycle B account owing the April bill of $120.00, due 2026-04-29."""
    account = create_account(db, cycle="B")
    charge(db, account.id, "120.00", on=BILLED, due_on=DUE)
    return account


@pytest.fixture()
def case(db, catalog, account):
    """The delinquency case the sweep opens the day after the due date."""
    on = DUE + timedelta(days=1)
    return services.open_case(db, catalog, "delinquency", account.id, actor="sweep:delinquency", on=on, now=at(on),
                              fields={"period": "2026-04"})


def fees(db, account_id) -> list[tuple[str, Decimal, str]]:
    """The fees posted to the account: description, amount, rule version."""
    rows = db.scalars(select(LedgerEntry).where(LedgerEntry.account_id == account_id, LedgerEntry.kind == "fee")
                      .order_by(LedgerEntry.id))
    return [(e.description, Decimal(e.amount_cents) / 100, e.rule_version) for e in rows]


def walk_to_door_hanger(db, catalog, case):
    """Reminder (late fee), shut-off notice on its timeline day, door hanger on its day."""
    take(db, catalog, case, "mail_reminder", "sweep:delinquency", date(2026, 4, 30))
    assert case.fields["shutoff_notice_on"] == "2026-06-18"
    assert refused(db, catalog, case, "mail_shutoff_notice", "sweep:delinquency", date(2026, 6, 17)) == [
        "not due until 2026-06-18 (shutoff_notice_on)"]
    take(db, catalog, case, "mail_shutoff_notice", "sweep:delinquency", date(2026, 6, 18))
    assert (case.fields["door_hanger_on"], case.fields["shutoff_on"]) == ("2026-06-30", "2026-07-06")
    [never_sent] = refused(db, catalog, case, "post_door_hanger", "carla", date(2026, 6, 30))
    assert never_sent.startswith("the Notice of Service Shut-Off of Jun 18, 2026") and "never mailed" in never_sent
    print_notices(db, case.id, date(2026, 6, 18))  # printed at the counter: it went out
    assert refused(db, catalog, case, "post_door_hanger", "carla", date(2026, 6, 29)) == [
        "not due until 2026-06-30 (door_hanger_on)"]
    take(db, catalog, case, "post_door_hanger", "carla", date(2026, 6, 30))


def test_shutoff_ready_only_on_the_first_allowed_shutoff_day(db, catalog, account, case):
    """Through notice and door hanger to the field shut-off (the reconnection fee charged), reconnection once the
    past-due balance and the fee are paid, and resolution."""
    walk_to_door_hanger(db, catalog, case)
    assert case.fields["shutoff_on"] == "2026-07-06"
    for day in (2, 3, 4, 5):  # before Independence Day, the holiday, the weekend
        assert refused(db, catalog, case, "ready_for_shutoff", "sweep:delinquency", date(2026, 7, day)) == [
            "not due until 2026-07-06 (shutoff_on)"]
    event = take(db, catalog, case, "ready_for_shutoff", "sweep:delinquency", date(2026, 7, 6))
    assert (event.from_state, event.to_state, case.state) == ("door_hanger", "shutoff_ready", "shutoff_ready")
    assert {"rule": "shutoff-eligibility", "version": "2025-01-01"} in event.rules
    guard = next(e for e in event.explanation if e["guard"] == "when")
    assert guard["ok"] and "days_past_due = 68 >= 60: yes" in "\n".join(guard["trace"])

    take(db, catalog, case, "record_shutoff", "carla", date(2026, 7, 7), meter_reading="48213")
    assert fees(db, account.id) == [("Late payment penalty on utility bills", Decimal("12.00"), "2024-07-01"),
                                    ("Reconnection after shut-off for nonpayment", Decimal("75.00"), "2026-07-01")]
    assert refused(db, catalog, case, "reconnect", "carla", date(2026, 7, 8)) == [
        "the reconnection fee of $75.00 charged on 2026-07-07 is unpaid",
        "the conditions are not met: past_due_balance = 207.00 <= 0: no"]
    pay(db, account.id, "132.00", on=date(2026, 7, 8))
    assert refused(db, catalog, case, "reconnect", "carla", date(2026, 7, 8)) == [
        "the reconnection fee of $75.00 charged on 2026-07-07 is unpaid",
        "the conditions are not met: past_due_balance = 75.00 <= 0: no"]
    pay(db, account.id, "75.00", on=date(2026, 7, 9))
    take(db, catalog, case, "reconnect", "carla", date(2026, 7, 9))
    take(db, catalog, case, "reconnection_paid", "sweep:delinquency", date(2026, 7, 9))
    assert (case.state, case.closed_at) == ("resolved", at(date(2026, 7, 9)))

    notices = db.scalars(select(Notice).where(Notice.case_id == case.id).order_by(Notice.id)).all()
    assert [(n.notice_type, n.created_on.isoformat()) for n in notices] == [
        ("past-due-reminder", "2026-04-30"), ("shutoff-notice", "2026-06-18"), ("door-hanger", "2026-06-30"),
        ("reconnection", "2026-07-09")]
    assert notices[0].data["late_fee"] == "12.00" and notices[0].data["amount_due"] == "132.00"
    assert notices[1].data["shutoff_date"] == "2026-07-06"
    for letter in notices[1:3]:  # pay by the day before shut-off: the shutoff_pay_by the sample workflow sets
        assert date.fromisoformat(letter.data["due_date"]) == date.fromisoformat(letter.data["shutoff_date"]) - \
            timedelta(days=1)
    # the steps into and out of the state tagged service_off are the account's shut-off and reconnection
    streams = account_streams(db, [account.id], date(2026, 7, 9), ("shutoffs", "reconnections"),
                              catalog.workflows.states_tagged_by_version(SERVICE_OFF))[account.id]
    assert streams == {"shutoffs": [{"date": date(2026, 7, 7), "workflow": "delinquency"}],
                       "reconnections": [{"date": date(2026, 7, 9), "workflow": "delinquency"}]}
    assert notices[1].data["reference"].startswith("Alder Creek Municipal Code 13.04.120")
    assert (notices[3].data["reconnection_fee"], notices[3].data["amount_due"]) == ("75.00", "0.00")
    assert [e.step for e in case.events] == ["open", "mail_reminder", "mail_shutoff_notice", "post_door_hanger",
                                             "ready_for_shutoff", "record_shutoff", "reconnect", "reconnection_paid"]
    assert_every_step_audited(db, case.id)
    fee_events = [e for e in case.events if any(d.get("action") == "fee" for x in e.explanation
                                                for d in x.get("done", []))]
    assert [e.step for e in fee_events] == ["mail_reminder", "record_shutoff"]
    ledger_audits = db.scalars(select(AuditEntry).where(AuditEntry.action == "ledger.fee",
                                                        AuditEntry.subject_id == str(account.id))
                                .order_by(AuditEntry.id)).all()
    assert [a.detail["amount"] for a in ledger_audits] == ["12.00", "75.00"]


def test_a_low_income_household_pays_the_capped_reconnection_fee(db, catalog, staff):
    """Customer Assistance Program: $50.00 in business hours (SB 998), and 90 days before shut-off."""
    account = create_account(db, customer=create_customer(db, low_income=True), cycle="B")
    charge(db, account.id, "120.00", on=BILLED, due_on=DUE)
    case = services.open_case(db, catalog, "delinquency", account.id, actor="sweep:delinquency",
                              on=date(2026, 4, 30), now=at(date(2026, 4, 30)), fields={"period": "2026-04"})
    take(db, catalog, case, "mail_reminder", "sweep:delinquency", date(2026, 4, 30))
    take(db, catalog, case, "mail_shutoff_notice", "sweep:delinquency", date(2026, 6, 18))
    print_notices(db, case.id, date(2026, 6, 18))
    reasons = refused(db, catalog, case, "post_door_hanger", "carla", date(2026, 6, 30))
    assert reasons == ["shutoff-eligibility says no: it gives eligible = false, "
                       "reason = assistance_program_extension; this step needs eligible = true"]
    take(db, catalog, case, "post_door_hanger", "carla", date(2026, 7, 28))  # 90 days past due
    assert case.fields["shutoff_on"] == "2026-07-30"
    take(db, catalog, case, "ready_for_shutoff", "sweep:delinquency", date(2026, 7, 30))
    take(db, catalog, case, "record_shutoff", "carla", date(2026, 7, 30), meter_reading="1")
    pay(db, account.id, "182.00", on=date(2026, 7, 31))
    take(db, catalog, case, "reconnect", "carla", date(2026, 7, 31))
    assert fees(db, account.id)[-1] == ("Reconnection after shut-off for nonpayment", Decimal("50.00"), "2026-07-01")


def test_holds_stop_the_path_and_only_a_supervisor_records_a_medical_certificate(db, catalog, account, case):
    """An appeal puts the case on hold; a clerk cannot record a medical certificate; release resumes it."""
    take(db, catalog, case, "mail_reminder", "sweep:delinquency", date(2026, 4, 30))
    take(db, catalog, case, "mail_shutoff_notice", "sweep:delinquency", date(2026, 6, 18))
    assert refused(db, catalog, case, "medical_hold", "carla", date(2026, 6, 22), certificate_received="2026-06-20",
                   hold_reason="doctor's letter") == ["this step needs the role supervisor; you are a clerk"]
    take(db, catalog, case, "appeal_hold", "carla", date(2026, 6, 22), appeal_filed_on="2026-06-22",
         hold_reason="disputes the April read")
    assert case.state == "on_hold" and case.fields["appeal_pending"] is True
    take(db, catalog, case, "release_hold", "sam", date(2026, 7, 14), release_reason="appeal denied")
    assert (case.state, case.fields["appeal_pending"], case.fields["shutoff_notice_on"]) == (
        "reminded", False, "2026-07-14")
    assert_every_step_audited(db, case.id)


def test_a_payment_plan_in_default_leads_to_a_final_notice_and_shutoff_no_sooner_than_allowed(db, catalog, account,
                                                                                              case):
    """$132.00 past due: at most 6 installments and 10% down (payment-plan-terms); nothing paid: default 60
    days after the missed down payment, a final notice, shut-off 5 office days on, on a shut-off day."""
    take(db, catalog, case, "mail_reminder", "sweep:delinquency", date(2026, 4, 30))
    take(db, catalog, case, "mail_shutoff_notice", "sweep:delinquency", date(2026, 6, 18))
    options = {o.id: o for o in services.steps_for(db, catalog, case.id, user="carla", on=date(2026, 6, 22))}
    assert options["arrange_plan"].form[0]["max"] == 6
    assert refused(db, catalog, case, "arrange_plan", "carla", date(2026, 6, 22), installments="12",
                   first_due="2026-07-15") == ["installments: 12 is above the maximum 6"]
    event = take(db, catalog, case, "arrange_plan", "carla", date(2026, 6, 22), installments="3",
                 first_due="2026-07-15")
    assert {"rule": "payment-plan-terms", "version": "2025-01-01"} in event.rules
    plan = db.scalars(select(Notice).where(Notice.notice_type == "payment-plan-agreement")).one()
    assert (plan.data["amount_due"], plan.data["down_payment"]) == ("132.00", "13.20")
    assert plan.data["installments"] == [{"due_date": "2026-07-15", "amount": "39.60"},
                                         {"due_date": "2026-08-15", "amount": "39.60"},
                                         {"due_date": "2026-09-15", "amount": "39.60"}]
    assert refused(db, catalog, case, "plan_default", "sweep:delinquency", date(2026, 8, 20)) == [
        "the conditions are not met: plan_days_behind = 59 >= 60: no"]
    take(db, catalog, case, "plan_default", "sweep:delinquency", date(2026, 8, 21))
    print_notices(db, case.id, date(2026, 8, 21))  # the final notice (the June one, never sent, is behind it)
    assert (case.state, case.fields["payment_plan_active"], case.fields["shutoff_on"]) == (
        "plan_defaulted", False, "2026-08-31")
    assert refused(db, catalog, case, "shutoff_after_default", "sweep:delinquency", date(2026, 8, 28)) == [
        "not due until 2026-08-31 (shutoff_on)"]
    take(db, catalog, case, "shutoff_after_default", "sweep:delinquency", date(2026, 8, 31))
    assert case.state == "shutoff_ready"
    final = db.scalars(select(Notice).where(Notice.case_id == case.id, Notice.notice_type == "shutoff-notice")
                       .order_by(Notice.id)).all()
    assert [n.data["shutoff_date"] for n in final] == ["2026-07-06", "2026-08-31"]


def test_a_plan_kept_up_never_defaults_and_payment_resolves(db, catalog, account, case):
    """Down payment and installments paid on time: no default; paid in full, the sweep resolves the case."""
    take(db, catalog, case, "mail_reminder", "sweep:delinquency", date(2026, 4, 30))
    take(db, catalog, case, "arrange_plan", "carla", date(2026, 5, 4), installments="2", first_due="2026-06-01")
    pay(db, account.id, "13.20", on=date(2026, 5, 4))
    pay(db, account.id, "59.40", on=date(2026, 6, 1))
    assert refused(db, catalog, case, "plan_default", "sweep:delinquency", date(2026, 7, 30)) == [
        "the conditions are not met: plan_days_behind = 29 >= 60: no"]
    pay(db, account.id, "59.40", on=date(2026, 7, 31))
    take(db, catalog, case, "paid", "sweep:delinquency", date(2026, 8, 1))
    assert case.state == "resolved"


def test_a_low_income_household_may_spread_a_plan_over_12_months_with_nothing_down(db, catalog, staff):
    """Customer Assistance Program: up to 12 installments, no down payment."""
    account = create_account(db, customer=create_customer(db, low_income=True), cycle="B")
    charge(db, account.id, "120.00", on=BILLED, due_on=DUE)
    case = services.open_case(db, catalog, "delinquency", account.id, actor="sweep:delinquency",
                              on=date(2026, 4, 30), now=at(date(2026, 4, 30)), fields={"period": "2026-04"})
    take(db, catalog, case, "mail_reminder", "sweep:delinquency", date(2026, 4, 30))
    take(db, catalog, case, "arrange_plan", "carla", date(2026, 5, 4), installments="12", first_due="2026-06-01")
    plan = db.scalars(select(Notice).where(Notice.notice_type == "payment-plan-agreement")).one()
    assert (plan.data["down_payment"], len(plan.data["installments"]), plan.data["installments"][0]["amount"]) == (
        "0.00", 12, "11.00")


def test_small_balance_on_a_closed_account_is_written_off(db, catalog, staff):
    """$3.40 left on a closed account: a supervisor writes it off; the ledger balance is zero."""
    account = create_account(db, cycle="B", status="closed")
    charge(db, account.id, "3.40", on=BILLED, due_on=DUE)
    case = services.open_case(db, catalog, "delinquency", account.id, actor="sweep:delinquency",
                              on=date(2026, 5, 1), now=at(date(2026, 5, 1)), fields={"period": "2026-04"})
    assert refused(db, catalog, case, "write_off", "carla", date(2026, 5, 4)) == [
        "this step needs the role supervisor; you are a clerk"]
    take(db, catalog, case, "write_off", "sam", date(2026, 5, 4))
    entries = db.scalars(select(LedgerEntry).where(LedgerEntry.account_id == account.id)
                         .order_by(LedgerEntry.id)).all()
    assert sum(e.amount_cents for e in entries) == 0
    assert (case.state, entries[-1].kind, entries[-1].amount_cents) == ("written_off", "write_off", -340)


def test_an_owner_account_goes_on_to_a_lien_case(db, catalog, staff):
    """$480.00 shut off and still unpaid at 90 days: a supervisor transfers it; a linked lien case opens."""
    account = create_account(db, cycle="B")
    charge(db, account.id, "480.00", on=BILLED, due_on=DUE)
    case = services.open_case(db, catalog, "delinquency", account.id, actor="sweep:delinquency",
                              on=date(2026, 4, 30), now=at(date(2026, 4, 30)), fields={"period": "2026-04"})
    walk_to_door_hanger(db, catalog, case)
    take(db, catalog, case, "ready_for_shutoff", "sweep:delinquency", date(2026, 7, 6))
    take(db, catalog, case, "record_shutoff", "carla", date(2026, 7, 7), meter_reading="48213")
    assert refused(db, catalog, case, "transfer_to_lien", "sam", date(2026, 7, 27))[0].startswith(
        "lien-eligibility says no: it gives lien = not_eligible, reason = below_threshold")
    event = take(db, catalog, case, "transfer_to_lien", "sam", date(2026, 7, 28))
    lien = db.scalars(select(Case).where(Case.parent_id == case.id)).one()
    assert (case.state, lien.workflow_id, lien.state, lien.subject_type, lien.subject_id) == (
        "sent_to_lien", "liens", "eligible", "lien", account.id)
    assert {"action": "open", "workflow": "liens", "case_id": lien.id} in event.explanation[-1]["done"]
    assert_every_step_audited(db, lien.id)


def test_the_nightly_sweep_moves_the_case_only_on_its_days(db, catalog, account, case):
    """The sweep runs every night from the due date on; each sweep step happens on its day and no other."""
    moved: list[tuple[str, str]] = []
    day = date(2026, 4, 30)
    while day <= date(2026, 7, 10):
        if day == date(2026, 6, 30):
            take(db, catalog, case, "post_door_hanger", "carla", day)
        for event in services.advance(db, catalog, case.id, sweep="delinquency", on=day, now=at(day)):
            moved.append((event.step, event.on_date.isoformat()))
        print_notices(db, case.id, day)  # the night's notices go out
        day += timedelta(days=1)
    assert moved == [("mail_reminder", "2026-04-30"), ("mail_shutoff_notice", "2026-06-18"),
                     ("ready_for_shutoff", "2026-07-06")]
    assert db.get(Case, case.id).state == "shutoff_ready"


def test_without_a_period_the_case_follows_the_oldest_unpaid_bill(db, catalog, staff):
    """Opened with no period: the timeline of the oldest unpaid bill's period (B, 2026-04) gives the dates."""
    account = create_account(db, cycle="B")
    bill = Bill(account_id=account.id, cycle="B", period="2026-04", service_from=date(2026, 3, 8),
                service_to=date(2026, 4, 7), billed_on=BILLED, due_on=DUE, consumption_ccf=9, total_cents=12000,
                rule_id="water-rates-residential", rule_version="2025-07-01", explanation={})
    db.add(bill)
    db.flush()
    ledger.post_charge(db, account.id, Decimal("120.00"), on=BILLED, due_on=DUE, now=at(BILLED), actor="billing",
                       description="Water and sewer, April 2026", bill_id=bill.id)
    case = services.open_case(db, catalog, "delinquency", account.id, actor="sweep:delinquency",
                              on=date(2026, 4, 30), now=at(date(2026, 4, 30)))
    assert case.fields == {}
    take(db, catalog, case, "mail_reminder", "sweep:delinquency", date(2026, 4, 30))
    assert case.fields["shutoff_notice_on"] == "2026-06-18"


def test_service_is_restored_only_once_the_reconnection_fee_is_paid_or_a_supervisor_waives_it(db, catalog, account,
                                                                                               case):
    """The door hanger says the fee is due before service is restored: part paid, the step says how much is left;
    a clerk may not waive it; a supervisor waives it with a reason, and the letter says it was waived."""
    walk_to_door_hanger(db, catalog, case)
    take(db, catalog, case, "ready_for_shutoff", "sweep:delinquency", date(2026, 7, 6))
    take(db, catalog, case, "record_shutoff", "carla", date(2026, 7, 7), meter_reading="48213")
    pay(db, account.id, "157.00", on=date(2026, 7, 8))  # the bill, the late fee, and $25.00 of the fee
    assert refused(db, catalog, case, "reconnect", "carla", date(2026, 7, 8)) == [
        "$50.00 of the reconnection fee of $75.00 charged on 2026-07-07 is unpaid",
        "the conditions are not met: past_due_balance = 50.00 <= 0: no"]
    assert refused(db, catalog, case, "waive_reconnection_fee", "carla", date(2026, 7, 8),
                   waiver_reason="hardship") == ["this step needs the role supervisor; you are a clerk"]
    assert refused(db, catalog, case, "waive_reconnection_fee", "sam", date(2026, 7, 8)) == [
        "waiver_reason: Why the fee is waived is required"]
    event = take(db, catalog, case, "waive_reconnection_fee", "sam", date(2026, 7, 8),
                 waiver_reason="household member on home dialysis")
    assert (event.from_state, event.to_state) == ("disconnected", "disconnected")
    waiver = db.scalars(select(LedgerEntry).where(LedgerEntry.account_id == account.id,
                                                  LedgerEntry.kind == "reversal")).one()
    assert waiver.amount_cents == -7500 and "waived by sam: household member on home dialysis" in waiver.description
    assert refused(db, catalog, case, "waive_reconnection_fee", "sam", date(2026, 7, 8),
                   waiver_reason="again") == ["this case has no unpaid reconnection fee to waive"]
    take(db, catalog, case, "reconnect", "carla", date(2026, 7, 8))
    letter = db.scalars(select(Notice).where(Notice.case_id == case.id, Notice.notice_type == "reconnection")).one()
    assert (letter.data["reconnection_fee"], letter.data["reconnection_fee_waived"]) == ("75.00", True)
    assert letter.data["amount_due"] == "0.00"  # $25.00 paid toward the waived fee is a credit, never printed
