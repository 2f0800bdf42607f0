"""The dashboard's whole-city figures worked out from the database, and kept (the service beside
engine.office_figures, which decides when they are due, and engine.store.office_figures, which keeps them).

Nothing here reads the city's clock: the moment `now` comes in as an argument.
"""
from __future__ import annotations

import time
from datetime import date, datetime, timedelta

from sqlalchemy import Select, case, func, literal_column, select
from sqlalchemy.orm import Session, aliased, sessionmaker

from engine.city import get_city, local_today
from engine.money.ledger.balances import PAST_DUE, bucket_totals, count_of, kept_on
from engine.money.ledger.order import payment_orders
from engine.office_figures import CityFigures, due
from engine.store.db import transaction
from engine.store.models import Business, LedgerEntry, License, UtilityAccount
from engine.store.office_figures import keep_figures, last_worked_out

DAYS_SHOWN = 30
# Written into the SQL, not bound, so that a statement the server keeps prepared (PostgreSQL's generic plan)
# can still use the partial index of payment entries, ix_ledger_payments_by_day.
PAYMENT_KIND = literal_column("'payment'")


def work_out(session: Session, today: date, now: datetime) -> tuple[CityFigures, int]:
    """The figures that count or sum every account, for the city date `today`, as of `now`; and the milliseconds
    they took (a duration, for the logs: not the city's clock)."""
    started = time.perf_counter()
    count = lambda query: session.scalar(query) or 0  # noqa: E731
    figures = CityFigures(
        city_date=today, worked_out_at=now,
        active_accounts=count(select(func.count()).where(UtilityAccount.status == "active")),
        past_due_accounts=past_due_count(session, today),
        businesses=count(select(func.count()).select_from(Business)),
        active_licenses=count(select(func.count()).where(License.status == "active")),
        aging=bucket_totals(session, today),
        collected=collected_by_day(session, today))
    return figures, round((time.perf_counter() - started) * 1000)


def refresh(sessions: sessionmaker[Session], now: datetime) -> tuple[CityFigures, int] | None:
    """The scheduler's tick: work the figures out and keep them when they are due (engine.office_figures.due), else
    None after two small reads (the city's setting and the kept row's time)."""
    with sessions() as session:
        session.connection(execution_options={"sqlite_begin": "DEFERRED"})  # a read: never wait behind writers
        city = get_city(session)
        today = local_today(now, city.timezone)
        if not due(last_worked_out(session, today), now, city.dashboard_figures_seconds):
            return None
        figures, took_ms = work_out(session, today, now)
    with transaction(sessions) as session:
        keep_figures(session, figures, took_ms)
    return figures, took_ms


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
    due_on = func.coalesce(kept.due_on, kept.effective_on)
    owed = func.sum(case((netted.c.net < 0, netted.c.net), (due_on < today, netted.c.net), else_=0))
    per_account = (select(netted.c.account_id).join(kept, kept.id == netted.c.kept_id)
                   .group_by(netted.c.account_id).having(owed > 0).subquery())
    return session.scalar(select(func.count()).select_from(per_account)) or 0


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
