"""What the dashboard counts, read straight from the database for one city date."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, case, func, literal_column, select
from sqlalchemy.orm import Session, aliased

from engine.money.ledger.balances import PAST_DUE, bucket_totals, count_of, kept_on
from engine.money.ledger.order import payment_orders
from engine.store.models import Business, Case, LedgerEntry, License, Payment, SweepRun, UtilityAccount


@dataclass(frozen=True)
class OfficeSummary:
    """The day at a glance: counts of accounts, businesses, licenses, cases, sweeps, payments."""

    active_accounts: int
    past_due_accounts: int
    businesses: int
    active_licenses: int
    open_cases: list[tuple[str, str, int]]  # (workflow, state, count)
    recent_sweeps: list[SweepRun]
    payments_today: int
    payments_today_cents: int
    aging: dict[str, int]  # every account's aging today, by bucket (cents)
    aging_words: tuple[str, ...]  # the buckets' names by the payment order in force today ("1–30 days", ..)
    collected: list[tuple[date, int]]  # payments booked on each of the last 30 days (cents, returns not netted)


def past_due_count(session: Session, today: date) -> int:
    """Accounts with a past-due balance today: counted in the kept balances, or from the ledger before they are kept.

    The one-query count holds only while credits pay the oldest due first; under a payment
    order by service every standing is worked out (count_of does that while nothing is kept).
    """
    if kept_on(session) is None and not payment_orders(session).on(today).by_service:
        return past_due_accounts(session, today)
    return count_of(session, today, PAST_DUE)


def past_due_accounts(session: Session, today: date) -> int:
    """Accounts with a past-due balance today, by the ledger's aging rules (oldest due first), counted in one query."""
    # engine.money.ledger.aging in SQL, so the count needs no walk over every entry: entries dated
    # after today are left out; a reversal nets into the entry it reverses (keeping that
    # entry's due date); credits pay the oldest debits first, so an account is past due
    # exactly when its debits due before today exceed all its credits together.
    entry, kept = LedgerEntry, aliased(LedgerEntry)
    netted = (select(entry.account_id, func.coalesce(entry.reverses_id, entry.id).label("kept_id"),
                     func.sum(entry.amount_cents).label("net"))
              .where(entry.effective_on <= today)
              .group_by(entry.account_id, func.coalesce(entry.reverses_id, entry.id)).subquery())
    due = func.coalesce(kept.due_on, kept.effective_on)
    owed = func.sum(case((netted.c.net < 0, netted.c.net), (due < today, netted.c.net), else_=0))
    per_account = (select(netted.c.account_id).join(kept, kept.id == netted.c.kept_id)
                   .group_by(netted.c.account_id).having(owed > 0).subquery())
    return session.scalar(select(func.count()).select_from(per_account)) or 0


def open_cases(session: Session) -> list[tuple[str, str, int]]:
    """Open cases counted by workflow and state."""
    rows = session.execute(select(Case.workflow_id, Case.state, func.count())
                           .where(Case.closed_at.is_(None))
                           .group_by(Case.workflow_id, Case.state)
                           .order_by(Case.workflow_id, Case.state))
    return [(workflow, state, count) for workflow, state, count in rows]


def paid_on(day: date) -> Select:
    """The count and sum (cents) of the payments received on a day and still posted (through their day's index)."""
    return select(func.count(), func.coalesce(func.sum(Payment.amount_cents), 0)).where(
        Payment.received_on == day, Payment.status == "posted")


def office_summary(session: Session, today: date) -> OfficeSummary:
    """Everything the dashboard shows, as of the city's date `today`."""
    count = lambda query: session.scalar(query) or 0  # noqa: E731
    payments, payments_cents = session.execute(paid_on(today)).one()
    return OfficeSummary(
        active_accounts=count(select(func.count()).where(UtilityAccount.status == "active")),
        past_due_accounts=past_due_count(session, today),
        businesses=count(select(func.count()).select_from(Business)),
        active_licenses=count(select(func.count()).where(License.status == "active")),
        open_cases=open_cases(session),
        recent_sweeps=list(session.scalars(select(SweepRun).order_by(SweepRun.started_at.desc(),
                                                                     SweepRun.id.desc()).limit(5))),
        payments_today=payments,
        payments_today_cents=int(payments_cents),
        aging=bucket_totals(session, today),
        aging_words=payment_orders(session).on(today).bucket_words(),
        collected=collected_by_day(session, today),
    )


DAYS_SHOWN = 30
# Written into the SQL, not bound, so that a statement the server keeps prepared (PostgreSQL's generic plan)
# can still use the partial index of payment entries, ix_ledger_payments_by_day.
PAYMENT_KIND = literal_column("'payment'")


def payments_booked(first: date, last: date) -> Select:
    """(day, sum of cents) of the ledger's payment entries booked on each day from first to last, read from the
    partial index of payment entries alone."""
    return (select(LedgerEntry.effective_on, func.sum(LedgerEntry.amount_cents))
            .where(LedgerEntry.effective_on >= first, LedgerEntry.effective_on <= last, LedgerEntry.kind == PAYMENT_KIND)
            .group_by(LedgerEntry.effective_on))


def collected_by_day(session: Session, today: date) -> list[tuple[date, int]]:
    """The payments booked on each of the 30 days up to today (cents), every day listed, from the ledger's day index."""
    first = today - timedelta(days=DAYS_SHOWN - 1)
    paid = {day: -int(cents) for day, cents in session.execute(payments_booked(first, today))}
    return [(first + timedelta(days=n), paid.get(first + timedelta(days=n), 0)) for n in range(DAYS_SHOWN)]
