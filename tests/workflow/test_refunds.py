"""The refunds workflow: approval at the level the refund-approval rule gives, never by the requester."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from engine.store.models import AuditEntry, LedgerEntry, Notice
from engine.workflow import services
from engine.workflow.runtime import StepRefused
from tests.factories import create_account
from tests.workflow.conftest import assert_every_step_audited, at, charge, pay

ON = date(2026, 5, 5)


def take(db, catalog, case, step, user, on=ON, **form):
    """Take a step on the version the user sees now."""
    return services.take_step(db, catalog, case.id, step, user=user, on=on, now=at(on), version=case.version,
                              form=form)


def refused(db, catalog, case, step, user, on=ON, **form) -> list[str]:
    """The reasons a step is refused (it must be)."""
    with pytest.raises(StepRefused) as failure:
        take(db, catalog, case, step, user, on, **form)
    return failure.value.reasons


def credit_account(db, paid_twice: str):
    """An account that paid its bill twice: a credit of the bill's amount."""
    account = create_account(db)
    charge(db, account.id, paid_twice, on=date(2026, 4, 1), due_on=date(2026, 4, 22))
    pay(db, account.id, paid_twice, on=date(2026, 4, 20))
    pay(db, account.id, paid_twice, on=date(2026, 4, 21))
    return account


def balance(db, account_id) -> int:
    """The account's balance in cents."""
    return sum(db.scalars(select(LedgerEntry.amount_cents).where(LedgerEntry.account_id == account_id)))


def test_a_clerk_refund_approved_by_another_clerk_issued_and_voided(db, catalog, staff):
    """$80.00 overpayment: carla requests, carla may not approve, colin does; check issued, then voided."""
    account = credit_account(db, "80.00")
    case = services.open_case(db, catalog, "refunds", account.id, actor="carla", on=ON, now=at(ON),
                              fields={"amount": "80.00", "source": "overpayment"})
    assert case.fields == {"amount": "80.00", "source": "overpayment", "requested_by": "carla"}
    take(db, catalog, case, "research", "carla", research_notes="paid twice in April")
    assert refused(db, catalog, case, "approve", "carla") == [
        "you requested this refund; another person must approve it"]
    event = take(db, catalog, case, "approve", "colin")
    assert {"rule": "refund-approval", "version": "2025-01-01"} in event.rules
    roles = next(e for e in event.explanation if e["guard"] == "roles")
    assert roles["detail"] == "refund-approval gives approver_role = clerk for these facts; you are clerk"
    take(db, catalog, case, "issue_check", "carla", date(2026, 5, 6), check_number="100482")
    refund = db.scalars(select(LedgerEntry).where(LedgerEntry.kind == "refund")).one()
    assert (refund.account_id, refund.amount_cents, refund.reference) == (account.id, 8000, "100482")
    assert balance(db, account.id) == 0
    letter = db.scalars(select(Notice).where(Notice.case_id == case.id)).one()
    assert (letter.notice_type, letter.data["refund_amount"], letter.data["check_number"],
            letter.data["check_date"]) == ("refund-letter", "80.00", "100482", "2026-05-06")
    assert refused(db, catalog, case, "void", "carla", date(2026, 8, 6), void_reason="never cashed") == [
        "this step needs the role supervisor or admin; you are a clerk"]
    take(db, catalog, case, "void", "sam", date(2026, 8, 6), void_reason="never cashed")
    assert (case.state, balance(db, account.id)) == ("voided", -8000)
    assert [e.step for e in case.events] == ["open", "research", "approve", "issue_check", "void"]
    assert_every_step_audited(db, case.id)
    dollars = db.scalars(select(AuditEntry).where(AuditEntry.action.in_(("ledger.refund", "ledger.reversal")),
                                                  AuditEntry.subject_id == str(account.id))
                         .order_by(AuditEntry.id)).all()
    assert [(a.action, a.actor, a.detail["amount"]) for a in dollars] == [
        ("ledger.refund", "carla", "80.00"), ("ledger.reversal", "sam", "-80.00")]


def test_a_larger_refund_needs_a_supervisor_who_did_not_request_it(db, catalog, staff):
    """$250.00: a clerk may not approve; the supervisor who requested it may not either; another may."""
    account = credit_account(db, "250.00")
    case = services.open_case(db, catalog, "refunds", account.id, actor="sam", on=ON, now=at(ON),
                              fields={"amount": "250.00", "source": "overpayment"})
    take(db, catalog, case, "research", "carla", research_notes="duplicate lockbox payment")
    assert refused(db, catalog, case, "approve", "colin") == [
        "this step needs a supervisor or above (refund-approval); you are a clerk"]
    assert refused(db, catalog, case, "approve", "sam") == [
        "you requested this refund; another person must approve it"]
    take(db, catalog, case, "approve", "sofia")
    assert case.state == "approved"


def test_a_refund_is_denied_with_a_reason(db, catalog, staff):
    """Denial needs a supervisor and a reason; the case is closed."""
    account = credit_account(db, "40.00")
    case = services.open_case(db, catalog, "refunds", account.id, actor="carla", on=ON, now=at(ON),
                              fields={"amount": "40.00", "source": "deposit"})
    assert refused(db, catalog, case, "deny", "sam") == ["denial_reason: Reason is required"]
    take(db, catalog, case, "deny", "sam", denial_reason="deposit already applied to the final bill")
    assert (case.state, case.fields["denial_reason"]) == ("denied", "deposit already applied to the final bill")
    assert case.closed_at == at(ON)


def test_a_request_without_an_amount_cannot_be_approved_and_says_why(db, catalog, staff):
    """The approval rule needs the amount: the step is refused with the rule's own message, nothing breaks."""
    account = credit_account(db, "40.00")
    case = services.open_case(db, catalog, "refunds", account.id, actor="carla", on=ON, now=at(ON),
                              fields={"source": "overpayment"})
    take(db, catalog, case, "research", "carla", research_notes="amount to be confirmed")
    options = {o.id: o for o in services.steps_for(db, catalog, case.id, user="colin", on=ON)}
    assert options["approve"].reasons == ["cannot be decided: amount: missing, and refund-approval gives it no default"]
    assert options["deny"].reasons == ["this step needs the role supervisor or admin; you are a clerk"]
