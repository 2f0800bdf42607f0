"""What may be refunded: the credit, never more than was paid in less refunds, each kind net of its reversals."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from engine.money import ledger
from engine.money.ledger.posting import paid_in_cents
from tests.factories import NOW, create_account

DAY = date(2026, 3, 2)


def test_paid_in_and_refundable_count_payments_deposits_and_refunds_net_of_their_reversals(db):
    account = create_account(db)
    def entry(kind: str, dollars: str):
        return ledger.post(db, account_id=account.id, kind=kind, amount=Decimal(dollars), on=DAY, now=NOW,
                           actor="test", description=kind)
    bounced = entry("payment", "-100")
    ledger.reverse(db, bounced.id, on=DAY, now=NOW, actor="test", reason="returned")  # paid nothing after all
    entry("payment", "-50")
    ledger.post_deposit_credit(db, account.id, Decimal("30"), on=DAY, now=NOW, actor="test", description="deposit")
    refund = ledger.post_refund(db, account.id, Decimal("20"), on=DAY, now=NOW, actor="test")
    entry("charge", "10")
    assert ledger.balance_cents(db, account.id) == -5000  # -100 +100 -50 -30 +20 +10
    assert paid_in_cents(db, account.id) == 6000  # 50 + 30 paid in, 20 refunded
    assert ledger.refundable_cents(db, account.id) == 5000  # the credit is the smaller
    ledger.post_adjustment(db, account.id, Decimal("-100"), on=DAY, now=NOW, actor="test", reason="courtesy")
    assert ledger.refundable_cents(db, account.id) == 6000  # a credit nobody paid in is not refunded
    ledger.reverse(db, refund.id, on=DAY, now=NOW, actor="test", reason="cheque never cashed")
    assert paid_in_cents(db, account.id) == 8000 and ledger.refundable_cents(db, account.id) == 8000


def test_an_account_with_no_entries_has_nothing_to_refund(db):
    account = create_account(db)
    assert paid_in_cents(db, account.id) == 0 and ledger.refundable_cents(db, account.id) == 0
