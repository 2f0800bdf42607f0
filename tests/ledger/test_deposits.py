"""Deposits: held from the rule's amount, applied to the final bill, credited back after good payment."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from engine.money import ledger
from engine.accounts.deposit_refunds import refund_eligible_deposits
from engine.money.deposits import DepositError, apply_to_final_bill, take_deposit
from tests.factories import NOW, create_account
from tests.ledger.billing_support import library

REFUND_RULE = "deposit-refund-eligibility"  # the criteria the sample city's deposit-refunds sweep names


def test_a_deposit_from_the_rule_is_applied_to_the_final_bill(db):
    """A 3/4 inch meter's deposit is $185.00; at closing it pays a $120 final bill and leaves a $65 credit."""
    account = create_account(db, opened_on=date(2025, 9, 1))
    deposit = take_deposit(db, account.id, on=date(2026, 3, 1), now=NOW, actor="clerk1", library=library())
    assert deposit.amount_cents == 18500 and deposit.rule_version == "2024-07-01"
    assert ledger.balance_cents(db, account.id) == 0  # held, not a payment
    ledger.post_charge(db, account.id, Decimal("120.00"), on=date(2026, 4, 1), due_on=date(2026, 4, 22), now=NOW,
                       actor="billing:A-2026-04", description="Final bill")
    with pytest.raises(DepositError, match="when it closes"):
        apply_to_final_bill(db, account.id, on=date(2026, 4, 2), now=NOW, actor="clerk1")
    account.status, account.closed_on = "closed", date(2026, 4, 1)
    db.flush()
    entries = apply_to_final_bill(db, account.id, on=date(2026, 4, 2), now=NOW, actor="clerk1")
    assert [e.amount_cents for e in entries] == [-18500] and deposit.status == "applied"
    assert ledger.balance_cents(db, account.id) == -6500
    assert ledger.refundable_cents(db, account.id) == 6500


def test_deposits_are_credited_back_only_when_the_rule_says_eligible(db):
    """Thirteen months of clean history: credited back; a late fee twice in the year: kept."""
    good = create_account(db, opened_on=date(2025, 1, 15))
    late = create_account(db, opened_on=date(2025, 1, 15))
    young = create_account(db, opened_on=date(2025, 9, 1))
    for account in (good, late, young):
        take_deposit(db, account.id, on=account.opened_on, now=NOW, actor="clerk1", library=library(),
                     amount=Decimal("185.00"))
    for month in (5, 9):
        ledger.post_fee(db, late.id, Decimal("5.20"), on=date(2025, month, 23), now=NOW, actor="sweep:late-fee",
                        description="Late fee", rule_id="late-fee", rule_version="2024-07-01")
    decisions = {d.account_id: d for d in refund_eligible_deposits(
        db, as_of=date(2026, 3, 1), now=NOW, actor="sweep:deposits", library=library(), rule=REFUND_RULE,
        account_ids=[good.id, late.id, young.id])}
    assert decisions[good.id].eligible and decisions[good.id].entry_id
    assert (decisions[late.id].eligible, decisions[late.id].reason) == (False, "late_payments")
    assert (decisions[young.id].eligible, decisions[young.id].reason) == (False, "under_12_months")
    assert ledger.balance_cents(db, good.id) == -18500
    again = refund_eligible_deposits(db, as_of=date(2026, 3, 2), now=NOW, actor="sweep:deposits", library=library(), rule=REFUND_RULE,
                                     account_ids=[good.id])
    assert again == [] and ledger.balance_cents(db, good.id) == -18500


def test_which_accounts_are_credited_is_the_rules_to_say(db):
    """The sample rule credits only active accounts (reason account_not_active); a city whose rule leaves the status
    out credits a closed account's held deposit too (its credit is then paid back with a refund)."""
    from engine.rules.library import RuleLibrary
    from engine.rules.loader import load_document
    closed = create_account(db, opened_on=date(2025, 1, 15), status="closed", closed_on=date(2026, 2, 20))
    take_deposit(db, closed.id, on=closed.opened_on, now=NOW, actor="clerk1", library=library(),
                 amount=Decimal("185.00"))
    [kept] = refund_eligible_deposits(db, as_of=date(2026, 3, 1), now=NOW, actor="sweep:deposits",
                                      library=library(), rule=REFUND_RULE, account_ids=[closed.id])
    assert (kept.eligible, kept.reason) == (False, "account_not_active")
    assert ledger.balance_cents(db, closed.id) == 0
    text = next(doc for doc in library() if doc.id == "deposit-refund-eligibility").text
    any_status = text.replace("      - name: The account is not active\n"
                              "        when: {fact: account_status, ne: active}\n"
                              "        then: {eligible: false, reason: account_not_active}\n", "")
    assert any_status != text
    others = [doc for doc in library() if doc.id != "deposit-refund-eligibility"]
    city = RuleLibrary.from_documents([*others, load_document(any_status, "deposit-refund-eligibility.yaml")])
    [credited] = refund_eligible_deposits(db, as_of=date(2026, 3, 1), now=NOW, actor="sweep:deposits",
                                          library=city, rule=REFUND_RULE, account_ids=[closed.id])
    assert (credited.eligible, credited.reason) == (True, "good_payment_history")
    assert ledger.balance_cents(db, closed.id) == -18500
