"""Past-due accounts for the sweeps: the accounts past due on a night, found quickly, and the bill period of a new case.

Only candidates are visited: accounts past due on the day by their kept balances
(engine.money.ledger.balances; before the balances are kept, accounts whose ledger could
show a past-due balance, decided in SQL), a window of account ids at a time. The bill
period of an account's oldest unpaid bill comes from two queries for a whole chunk. The
sweep that reads them is a document (engine.sweeps.documented).
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from sqlalchemy import and_, case as when, func, select
from sqlalchemy.orm import Session

from engine.money.ledger.balances import PAST_DUE, kept_on, standings_of
from engine.money.ledger.moving import Accounts
from engine.money.ledger.order import payment_orders
from engine.store.models import Bill, LedgerEntry, UtilityAccount


def maybe_past_due(session: Session, as_of: date, low: int, high: int) -> list[int]:
    """Accounts in (low, high] whose entries could leave something past due on the day (a superset).

    While credits pay the oldest debts first, something is past due only if the debits due
    before the day exceed the credits. Counted here: debits due before the day (and every
    reversal of a payment, which cancels that payment), less every credit that is not a
    reversal. A reversal of a charge is left out, so the sum is never below the truth. Under
    a payment order by service a credit may pay a debit not due yet first, so the credits are
    not subtracted then: every account with a debit due before the day is a candidate.
    """
    due = func.coalesce(LedgerEntry.due_on, LedgerEntry.effective_on)
    by_service = bool(payment_orders(session).on(as_of).by_service)
    owed = when((and_(LedgerEntry.amount_cents > 0, (due < as_of) | LedgerEntry.reverses_id.is_not(None)),
                 LedgerEntry.amount_cents),
                (and_(LedgerEntry.amount_cents < 0, LedgerEntry.reverses_id.is_(None), not by_service),
                 LedgerEntry.amount_cents),
                else_=0)
    return list(session.scalars(
        select(LedgerEntry.account_id)
        .where(LedgerEntry.account_id > low, LedgerEntry.account_id <= high, LedgerEntry.effective_on <= as_of)
        .group_by(LedgerEntry.account_id).having(func.sum(owed) > 0)))


def past_due_accounts(session: Session, as_of: date, low: int, high: int) -> list[int]:
    """Accounts in (low, high] past due on the day by their kept balances (not kept yet: the ledger's superset)."""
    if kept_on(session) is None:
        return maybe_past_due(session, as_of, low, high)
    return [account_id for account_id, _ in standings_of(session, as_of, PAST_DUE, Accounts(after=low, upto=high))]


def last_account_id(session: Session) -> int:
    """The highest utility account id (0 when there are none)."""
    return session.scalar(select(func.max(UtilityAccount.id))) or 0


def windows(session: Session, after: int, width: int) -> Iterator[tuple[int, int]]:
    """(low, high] windows of account ids from `after` to the last account."""
    top = last_account_id(session)
    low = after
    while low < top:
        yield low, min(low + width, top)
        low += width


def bill_periods(session: Session, oldest_due: dict[int, date]) -> dict[int, str]:
    """The bill period (YYYY-MM) of each account's oldest unpaid bill: the bill due that day, else the charge's month.

    Two queries for the whole chunk: the bills due on those days, then, for accounts whose
    charge has no bill, the month of the first charge due that day.
    """
    periods: dict[int, str] = {}
    if not oldest_due:
        return periods
    for account_id, due_on, period in session.execute(
            select(Bill.account_id, Bill.due_on, Bill.period).where(Bill.account_id.in_(list(oldest_due)),
                                                                    Bill.due_on.in_(set(oldest_due.values())))
            .order_by(Bill.id.desc())):
        if oldest_due[account_id] == due_on:
            periods[account_id] = period
    missing = [a for a in oldest_due if a not in periods]
    if missing:
        for account_id, due_on, billed in session.execute(
                select(LedgerEntry.account_id, LedgerEntry.due_on, LedgerEntry.effective_on).where(
                    LedgerEntry.account_id.in_(missing), LedgerEntry.due_on.in_(set(oldest_due.values())),
                    LedgerEntry.amount_cents > 0).order_by(LedgerEntry.id.desc())):
            if oldest_due[account_id] == due_on:
                periods[account_id] = billed.strftime("%Y-%m")
    return periods
