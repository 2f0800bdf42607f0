"""Standings on a day read from the kept balances: for some accounts, for a population, or counted.

The kept rows hold each account's standing on the kept day. For another day, the accounts
whose standing may have moved since (engine.money.ledger.moving) are worked out from their
ledger and the others are read as kept, so a reader is right on any day and costs only
index reads on the kept day itself (the nightly roll-over keeps that day today). While
the balances are not kept (a ledger older than the table, waiting for its rebuild) every
standing is worked out from the ledger, as before the table.
"""
from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.orm import Session

from engine.money.ledger import held
from engine.money.ledger.aging import BUCKETS, Standing
from engine.money.ledger.kept import kept_day, kept_services, standing_of_row
from engine.money.ledger.moving import EVERY_ACCOUNT, Accounts, among_ids, moving_accounts
from engine.money.ledger.standing import standings, worked_out
from engine.store.models import AccountBalance, LedgerEntry

ROWS_PER_READ = 5000
KEPT_ROW = tuple(AccountBalance.__table__.c)  # read as plain rows: a population can be every account


@dataclass(frozen=True)
class Population:
    """Accounts picked by their standing: as a condition on the kept rows, and as a test of a standing."""

    kept: ColumnElement[bool]
    holds: Callable[[Standing], bool]


PAST_DUE = Population(AccountBalance.past_due_cents > 0, lambda s: s.past_due_cents > 0)
OWING = Population(AccountBalance.balance_cents > 0, lambda s: s.balance_cents > 0)
WITH_A_BALANCE = Population(AccountBalance.balance_cents != 0, lambda s: s.balance_cents != 0)  # owing or in credit
EVERY_KEPT = Population(true(), lambda s: True)


def kept_on(session: Session) -> date | None:
    """The day the balances are kept for; None while they are not kept (read the ledger then)."""
    return kept_day(session).as_of


def standings_on(session: Session, as_of: date, account_ids: Iterable[int]) -> dict[int, Standing]:
    """Each account's standing on the day, in id order (a zero standing for an account without entries).

    Inside a sweep chunk, standings it has worked out from the ledger already (a fee's keeping) are taken as they are.
    """
    accounts = among_ids(account_ids)
    known = worked_out(session, as_of, accounts.ids)
    if known is not None:
        return known
    held.write_first(session)
    day = kept_on(session)
    if day is None:
        return dict(standings(session, as_of, account_ids=accounts.ids))
    moved = moving_accounts(session, day, as_of, accounts)
    found = dict(standings(session, as_of, account_ids=moved)) if moved else {}
    for part in accounts.in_parts():
        rows = [row for row in session.execute(select(*KEPT_ROW).where(part.where(AccountBalance.account_id)))
                if row.account_id not in moved]
        services = kept_services(session, [row.account_id for row in rows])
        for row in rows:
            found[row.account_id] = standing_of_row(row, as_of, services.get(row.account_id, ()))
    return {account_id: found.get(account_id) or Standing(as_of=as_of) for account_id in accounts.ids}


def standings_of(session: Session, as_of: date, population: Population,
                 accounts: Accounts = EVERY_ACCOUNT) -> Iterator[tuple[int, Standing]]:
    """(account id, standing) of each account of the population on the day, in id order, streamed."""
    held.write_first(session)
    day = kept_on(session)
    if day is None:
        yield from ((a, s) for a, s in _from_the_ledger(session, as_of, accounts) if population.holds(s))
        return
    moved = moving_accounts(session, day, as_of, accounts)
    fresh = ((a, s) for a, s in standings(session, as_of, account_ids=moved) if population.holds(s))
    kept = ((a, s) for a, s in _kept_rows(session, as_of, population, accounts) if a not in moved)
    yield from heapq.merge(kept, fresh, key=lambda found: found[0])


def count_of(session: Session, as_of: date, population: Population) -> int:
    """How many accounts are in the population on the day: a count of kept rows, the moved ones worked out."""
    held.write_first(session)
    day = kept_on(session)
    if day is None:
        return sum(1 for _ in standings_of(session, as_of, population))
    counted = session.scalar(select(func.count()).select_from(AccountBalance).where(population.kept)) or 0
    moved = moving_accounts(session, day, as_of)
    if not moved:
        return counted
    for part in among_ids(moved).in_parts():
        counted -= session.scalar(select(func.count()).select_from(AccountBalance)
                                  .where(population.kept, part.where(AccountBalance.account_id))) or 0
    return counted + sum(1 for _, s in standings(session, as_of, account_ids=moved) if population.holds(s))


def _kept_rows(session: Session, as_of: date, population: Population,
               accounts: Accounts) -> Iterator[tuple[int, Standing]]:
    """The kept rows of the population among the accounts, in id order, ROWS_PER_READ at a time."""
    for part in accounts.in_parts():
        after = 0
        while True:
            query = select(*KEPT_ROW).where(population.kept, AccountBalance.account_id > after)
            chosen = part.where(AccountBalance.account_id)
            rows = session.execute((query if chosen is None else query.where(chosen))
                                   .order_by(AccountBalance.account_id).limit(ROWS_PER_READ)).all()
            services = kept_services(session, [row.account_id for row in rows])
            for row in rows:
                yield row.account_id, standing_of_row(row, as_of, services.get(row.account_id, ()))
            if len(rows) < ROWS_PER_READ:
                break
            after = rows[-1].account_id


def _from_the_ledger(session: Session, as_of: date, accounts: Accounts) -> Iterator[tuple[int, Standing]]:
    """Every standing worked out from the ledger (balances not kept): the accounts asked about that have entries."""
    if accounts == EVERY_ACCOUNT:
        yield from standings(session, as_of)
        return
    chosen = accounts.where(LedgerEntry.account_id)
    ids = session.scalars(select(LedgerEntry.account_id).where(chosen, LedgerEntry.effective_on <= as_of)
                          .distinct()).all()
    yield from standings(session, as_of, account_ids=ids)


def bucket_totals(session: Session, as_of: date) -> dict[str, int]:
    """The city's aging on the day: each bucket summed over every account (cents), from the kept balances.

    The sums of the kept rows, with the accounts that moved since the kept day worked out
    afresh; before the balances are kept, every standing from the ledger.
    """
    held.write_first(session)
    totals = dict.fromkeys(BUCKETS, 0)
    day = kept_on(session)
    if day is None:
        for _, found in standings(session, as_of):
            for name in BUCKETS:
                totals[name] += getattr(found, name)
        return totals
    columns = [func.coalesce(func.sum(getattr(AccountBalance, f"{name}_cents")), 0) for name in BUCKETS]
    for name, value in zip(BUCKETS, session.execute(select(*columns)).one()):
        totals[name] += int(value)
    moved = moving_accounts(session, day, as_of)
    for part in among_ids(moved).in_parts() if moved else ():
        kept = session.execute(select(*columns).where(part.where(AccountBalance.account_id))).one()
        for name, value in zip(BUCKETS, kept):
            totals[name] -= int(value)
    for _, found in standings(session, as_of, account_ids=moved) if moved else ():
        for name in BUCKETS:
            totals[name] += getattr(found, name)
    return totals
