"""Which accounts' standing can change between two days with no posting: for the roll-over and the readers.

With the same entries, an account's standing on one day differs from another's only when
- one of its entries takes effect between the two days (an entry dated ahead), or
- something it still owes crosses an aging boundary between them: a debit falls due (is
  one day late) or crosses into the next aging bucket (31, 61 or 91 days late in the sample city:
  the payment order's `aging`, `aging.bucket_for`).
Moving forward, an account whose every unpaid debit is over 90 days late already cannot
change (its kept balance is its over-90 bucket); moving back, any account that owes can.
Days past due changes every day but is not kept (it is the day less the oldest unpaid due).
And when the city's payment order changes between the two days (a new version of its
payment-order document takes effect), every account with entries may move: credits pay
other debits from that day.

So the accounts are found from the due dates of the ledger's debits (ix_ledger_debits_due,
which holds each debit's due date and account: no table row is read) and the entries'
effective dates (ix_ledger_effective_on), with the kept rows of the kept day: a few index
ranges, never a walk over the ledger, and never an account left out (some found do not change).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, and_, literal_column, select, union
from sqlalchemy.orm import Session

from engine.money.ledger import held
from engine.money.ledger.order import payment_orders
from engine.rules.services import SAMPLE_AGING
from engine.store.models import AccountBalance, LedgerEntry

IDS_PER_QUERY = 1000


def crossings(aging: tuple[int, ...] = SAMPLE_AGING) -> tuple[int, ...]:
    """The days late at which an unpaid amount changes bucket: (1, 31, 61, 91) for the buckets 30, 60, 90."""
    return (1, *(last + 1 for last in aging))


@dataclass(frozen=True)
class Accounts:
    """Which accounts a reader asks about: these ids, the ids in (after, upto], or (neither) every account."""

    ids: tuple[int, ...] | None = None
    after: int | None = None
    upto: int | None = None

    def where(self, column) -> ColumnElement[bool] | None:
        """The condition on an account id column (None: every account)."""
        if self.ids is not None:
            return column.in_(self.ids)
        if self.after is not None or self.upto is not None:
            return and_(column > (self.after or 0), column <= self.upto) if self.upto is not None \
                else column > self.after
        return None

    def in_parts(self) -> list[Accounts]:
        """The same accounts, at most IDS_PER_QUERY ids to a part."""
        if self.ids is None:
            return [self]
        return [Accounts(ids=self.ids[start:start + IDS_PER_QUERY]) for start in range(0, len(self.ids),
                                                                                         IDS_PER_QUERY)]


EVERY_ACCOUNT = Accounts()


def crossing_due_dates(earlier: date, later: date,
                       aging: tuple[int, ...] = SAMPLE_AGING) -> list[tuple[date, date]]:
    """The due dates (merged inclusive ranges) of a debit that crosses an aging boundary after `earlier`, by `later`
    (the buckets ending on the days of `aging`)."""
    ranges = sorted((_days_before(earlier, late - 1), later - timedelta(days=late))
                    for late in crossings(aging) if (later - date.min).days >= late)  # else no due date is so early
    merged: list[tuple[date, date]] = []
    for start, end in ranges:
        if start > end:
            continue
        if merged and start <= merged[-1][1] + timedelta(days=1):
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _days_before(day: date, days: int) -> date:
    """`days` before `day`, or the first day a date can hold (an aging as of the year 1 still answers)."""
    return day - timedelta(days=days) if (day - date.min).days >= days else date.min


def moving_accounts(session: Session, kept_on: date, day: date, accounts: Accounts = EVERY_ACCOUNT) -> set[int]:
    """The accounts (of `accounts`) whose standing on `day` may differ from the one kept on `kept_on` (a superset)."""
    held.write_first(session)
    if day == kept_on:
        return set()
    earlier, later = sorted((kept_on, day))
    found: set[int] = set()
    orders = payment_orders(session)
    if orders.changes_between(earlier, later):
        for part in accounts.in_parts():
            chosen = part.where(LedgerEntry.account_id)
            query = select(LedgerEntry.account_id).where(LedgerEntry.effective_on <= later).distinct()
            found.update(session.scalars(query if chosen is None else query.where(chosen)))
        return found
    aging = orders.on(later).aging  # the same order, and buckets, all through
    for part in accounts.in_parts():
        found.update(session.scalars(_moving_query(earlier, later, day > kept_on, part.where, aging)))
    return found


def _moving_query(earlier: date, later: date, forward: bool,
                  among: Callable[[object], ColumnElement[bool] | None], aging: tuple[int, ...]):
    """One UNION of index ranges: debits crossing a boundary on accounts that still owe, entries taking effect."""
    still_owing = AccountBalance.balance_cents > (AccountBalance.over_90_cents if forward else 0)
    # `> 0` written out, so the databases see that ix_ledger_debits_due (amount_cents > 0) serves the query
    owed = [LedgerEntry.amount_cents > literal_column("0"), still_owing]
    chosen = [] if among(LedgerEntry.account_id) is None else [among(LedgerEntry.account_id)]
    debits = select(LedgerEntry.account_id).join(AccountBalance, AccountBalance.account_id == LedgerEntry.account_id)
    parts = []
    for start, end in crossing_due_dates(earlier, later, aging):
        parts.append(debits.where(LedgerEntry.due_on.between(start, end), *owed, *chosen))
        parts.append(debits.where(LedgerEntry.due_on.is_(None), LedgerEntry.effective_on.between(start, end),
                                  *owed, *chosen))  # an entry without a due date is due on its own day
    parts.append(select(LedgerEntry.account_id).where(LedgerEntry.effective_on > earlier,
                                                      LedgerEntry.effective_on <= later, *chosen))
    return union(*parts)


def among_ids(ids: Sequence[int]) -> Accounts:
    """The Accounts of these ids."""
    return Accounts(ids=tuple(sorted(set(ids))))
