"""Adjustments with a reason code: posted at once within the asker's limit, else approved by another person.

The limit is the adjustment-approval rule's; over it, a case of the workflow tagged
adjustment_approvals waits for someone holding the role the rule gives, never the asker.
A late-fee waiver reverses the fee, and the late-fee-waiver-eligibility criteria (reading the
late-fee-waivers-12m measure, which counts the waivers stream) allows one in 12 months.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from engine.workflow.adjustments import request_adjustment
from engine.accounts.adjustments import AdjustmentError, NotEligible, decide, plan
from engine.money import ledger
from engine.money.ledger.journal import day_journal, trial_balance
from engine.store.adjustments import Adjustment
from engine.store.models import AuditEntry, Case, LedgerEntry
from engine.workflow import services
from engine.workflow.runtime import StepRefused
from tests.factories import create_account
from tests.workflow.conftest import assert_every_step_audited, at, charge

ON = date(2026, 5, 5)


def billed(db, amount: str = "212.40"):
    """An account with one bill charge of `amount` (water), due later in May."""
    account = create_account(db)
    charge(db, account.id, amount, on=date(2026, 4, 28), due_on=date(2026, 5, 19))
    return account


def ask(db, catalog, account, user="carla", on=ON, **given):
    """Ask for an adjustment as `user` on the day."""
    given.setdefault("code", "leak")
    given.setdefault("note", "leak under the slab, repaired (plumber's invoice on file)")
    return request_adjustment(db, catalog, account.id, actor=user, on=on, now=at(on), **given)


def balance(db, account) -> int:
    """The account's balance in cents."""
    return ledger.balance_cents(db, account.id)


def audits(db, account, prefix: str) -> list[AuditEntry]:
    """The audit rows of the account whose action starts with `prefix`, in order."""
    return list(db.scalars(select(AuditEntry).where(AuditEntry.subject_type == "utility_account",
                                                    AuditEntry.subject_id == str(account.id),
                                                    AuditEntry.action.startswith(prefix)).order_by(AuditEntry.id)))


def test_a_credit_within_the_clerks_limit_posts_at_once_to_its_reasons_gl_account(db, catalog, staff):
    """$40.00 leak credit by a clerk: no case; one adjustment entry of -$40.00 booked to 510-4390, audited."""
    account = billed(db)
    done = ask(db, catalog, account, amount="40.00", direction="credit")
    assert done.case is None and done.adjustment.status == "posted"
    entry = done.entry
    assert (entry.kind, entry.amount_cents, entry.fund, entry.gl_account, entry.actor, entry.reference) == (
        "adjustment", -4000, "510", "4390", "carla", f"adjustment {done.adjustment.id}")
    assert entry.description.startswith("Adjustment: Leak adjustment: leak under the slab")
    assert balance(db, account) == 21240 - 4000
    assert done.adjustment.approver_role == "clerk" and done.adjustment.decided_by is None
    assert [a.action for a in audits(db, account, "adjustment.")] == ["adjustment.request", "adjustment.post"]
    assert audits(db, account, "adjustment.request")[0].detail["within_limit"] is True
    assert [a.detail["amount"] for a in audits(db, account, "ledger.adjustment")] == ["-40.00"]


def test_a_misread_credit_is_booked_to_water_sales_in_the_days_journal(db, catalog, staff):
    """The reason's GL account, not the kind's: a misread credit moves 4210 (water sales), and the journal balances."""
    account = billed(db, "60.00")
    ask(db, catalog, account, code="misread", amount="12.34", direction="credit", note="read 312 for 213")
    rows = {(r["fund"], r["account"]): (r["debit"], r["credit"]) for r in day_journal(db, ON)}
    assert rows[("510", "4210")] == ("12.34", "0.00") and rows[("510", "1210")] == ("0.00", "12.34")
    totals = trial_balance(db, ON)
    assert sum(Decimal(r["debit"]) for r in totals) == sum(Decimal(r["credit"]) for r in totals)


