"""Balance, past-due balance, days past due and aging, derived from ledger entries (pure).

The sign convention, in one place: an entry's `amount_cents` is positive when it makes the
customer owe more (charge, fee, positive adjustment, a refund paying a credit back, the
reversal of a payment) and negative when it reduces what is owed (payment, negative
adjustment, write-off, a deposit applied, the reversal of a charge or fee). The balance is
the plain sum of the entries; a negative balance is a credit the city owes the customer.

Aging: a reversal first cancels the entry it reverses. Then every remaining credit pays the
unpaid debits oldest first, by due date (an entry without a due date is due on its
effective date). Each unpaid remainder falls in a bucket by the days it is past due on the
as-of day; a credit balance sits in `current`. The buckets always sum to the balance.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from engine.money import from_cents

BUCKETS = ("current", "days_1_30", "days_31_60", "days_61_90", "over_90")


class Posting(NamedTuple):
    """What aging needs of one ledger entry (a row of ledger_entries, or a test's own)."""

    id: int
    amount_cents: int
    effective_on: date
    due_on: date | None = None
    reverses_id: int | None = None


@dataclass(frozen=True)
class Standing:
    """Where an account stands on a day: balance, past due, days past due, aging buckets (cents)."""

    as_of: date
    balance_cents: int = 0
    past_due_cents: int = 0
    days_past_due: int = 0
    oldest_unpaid_due: date | None = None
    current: int = 0
    days_1_30: int = 0
    days_31_60: int = 0
    days_61_90: int = 0
    over_90: int = 0

    @property
    def balance(self) -> Decimal:
        """The balance in dollars (negative: a credit)."""
        return from_cents(self.balance_cents)

    @property
    def past_due_balance(self) -> Decimal:
        """What was due before the as-of day and is still unpaid, in dollars."""
        return from_cents(self.past_due_cents)

    def buckets(self) -> dict[str, int]:
        """The aging buckets by name, in cents, in order."""
        return {name: getattr(self, name) for name in BUCKETS}


def bucket_for(days_late: int) -> str:
    """The aging bucket of an amount that is `days_late` days past due (0 or less: current)."""
    if days_late <= 0:
        return "current"
    if days_late <= 30:
        return "days_1_30"
    if days_late <= 60:
        return "days_31_60"
    if days_late <= 90:
        return "days_61_90"
    return "over_90"


def _net_of_reversals(entries: Iterable[Posting], as_of: date) -> list[list]:
    """[amount, due, id] for each entry in force on as_of, after reversals cancel their targets."""
    kept: dict[int, list] = {}
    for entry in entries:
        if entry.effective_on > as_of:
            continue
        target = kept.get(entry.reverses_id) if entry.reverses_id is not None else None
        if target is not None:
            target[0] += entry.amount_cents
            continue
        kept[entry.id] = [entry.amount_cents, entry.due_on or entry.effective_on, entry.id]
    return list(kept.values())


def age(entries: Iterable[Posting], as_of: date) -> Standing:
    """The account's standing on as_of from its entries (any order); entries dated later are ignored."""
    netted = _net_of_reversals(sorted(entries, key=lambda e: e.id), as_of)
    balance = sum(amount for amount, _, _ in netted)
    credit = -sum(amount for amount, _, _ in netted if amount < 0)
    debits = sorted((due, entry_id, amount) for amount, due, entry_id in netted if amount > 0)
    buckets = dict.fromkeys(BUCKETS, 0)
    past_due, oldest = 0, None
    for due, _, amount in debits:
        applied = min(credit, amount)
        credit -= applied
        unpaid = amount - applied
        if unpaid == 0:
            continue
        late = (as_of - due).days
        buckets[bucket_for(late)] += unpaid
        if late > 0:
            past_due += unpaid
            oldest = due if oldest is None else min(oldest, due)
    buckets["current"] -= credit  # a credit left after paying every debit is the customer's
    return Standing(as_of=as_of, balance_cents=balance, past_due_cents=past_due,
                    days_past_due=(as_of - oldest).days if oldest else 0,
                    oldest_unpaid_due=oldest, **buckets)


def unpaid_debits(entries: Iterable[Posting], as_of: date) -> dict[int, int]:
    """What is left unpaid of each debit on as_of (cents, by entry id), credits paying the oldest due first."""
    netted = _net_of_reversals(sorted(entries, key=lambda e: e.id), as_of)
    credit = -sum(amount for amount, _, _ in netted if amount < 0)
    unpaid = {}
    for due, entry_id, amount in sorted((due, entry_id, amount) for amount, due, entry_id in netted if amount > 0):
        applied = min(credit, amount)
        credit -= applied
        unpaid[entry_id] = amount - applied
    return unpaid
