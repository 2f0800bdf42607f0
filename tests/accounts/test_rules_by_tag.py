"""A city that names its rule documents otherwise: the program finds them by their tags, or by their kind.

Alder Creek's documents renamed as another city might name them (its returned-check charge
`nsf-charge`, its cash-only rule `check-privileges`, its adjustment limits `posting-limits`,
its deposits `meter-deposits`, its read review `read-review`, its lien amount
`lien-principal`), each keeping its tag: a returned check is charged and the account made
cash-only, an adjustment finds its approver, a new meter's deposit and a lien's amount are
worked out and reads are reviewed, all as in the sample city. A
city without a tagged document is told which and what it is for, and nothing is changed.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from engine.accounts.adjustments import AdjustmentError, approver, plan
from engine.accounts.returns import return_payment
from engine.money import cash, ledger
from engine.money.deposits import DepositError, deposit_due
from engine.money.payments import PaymentError, post_counter_payment
from engine.reads.review import read_policy
from engine.rules.errors import EvaluationError
from engine.rules.library import RuleLibrary
from engine.rules.loader import load_document
from engine.store.models import LedgerEntry, Payment
from engine.workflow.lien_amount import lien_amount
from tests.factories import NOW, create_account
from tests.ledger.billing_support import library
from tests.ledger.money_support import create_user

DAY = date(2026, 3, 2)
RENAMED = {"returned-payment-fee": "nsf-charge", "cash-only-status": "check-privileges",
           "adjustment-approval": "posting-limits", "deposit-amount": "meter-deposits", "meter-reads": "read-review",
           "lien-amount": "lien-principal"}


def renamed_city(leave_out: str | None = None) -> RuleLibrary:
    """The sample city's documents, those of RENAMED under their other ids (and `leave_out`'s tags taken off)."""
    documents = []
    for doc in library():
        text = doc.text
        if doc.id in RENAMED:
            text = text.replace(f"id: {doc.id}\n", f"id: {RENAMED[doc.id]}\n", 1)
        if leave_out is not None and f"tags: [{leave_out}]\n" in text:
            text = text.replace(f"tags: [{leave_out}]\n", "")
        documents.append(load_document(text, f"{RENAMED.get(doc.id, doc.id)}.yaml"))
    return RuleLibrary.from_documents(documents)


def checks_returned(db):
    """An account paid by two checks, the first returned by the bank: (the return, the account, the payments)."""
    clerk, account = create_user(db), create_account(db)
    ledger.post_charge(db, account.id, Decimal("160.00"), on=date(2026, 2, 1), due_on=date(2026, 2, 21), now=NOW,
                       actor="billing:A-2026-02", description="Water and sewer")
    cash.open_drawer(db, clerk=clerk, business_date=DAY, opening=Decimal("0"), now=NOW)
    paid = [post_counter_payment(db, account_id=account.id, amount=amount, tender="check", clerk=clerk, on=DAY,
                                 now=NOW, check_number=number) for amount, number in (("100.00", "3001"),
                                                                                      ("60.00", "3002"))]
    return clerk, account, paid


def test_a_returned_check_is_charged_by_the_document_tagged_so_whatever_its_id(db):
    """nsf-charge posts the $25 and $35 fees; check-privileges makes the account cash-only on the second return."""
    city = renamed_city()
    clerk, account, (one, two) = checks_returned(db)
    first = return_payment(db, one.id, reason="NSF", on=date(2026, 3, 10), actor=clerk.username, now=NOW,
                           library=city)
    assert (first.fee.amount_cents, first.fee.rule_id, first.cash_only) == (2500, "nsf-charge", False)
    second = return_payment(db, two.id, reason="NSF", on=date(2026, 4, 2), actor=clerk.username, now=NOW,
                            library=city)
    assert (second.fee.amount_cents, second.fee.rule_id) == (3500, "nsf-charge")
    assert second.became_cash_only and account.cash_only


def test_a_city_without_a_returned_payment_fee_is_told_what_it_is_for_and_nothing_changes(db):
    """No document tagged returned_payment_fee: the return is refused in staff words; the payment stands."""
    city = renamed_city(leave_out="returned_payment_fee")
    clerk, account, (one, _) = checks_returned(db)
    with pytest.raises(PaymentError) as refused:
        return_payment(db, one.id, reason="NSF", on=date(2026, 3, 10), actor=clerk.username, now=NOW, library=city)
    assert str(refused.value) == ("the payment cannot be returned: no rule document is tagged returned_payment_fee: "
                                  "the fee charged on a returned payment (a schedule document carrying "
                                  "tags: [returned_payment_fee])")
    assert db.get(Payment, one.id).status == "posted"
    assert db.scalar(select(func.count()).select_from(LedgerEntry).where(
        LedgerEntry.account_id == account.id, LedgerEntry.kind.in_(("reversal", "fee")))) == 0


def test_an_adjustment_finds_its_approver_in_the_document_tagged_so(db):
    """posting-limits gives a supervisor for $180.00; the plan carries its id and title for the page."""
    role, version, rule = approver(renamed_city(), 18000, "leak", DAY)
    assert (role, rule.id, rule.title) == ("supervisor", "posting-limits", "Who may post an adjustment")
    account = create_account(db)
    planned = plan(db, renamed_city(), account.id, code="leak", note="slab leak", on=DAY, amount="180.00")
    assert (planned.approver_role, planned.rule_id) == ("supervisor", "posting-limits")


def test_an_adjustment_without_its_approval_rule_says_which_is_missing(db):
    """No document tagged adjustment_approval: who may approve cannot be decided, and the message says why."""
    with pytest.raises(AdjustmentError, match="^who may approve it cannot be decided: no rule document is tagged "
                                              "adjustment_approval: who may post an adjustment"):
        approver(renamed_city(leave_out="adjustment_approval"), 18000, "leak", DAY)


def test_a_deposit_and_the_read_review_are_found_whatever_their_ids():
    """meter-deposits asks $185.00 of a 3/4 inch meter; read-review is the city's one meter-reads document."""
    city = renamed_city()
    due = deposit_due(city, '3/4"', DAY)
    assert (due.total, due.rule) == (Decimal("185.00"), "meter-deposits")
    assert read_policy(city, DAY).rule == "read-review"
    with pytest.raises(DepositError, match="^no rule document is tagged service_deposit: the deposit asked when "
                                           "service starts"):
        deposit_due(renamed_city(leave_out="service_deposit"), '3/4"', DAY)


def test_a_city_without_a_meter_reads_document_is_told_what_it_is_for():
    """No meter-reads document: the review says what the kind is for."""
    city = RuleLibrary.from_documents([doc for doc in library() if doc.kind != "meter-reads"])
    with pytest.raises(EvaluationError, match=r"^the city has no meter-reads document \(kind: meter-reads: how "
                                              "reads are reviewed before billing"):
        read_policy(city, DAY)


def test_the_lien_amount_is_the_schedule_tagged_so_whatever_its_id(db):
    """lien-principal adds up the lien's water and sewer charges for the notice of intent, line by line."""
    account = create_account(db)
    facts = {"lien_water_charges": Decimal("120.50"), "lien_sewer_charges": Decimal("80.25")}
    found = lien_amount(db, renamed_city(), account.id, DAY, facts, {})
    assert found["lien_amount"] == "200.75"
    assert [line["amount"] for line in found["lien_lines"]] == ["120.50", "80.25"]
    with pytest.raises(EvaluationError, match="^no rule document is tagged lien_amount: the amount a lien is "
                                              "recorded for"):
        lien_amount(db, renamed_city(leave_out="lien_amount"), account.id, DAY, facts, {})
