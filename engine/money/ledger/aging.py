"""Balance, past-due balance, days past due and aging, derived from ledger entries (pure).

The sign convention, in one place: an entry's `amount_cents` is positive when it makes the
customer owe more (charge, fee, positive adjustment, a refund paying a credit back, the
reversal of a payment) and negative when it reduces what is owed (payment, negative
adjustment, write-off, a deposit applied, the reversal of a charge or fee). The balance is
the plain sum of the entries; a negative balance is a credit the city owes the customer.

Aging: a reversal first cancels the entry it reverses. Then every remaining credit pays the
unpaid debits in the city's payment order in force on the as-of day (a `payment-order`
rule document, handed in as data: engine.rules.services.PaymentOrders): oldest due first
(an entry without a due date is due on its effective date), or the debits of the services
it lists first, in its order, oldest due first within each. Each unpaid remainder falls in a
bucket by the days it is past due on the as-of day (the buckets' last days are the payment
order's `aging`, the sample city's 30, 60 and 90); a credit balance sits in `current`.
The buckets always sum to the balance. What is unpaid is also summed by service (a debit
without a service under the catch-all, `other`).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from engine.money import from_cents
from engine.rules.services import CATCH_ALL, OLDEST_FIRST_ALWAYS, SAMPLE_AGING, PaymentOrders

BUCKETS = ("current", "days_1_30", "days_31_60", "days_61_90", "over_90")


class Posting(NamedTuple):
    """What aging needs of one ledger entry (a row of ledger_entries, or a test's own)."""

    id: int
    amount_cents: int
    effective_on: date
    due_on: date | None = None
    reverses_id: int | None = None
    service: str | None = None  # the service a debit bills; None: the catch-all


@dataclass(frozen=True)
class ServiceOwed:
    """What an account owes of one service on a day: unpaid, the part of it past due, and its aging (cents)."""

    service: str
    unpaid_cents: int
    past_due_cents: int = 0
    current: int = 0
    days_1_30: int = 0
    days_31_60: int = 0
    days_61_90: int = 0
    over_90: int = 0

    def buckets(self) -> dict[str, int]:
        """The service's aging buckets by name, in cents, in order (they sum to what is unpaid)."""
        return {name: getattr(self, name) for name in BUCKETS}


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
    by_service: tuple[ServiceOwed, ...] = ()  # each service with something unpaid, by name

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

    def unpaid_by_service(self) -> dict[str, int]:
        """What is unpaid of each service, in cents (only the services with something unpaid)."""
        return {owed.service: owed.unpaid_cents for owed in self.by_service}

    def past_due_by_service(self) -> dict[str, int]:
        """What is past due of each service, in cents (only the services with something past due)."""
        return {owed.service: owed.past_due_cents for owed in self.by_service if owed.past_due_cents}


def bucket_for(days_late: int, aging: tuple[int, ...] = SAMPLE_AGING) -> str:
    """The aging bucket of an amount that is `days_late` days past due (0 or less: current), the three past-due
    buckets before the last ending on the days of `aging` (the payment order's). The buckets keep their names
    (days_1_30, ..., over_90) whatever their days: the names are columns; the pages say the days."""
    if days_late <= 0:
        return "current"
    first, second, third = aging
    if days_late <= first:
        return "days_1_30"
    if days_late <= second:
        return "days_31_60"
    if days_late <= third:
        return "days_61_90"
    return "over_90"


SERVICE_SUMS = ("unpaid_cents", "past_due_cents", *BUCKETS)


class Debit(NamedTuple):
    """A debit in force on a day, net of its reversals, with what is left of it unpaid (cents)."""

    id: int
    due_on: date
    service: str | None
    amount_cents: int
    unpaid_cents: int


def _net_of_reversals(entries: Iterable[Posting], as_of: date) -> list[list]:
    """[amount, due, id, service] for each entry in force on as_of, after reversals cancel their targets."""
    kept: dict[int, list] = {}
    for entry in entries:
        if entry.effective_on > as_of:
            continue
        target = kept.get(entry.reverses_id) if entry.reverses_id is not None else None
        if target is not None:
            target[0] += entry.amount_cents
            continue
        kept[entry.id] = [entry.amount_cents, entry.due_on or entry.effective_on, entry.id, entry.service]
    return list(kept.values())


def _paid_in_order(entries: Iterable[Posting], as_of: date,
                   orders: PaymentOrders) -> tuple[int, int, list[tuple[date, int, int, str | None, int]]]:
    """(balance, credit left over, [(due, id, amount, service, unpaid)] in the order credits pay the debits)."""
    netted = _net_of_reversals(sorted(entries, key=lambda e: e.id), as_of)
    balance = sum(n[0] for n in netted)
    credit = -sum(n[0] for n in netted if n[0] < 0)
    order = orders.on(as_of)
    if order.by_service:
        rank = order.rank
        debits = sorted((rank(service), due, entry_id, amount, service)
                        for amount, due, entry_id, service in netted if amount > 0)
        debits = [debit[1:] for debit in debits]
    else:
        debits = sorted((due, entry_id, amount, service) for amount, due, entry_id, service in netted if amount > 0)
    paid = []
    for due, entry_id, amount, service in debits:
        applied = credit if credit < amount else amount
        credit -= applied
        paid.append((due, entry_id, amount, service, amount - applied))
    return balance, credit, paid


def settle(entries: Iterable[Posting], as_of: date,
           orders: PaymentOrders = OLDEST_FIRST_ALWAYS) -> tuple[int, int, list[Debit]]:
    """(balance, credit left over, each debit in the order credits pay them with what is left unpaid) on as_of."""
    balance, credit, paid = _paid_in_order(entries, as_of, orders)
    return balance, credit, [Debit(entry_id, due, service, amount, unpaid)
                             for due, entry_id, amount, service, unpaid in paid]


def age(entries: Iterable[Posting], as_of: date, orders: PaymentOrders = OLDEST_FIRST_ALWAYS) -> Standing:
    """The account's standing on as_of from its entries (any order); entries dated later are ignored."""
    balance, credit, paid = _paid_in_order(entries, as_of, orders)
    aging = orders.on(as_of).aging
    buckets = dict.fromkeys(BUCKETS, 0)
    unpaid_of: dict[str, dict[str, int]] = {}
    past_due, oldest = 0, None
    for due, _, _, service, unpaid in paid:
        if unpaid == 0:
            continue
        late = (as_of - due).days
        bucket = bucket_for(late, aging)
        buckets[bucket] += unpaid
        owed = unpaid_of.get(service or CATCH_ALL)
        if owed is None:
            owed = unpaid_of[service or CATCH_ALL] = dict.fromkeys(SERVICE_SUMS, 0)
        owed["unpaid_cents"] += unpaid
        owed[bucket] += unpaid
        if late > 0:
            past_due += unpaid
            owed["past_due_cents"] += unpaid
            if oldest is None or due < oldest:
                oldest = due
    buckets["current"] -= credit  # a credit left after paying every debit is the customer's
    return Standing(as_of=as_of, balance_cents=balance, past_due_cents=past_due,
                    days_past_due=(as_of - oldest).days if oldest else 0,
                    oldest_unpaid_due=oldest, **buckets,
                    by_service=tuple(ServiceOwed(name, **unpaid_of[name]) for name in sorted(unpaid_of)))


def unpaid_debits(entries: Iterable[Posting], as_of: date,
                  orders: PaymentOrders = OLDEST_FIRST_ALWAYS) -> dict[int, int]:
    """What is left unpaid of each debit on as_of (cents, by entry id), credits paying in the city's order."""
    return {entry_id: unpaid for _, entry_id, _, _, unpaid in _paid_in_order(entries, as_of, orders)[2]}