def test_over_the_clerks_limit_a_supervisor_who_did_not_ask_approves_and_it_posts(db, catalog, staff):
    """$180.00 by a clerk: a case waits; the asker and another clerk may not approve; a supervisor does, with a comment."""
    account = billed(db)
    done = ask(db, catalog, account, amount="180.00", direction="credit")
    assert done.entry is None and done.adjustment.status == "waiting"
    case = done.case
    assert (case.workflow_id, case.state, case.fields) == ("adjustments", "requested", {
        "amount": "180.00", "direction": "credit", "reason_code": "leak", "adjustment_id": done.adjustment.id,
        "note": "leak under the slab, repaired (plumber's invoice on file)", "requested_by": "carla"})
    assert balance(db, account) == 21240  # nothing posted while it waits
    options = {o.id: o for o in services.steps_for(db, catalog, case.id, user="carla", on=ON)}
    assert options["approve"].reasons == [
        "this step needs a supervisor or above (adjustment-approval); you are a clerk",
        "you requested this adjustment; another person must approve it"]
    colin = {o.id: o for o in services.steps_for(db, catalog, case.id, user="colin", on=ON)}
    assert colin["approve"].reasons == ["this step needs a supervisor or above (adjustment-approval); you are a clerk"]
    with pytest.raises(StepRefused) as refused:
        services.take_step(db, catalog, case.id, "approve", user="sam", on=ON, now=at(ON), version=case.version,
                           form={})
    assert refused.value.reasons == ["decision_comment: Comment is required"]
    services.take_step(db, catalog, case.id, "approve", user="sam", on=ON, now=at(ON), version=case.version,
                       form={"decision_comment": "invoice seen; within the leak policy"})
    row = db.get(Adjustment, done.adjustment.id)
    entry = db.get(LedgerEntry, row.entry_id)
    assert (row.status, row.decided_by, row.comment) == ("posted", "sam", "invoice seen; within the leak policy")
    assert (entry.kind, entry.amount_cents, entry.actor) == ("adjustment", -18000, "sam")
    assert balance(db, account) == 21240 - 18000
    assert (case.state, case.closed_at) == ("approved", at(ON))
    assert_every_step_audited(db, case.id)
    assert [(a.action, a.actor) for a in audits(db, account, "adjustment.")] == [
        ("adjustment.request", "carla"), ("adjustment.post", "sam"), ("adjustment.approve", "sam")]


def test_a_denied_adjustment_posts_nothing_and_keeps_the_comment(db, catalog, staff):
    """A supervisor denies with a comment: no ledger entry, the adjustment is denied, the case closed."""
    account = billed(db)
    done = ask(db, catalog, account, amount="250.00", direction="debit", code="billing_error", note="missed a month")
    services.take_step(db, catalog, done.case.id, "deny", user="sofia", on=ON, now=at(ON),
                       version=done.case.version, form={"decision_comment": "the month was billed in April"})
    row = db.get(Adjustment, done.adjustment.id)
    assert (row.status, row.entry_id, row.decided_by, row.comment) == (
        "refused", None, "sofia", "the month was billed in April")
    assert done.case.state == "denied" and balance(db, account) == 21240
    assert db.scalar(select(func.count()).select_from(LedgerEntry).where(LedgerEntry.kind == "adjustment")) == 0


def test_the_person_who_asked_never_decides_even_through_the_service(db, catalog, staff):
    """A supervisor over their own limit ($6,000.00 needs the department head): decide() refuses the asker."""
    account = billed(db, "7000.00")
    done = ask(db, catalog, account, user="sam", amount="6000.00", direction="credit")
    assert done.adjustment.approver_role == "department_head" and done.case is not None
    with pytest.raises(AdjustmentError, match="you asked for this adjustment; another person must approve or deny it"):
        decide(db, done.adjustment.id, approve=True, actor="sam", on=ON, now=at(ON), comment="mine")
    assert db.get(Adjustment, done.adjustment.id).status == "waiting"


def test_a_supervisor_posts_within_the_supervisors_limit(db, catalog, staff):
    """$180.00 asked by a supervisor is within the supervisor's limit: posted at once, no case."""
    account = billed(db)
    done = ask(db, catalog, account, user="sam", amount="180.00", direction="credit")
    assert done.case is None and done.entry.amount_cents == -18000


@pytest.mark.parametrize(("given", "message"), [
    ({"code": "goodwill", "amount": "10.00"}, "reason: 'goodwill' is not one of the city's adjustment reasons"),
    ({"amount": "10.00", "note": "  "}, "note: say why the account is adjusted"),
    ({"amount": "10.005"}, "amount: '10.005' has more than two decimals"),
    ({"amount": "0"}, "amount: more than $0.00"),
    ({"amount": "ten"}, "amount: 'ten' is not an amount of money"),
    ({"amount": "10.00", "direction": "sideways"}, "direction: credit or debit, not 'sideways'"),
    ({"amount": "100000.01"}, "amount: "),
    ({"code": "late_fee_waiver"}, "fee: a late-fee waiver names the fee it reverses"),
])
def test_bad_requests_say_what_is_wrong_and_write_nothing(db, catalog, staff, given, message):
    """Each refusal names the field; no adjustment, entry or audit row is written."""
    account = billed(db)
    with pytest.raises(AdjustmentError) as refused:
        ask(db, catalog, account, **given)
    assert str(refused.value).startswith(message)
    assert db.scalar(select(func.count()).select_from(Adjustment)) == 0
    assert audits(db, account, "adjustment.") == []


