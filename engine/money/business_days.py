"""Business days: which are closed, closing them in order, and a closed day's reports as they were.

A closed day never changes. Once a supervisor closes a day, the posting gate books anything
dated on or before it on the next open day (its own date kept as `dated_on`), and the day's
GL export and daily receipts are served from the bytes stored at the close (engine.money.closing).

Days close in order. The first close in a database closes the books through that day (the
postings before it are history from before Ordinance closed days; only an earlier day with a
cash drawer must be closed first); from then on a day may be closed only when every earlier
day since the last close that has postings or a cash drawer is closed, so the closed days
are always one unbroken stretch and "closed" is simply "on or before the latest closed day".
A day without postings or drawers need not be closed.

On PostgreSQL each batch of postings reads the books under a shared advisory lock and a
close takes it exclusively, so a close waits for the postings in flight and every posting
after it sees the day closed (on SQLite a writing transaction already holds the database).
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select, union_all
from sqlalchemy.orm import Session

from engine.money.bounds import MoneyLimits
from engine.chart_of_accounts import chart_of
from engine.money.gate import Books
from engine.money.limits import ceiling_columns, limits_of_row
from engine.store.kept_reads import kept_read
from engine.store.models import CashDrawer, CitySettings, ClosedDay, LedgerEntry

BOOKS_LOCK = 0x4F52_4449_4E41_4E43 & 0x7FFF_FFFF_FFFF_FFFF  # "ORDINANC": the advisory lock of the closed days


def _lock_books(session: Session, *, exclusive: bool) -> None:
    """On PostgreSQL, hold the books lock until the transaction ends (shared to post, exclusive to close)."""
    if session.get_bind().dialect.name == "postgresql":
        lock = func.pg_advisory_xact_lock if exclusive else func.pg_advisory_xact_lock_shared
        session.execute(select(lock(BOOKS_LOCK)))


def hold_books_for_close(session: Session) -> None:
    """Wait for the postings in flight and keep new ones out until this close commits (PostgreSQL)."""
    _lock_books(session, exclusive=True)


def closed_through(session: Session) -> date | None:
    """The latest closed business day, or None when no day has been closed."""
    return session.scalar(select(func.max(ClosedDay.business_date)))


def books(session: Session) -> Books:
    """What the posting gate needs for one batch: the city's ceilings, the latest closed day and the chart of accounts
    (one query).

    The books' shared lock is taken every time (a savepoint rolled back lets go of it on PostgreSQL); the query is
    made once a sweep chunk (engine.store.kept_reads): no day is closed, and no ceiling changed, inside one.
    """
    _lock_books(session, exclusive=False)
    return kept_read(session, "books", lambda: _read_books(session))


def _read_books(session: Session) -> Books:
    """The city's ceilings, the latest closed day and the chart of accounts, read."""
    latest = select(func.max(ClosedDay.business_date)).scalar_subquery()
    row = session.execute(select(latest, CitySettings.chart_of_accounts, *ceiling_columns()).select_from(CitySettings)
                          .order_by(CitySettings.id).limit(1)).first()
    if row is None:  # the city has not saved its settings: the defaults
        return Books(MoneyLimits(), closed_through(session))
    return Books(limits_of_row(row[2:]), row[0], chart_of(row[1]))


def is_closed(session: Session, day: date) -> bool:
    """True when the day is on or before the latest closed day."""
    latest = closed_through(session)
    return latest is not None and day <= latest


def first_open_day(session: Session, day: date) -> date:
    """The day itself when it is open, else the day after the latest closed day (where the counter works)."""
    latest = closed_through(session)
    return day if latest is None or day > latest else latest + timedelta(days=1)


def earliest_open_day_with_activity(session: Session, before: date) -> date | None:
    """The first day before `before`, after the latest close, with postings or a drawer (before any close: drawers)."""
    latest = closed_through(session)
    drawers = select(CashDrawer.business_date.label("day")).where(CashDrawer.business_date < before)
    if latest is None:
        return session.scalar(select(func.min(drawers.subquery().c.day)))
    entries = select(LedgerEntry.effective_on.label("day")).where(LedgerEntry.effective_on > latest,
                                                                  LedgerEntry.effective_on < before)
    days = union_all(drawers.where(CashDrawer.business_date > latest), entries).subquery()
    return session.scalar(select(func.min(days.c.day)))


def refusal_to_close(session: Session, day: date) -> str | None:
    """Why the day may not be closed now (already closed, or an earlier day still open), or None."""
    latest = closed_through(session)
    if latest is not None and day <= latest:
        return f"the business day {day} is already closed (the books are closed through {latest})"
    earlier = earliest_open_day_with_activity(session, day)
    if earlier is not None:
        return (f"the business day {earlier} has postings or drawers and is still open; days close in order, "
                f"so close {earlier} first")
    return None
