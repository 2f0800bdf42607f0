"""A Hypothesis state machine posts random sequences to one account through the ledger services."""
from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test
from sqlalchemy import select

from engine.money import ledger
from engine.money.ledger import LedgerError
from engine.money import from_cents
from engine.store.models import LedgerEntry, Payment
from tests.factories import NOW, create_account

cents = st.integers(min_value=1, max_value=60000)


class LedgerMachine(RuleBasedStateMachine):
    """Charges, payments, returns, adjustments, refunds and write-offs on one account; a model alongside."""

    def __init__(self, db):
        super().__init__()
        self.db = db
        self.account = create_account(db)
        self.day = date(2026, 1, 1)
        self.model: list[int] = []          # every amount posted, in cents
        self.paid_in = 0                    # payments net of returns
        self.refunded = 0
        self.open_payments: list[LedgerEntry] = []
        self.correctable: list[LedgerEntry] = []   # charges, fees, adjustments not yet reversed

    def _post(self, entry: LedgerEntry) -> None:
        """Remember an entry the service posted."""
        self.model.append(entry.amount_cents)
        if entry.kind in ("charge", "fee", "adjustment"):
            self.correctable.append(entry)

    @precondition(lambda self: self.correctable)
    @rule(pick=st.integers(0, 1000))
    def correct_by_reversal(self, pick):
        entry = self.correctable.pop(pick % len(self.correctable))
        reversal = ledger.reverse(self.db, entry.id, on=self.day, now=NOW, actor="supervisor1", reason="posted in error")
        assert reversal.amount_cents == -entry.amount_cents
        self._post(reversal)

    @rule(amount=cents, due_in=st.integers(0, 40))
    def charge(self, amount, due_in):
        self._post(ledger.post_charge(self.db, self.account.id, from_cents(amount), on=self.day,
                                      due_on=self.day + timedelta(days=due_in), now=NOW, actor="billing:A-2026-01",
                                      description="Water and sewer", rule_id="water-rates-residential",
                                      rule_version="2025-07-01"))

    @rule(amount=cents)
    def fee(self, amount):
        self._post(ledger.post_fee(self.db, self.account.id, from_cents(amount), on=self.day, now=NOW,
                                   actor="sweep:late-fee", description="Late fee"))

    @rule(amount=cents)
    def payment(self, amount):
        payment = Payment(account_id=self.account.id, amount_cents=amount, tender="check", source="counter",
                          received_on=self.day, idempotency_key=uuid.uuid4().hex, actor="clerk1", posted_at=NOW)
        self.db.add(payment)
        self.db.flush()
        entry = ledger.post_payment(self.db, payment, now=NOW)
        self._post(entry)
        self.paid_in += amount
        self.open_payments.append(entry)

    @precondition(lambda self: self.open_payments)
    @rule(pick=st.integers(0, 1000))
    def return_payment(self, pick):
        entry = self.open_payments.pop(pick % len(self.open_payments))
        self._post(ledger.reverse(self.db, entry.id, on=self.day, now=NOW, actor="clerk1", reason="NSF"))
        self.paid_in += entry.amount_cents
        with pytest.raises(LedgerError, match="already been reversed"):
            ledger.reverse(self.db, entry.id, on=self.day, now=NOW, actor="clerk1", reason="twice")

    @rule(amount=st.integers(-60000, 60000).filter(bool))
    def adjustment(self, amount):
        self._post(ledger.post_adjustment(self.db, self.account.id, from_cents(amount), on=self.day, now=NOW,
                                          actor="supervisor1", reason="meter misread"))

    @rule(amount=cents)
    def refund(self, amount):
        allowed = min(-sum(self.model), self.paid_in - self.refunded)
        if amount <= allowed:
            self._post(ledger.post_refund(self.db, self.account.id, from_cents(amount), on=self.day, now=NOW,
                                          actor="supervisor1"))
            self.refunded += amount
            assert self.refunded <= self.paid_in  # a check returned later may undo this; the bank decides that
        else:
            with pytest.raises(LedgerError, match="refund"):
                ledger.post_refund(self.db, self.account.id, from_cents(amount), on=self.day, now=NOW,
                                   actor="supervisor1")

    @rule(amount=cents)
    def write_off(self, amount):
        if amount <= sum(self.model):
            self._post(ledger.post_write_off(self.db, self.account.id, from_cents(amount), on=self.day, now=NOW,
                                             actor="supervisor1", reason="uncollectible"))
        else:
            with pytest.raises(LedgerError, match="write-off"):
                ledger.post_write_off(self.db, self.account.id, from_cents(amount), on=self.day, now=NOW,
                                      actor="supervisor1", reason="uncollectible")

    @rule(days=st.integers(1, 45))
    def time_passes(self, days):
        self.day += timedelta(days=days)

    @invariant()
    def balance_is_the_sum_of_entries(self):
        stored = self.db.scalars(select(LedgerEntry.amount_cents)
                                 .where(LedgerEntry.account_id == self.account.id)).all()
        assert ledger.balance_cents(self.db, self.account.id) == sum(stored) == sum(self.model)

    @invariant()
    def buckets_sum_to_the_balance(self):
        standing = ledger.standing(self.db, self.account.id, self.day)
        assert standing.balance_cents == sum(self.model)
        assert sum(standing.buckets().values()) == standing.balance_cents
        assert standing.balance == Decimal(sum(self.model)) / 100

    @invariant()
    def refunds_never_exceed_what_was_paid(self):
        expected = max(0, min(-sum(self.model), self.paid_in - self.refunded))
        assert ledger.refundable_cents(self.db, self.account.id) == expected

def test_random_postings_keep_the_ledger_whole(db):
    """Balance = sum of entries, buckets = balance, and refunds stay within what was paid, for any sequence."""
    run_state_machine_as_test(
        lambda: LedgerMachine(db),
        settings=settings(max_examples=40, stateful_step_count=25, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]))