def late_fee(db, account, on: date, amount: str = "22.59") -> LedgerEntry:
    """A late fee of the late-fee schedule posted on a day."""
    return ledger.post_fee(db, account.id, Decimal(amount), on=on, now=at(on), actor="sweep:late-fees",
                           description="Late fee", rule_id="late-fee", rule_version="2025-01-01")


def test_one_late_fee_waiver_in_12_months_the_second_refused_with_the_rules_words(db, catalog, staff):
    """The first waiver reverses the fee exactly; a second within 12 months is refused; a year later it is allowed."""
    account = billed(db)
    first = late_fee(db, account, date(2026, 3, 2))
    done = ask(db, catalog, account, code="late_fee_waiver", fee_entry_id=first.id, note="first time late")
    reversal = done.entry
    assert (reversal.kind, reversal.amount_cents, reversal.reverses_id, reversal.fund, reversal.gl_account) == (
        "reversal", -2259, first.id, first.fund, first.gl_account)
    assert done.adjustment.amount_cents == -2259 and done.case is None
    second = late_fee(db, account, date(2026, 7, 2))
    with pytest.raises(NotEligible) as refused:
        ask(db, catalog, account, code="late_fee_waiver", fee_entry_id=second.id, on=date(2026, 7, 6),
            note="asked again")
    assert str(refused.value) == ("Late-fee waiver is not allowed: A late fee was already waived in the last "
                                  "12 months (late-fee-waiver-eligibility)")
    assert db.scalar(select(func.count()).select_from(Adjustment)) == 1
    later = plan(db, catalog.rules, account.id, code="late_fee_waiver", fee_entry_id=second.id, note="a year on",
                 on=date(2027, 5, 6))
    assert later.cents == -2259 and later.approver_role == "clerk"


def test_a_waived_fee_cannot_be_waived_twice_and_another_accounts_fee_is_refused(db, catalog, staff):
    """The fee named must be this account's, of the schedule the reason waives, not reversed yet."""
    account, other = billed(db), billed(db)
    fee = late_fee(db, account, date(2026, 3, 2))
    with pytest.raises(AdjustmentError, match=f"fee: ledger entry {fee.id} is not a late-fee fee of this account"):
        ask(db, catalog, other, code="late_fee_waiver", fee_entry_id=fee.id)
    ledger.reverse(db, fee.id, on=ON, now=at(ON), actor="sam", reason="posted in error")
    with pytest.raises(AdjustmentError, match="still to be waived"):
        ask(db, catalog, account, code="late_fee_waiver", fee_entry_id=fee.id)


def test_a_second_waiting_adjustment_on_the_account_is_refused_and_nothing_is_left(db, catalog, staff):
    """One approval case per account at a time: the second over-limit request says which case waits."""
    account = billed(db)
    first = ask(db, catalog, account, amount="150.00")
    with pytest.raises(AdjustmentError, match=f"already has an open adjustments case \\({first.case.id}\\)"):
        ask(db, catalog, account, amount="160.00")
    assert db.scalar(select(func.count()).select_from(Case).where(Case.workflow_id == "adjustments")) == 1
    assert db.scalar(select(func.count()).select_from(Adjustment)) == 1


def test_the_corrections_report_lists_each_adjustment_and_waiver_by_who_asked_and_who_approved(db, catalog, staff):
    """Per clerk on the day: carla's approved leak credit (by sam), her waiver within her limit, colin's courtesy."""
    from engine.money.reports import corrections
    account = billed(db)
    fee = late_fee(db, account, date(2026, 3, 2))
    over = ask(db, catalog, account, amount="180.00")
    services.take_step(db, catalog, over.case.id, "approve", user="sam", on=ON, now=at(ON), version=over.case.version,
                       form={"decision_comment": "ok"})
    waiver = ask(db, catalog, account, code="late_fee_waiver", fee_entry_id=fee.id, note="first time")
    courtesy = ask(db, catalog, account, user="colin", code="courtesy", amount="15.00", note="long wait on hold")
    rows = corrections(db, ON)
    assert [(r["clerk"], r["kind"], r["reference"], r["amount"], r["by"]) for r in rows[:-1]] == [
        ("carla", "adjustment", f"adjustment {over.adjustment.id}", "-180.00", "sam"),
        ("carla", "waiver", f"adjustment {waiver.adjustment.id}", "-22.59", "carla"),
        ("colin", "adjustment", f"adjustment {courtesy.adjustment.id}", "-15.00", "colin")]
    assert rows[1]["reason"] == "Late-fee waiver: first time" and rows[-1]["kind"] == "3 corrections"
