"""Balances kept as they change: each account's standing on the kept day, in `account_balances`.

What is unpaid and past due of each service is kept beside it, in `account_service_balances`
(one row per account and service with something unpaid), always written with the account's row.
This module writes the two tables and nothing else does, always in the caller's transaction:

- after postings (`keep_balances`, called by `posting.post` and the bulk writers): each
  account posted to is worked out again with `age()` from its ledger, on the kept day (the
  sample city's loader and the sweep benchmark's generator write the same `balance_row` of
  `age()` as they write each account's ledger);
- by the day roll-over (`roll_over`, the nightly `balances-rollover` sweep): the kept day
  moves forward, and only the accounts whose standing can change with the date alone
  (engine.money.ledger.moving) are worked out again;
- by a rebuild (`rebuild_balances`, audited): every account worked out from its ledger.

The kept day is the one row of `balances_day`: none while a ledger older than the table
waits for its rebuild, a row without a day while the ledger is empty (the first posting
sets it). On PostgreSQL a posting holds a shared advisory lock while it keeps its accounts
and the roll-over and rebuild hold it exclusively, so the day never moves under a posting
(a posting takes it after the audit log's lock, and so does a rebuild, which audits);
each account is worked out under an advisory lock of its own taken after its entries are
written, so two postings to one account at once never keep a standing that misses the
other's entry. (SQLite has one writer at a time.)
"""
from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from operator import attrgetter
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, bindparam, delete, distinct, func, insert, select, text, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from engine import audit
from engine.money.ledger import held
from engine.money.ledger.aging import BUCKETS, ServiceOwed, Standing
from engine.money.ledger.moving import moving_accounts
from engine.money.ledger.standing import standings
from engine.store.kept_reads import forget_reads, kept_read
from engine.store.models import AccountBalance, AccountServiceBalance, BalancesDay, LedgerEntry
from engine.store.rows import insert_columns

BALANCES_LOCK = 0x4B45_5054_4241_4C53  # "KEPTBALS": shared by postings, exclusive for a roll-over or rebuild
ACCOUNT_LOCKS = 0x4B455054  # "KEPT": the first key of an account's own advisory lock (its id the second)
ROWS_PER_WRITE = 2000
SERVICE_COLUMNS = {"unpaid_cents": "unpaid_cents", "past_due_cents": "past_due_cents",  # column: ServiceOwed's
                   **{f"{name}_cents": name for name in BUCKETS}}
KEPT_COLUMNS = ("balance_cents", "past_due_cents", "oldest_unpaid_due", *(f"{name}_cents" for name in BUCKETS))


@dataclass(frozen=True)
class KeptDay:
    """Whether the balances are kept, and the day they are kept for (None: nothing posted yet)."""

    kept: bool
    as_of: date | None = None


@dataclass(frozen=True)
class RollOver:
    """What a roll-over did: the day it moved from and to, and how many accounts it worked out again."""

    from_day: date | None
    to_day: date
    accounts: int
    rebuilt: bool = False


KEPT_DAY = select(BalancesDay.as_of).where(BalancesDay.id == 1)  # built once: every posting reads it


def kept_day(session: Session) -> KeptDay:
    """The kept day as `balances_day` holds it (read once a sweep chunk once there is a day: it then stays put)."""
    return kept_read(session, "kept_day", lambda: _kept_day(session), lambda day: day.as_of is not None)


def _kept_day(session: Session) -> KeptDay:
    """The kept day, read from `balances_day`."""
    row = session.execute(KEPT_DAY).first()
    return KeptDay(False) if row is None else KeptDay(True, row.as_of)


def balance_row(account_id: int, standing: Standing) -> dict[str, Any]:
    """The account_balances row of an account's standing."""
    return {"account_id": account_id, "balance_cents": standing.balance_cents,
            "past_due_cents": standing.past_due_cents, "oldest_unpaid_due": standing.oldest_unpaid_due,
            **{f"{name}_cents": getattr(standing, name) for name in BUCKETS}}


def service_rows(account_id: int, standing: Standing) -> list[dict[str, Any]]:
    """The account_service_balances rows of an account's standing: one per service with something unpaid."""
    return [{"account_id": account_id, "service": owed.service, "unpaid_cents": owed.unpaid_cents,
             "past_due_cents": owed.past_due_cents, **{f"{name}_cents": getattr(owed, name) for name in BUCKETS}}
            for owed in standing.by_service]


def standing_of_row(row: Row, as_of: date, services: Iterable[Row] = ()) -> Standing:
    """The standing a kept row (and its service rows) holds, read on `as_of` (the kept day, or a day it cannot
    have moved from)."""
    oldest = row.oldest_unpaid_due
    return Standing(as_of=as_of, balance_cents=row.balance_cents, past_due_cents=row.past_due_cents,
                    days_past_due=(as_of - oldest).days if oldest else 0, oldest_unpaid_due=oldest,
                    **{name: getattr(row, f"{name}_cents") for name in BUCKETS},
                    by_service=tuple(ServiceOwed(s.service, s.unpaid_cents, s.past_due_cents,
                                                 *(getattr(s, f"{name}_cents") for name in BUCKETS))
                                     for s in sorted(services, key=lambda s: s.service)))


SERVICE_ROW = tuple(AccountServiceBalance.__table__.c)


SERVICES_KEPT = select(*SERVICE_ROW).where(AccountServiceBalance.account_id.in_(bindparam("ids", expanding=True)))


def kept_services(session: Session, account_ids: list[int]) -> dict[int, list[Row]]:
    """The kept service rows of these accounts (a few thousand at most), by account."""
    held.write_first(session)
    found: dict[int, list[Row]] = {}
    if account_ids:
        for row in session.execute(SERVICES_KEPT, {"ids": account_ids}):
            found.setdefault(row.account_id, []).append(row)
    return found


def keep_balances(session: Session, account_ids: Iterable[int], *, on: date) -> None:
    """Work out again the kept standing of each account just posted to; `on` starts an empty ledger's kept day."""
    ids = sorted(set(account_ids))
    if not ids:
        return
    _lock_day(session, exclusive=False)
    day = _day_to_keep(session, on)
    if day is None:
        return
    _lock_accounts(session, ids)
    found = list(standings(session, day, account_ids=ids))
    if not held.hold(session, found):  # inside a sweep chunk the kept rows are written when it ends
        write_standings(session, found)


def holding_balances(session: Session) -> AbstractContextManager[None]:
    """Hold the kept rows the block's postings work out and write them when it ends (engine.money.ledger.held)."""
    return held.holding(session, write_standings)


def write_standings(session: Session, found: Iterable[tuple[int, Standing]], *, no_service_rows: bool = False) -> int:
    """Insert or replace the kept rows of each (account, standing), a batch per statement; how many accounts.

    `no_service_rows`: the caller read that none of these accounts has kept service rows (none to delete first).
    """
    batch: list[tuple[int, Standing]] = []
    written = 0
    for found_one in found:
        batch.append(found_one)
        if len(batch) >= ROWS_PER_WRITE:
            written += _upsert(session, batch, no_service_rows)
            batch = []
    return written + _upsert(session, batch, no_service_rows)


def roll_over(session: Session, day: date, *, now: datetime, actor: str) -> RollOver:
    """Move the kept day forward to `day`, working out again only the accounts whose standing can change by then.

    Idempotent: a day on or before the kept day changes nothing. Balances not kept yet are rebuilt.
    """
    held.write_first(session)
    if not kept_day(session).kept:
        return RollOver(None, day, rebuild_balances(session, day, now=now, actor=actor), rebuilt=True)
    _lock_day(session, exclusive=True)
    kept = kept_day(session)
    if kept.as_of is not None and kept.as_of >= day:
        return RollOver(kept.as_of, kept.as_of, 0)
    moved = sorted(moving_accounts(session, kept.as_of, day)) if kept.as_of is not None else []
    write_standings(session, standings(session, day, account_ids=moved))
    _set_day(session, day, now)
    return RollOver(kept.as_of, day, len(moved))


def rebuild_balances(session: Session, day: date, *, now: datetime, actor: str) -> int:
    """Work out every account's standing on `day` from its ledger and keep them all (audited); how many accounts.

    The audit row comes first: a posting holds the audit log's lock before it keeps its
    accounts, so the rebuild takes the two in that order too (on PostgreSQL, never a deadlock).
    """
    held.write_first(session)
    accounts = session.scalar(select(func.count(distinct(LedgerEntry.account_id)))
                              .where(LedgerEntry.effective_on <= day)) or 0
    audit.record(session, actor=actor, action="ledger.balances_rebuilt", subject_type="ledger",
                 subject_id="account_balances", detail={"as_of": day.isoformat(), "accounts": accounts}, at=now)
    _lock_day(session, exclusive=True)
    session.execute(delete(AccountServiceBalance))
    session.execute(delete(AccountBalance))
    written = write_standings(session, standings(session, day))
    _set_day(session, day, now)
    return written


def start_keeping(session: Session, day: date) -> None:
    """Keep the balances of a ledger that is still empty from `day` (the sample city's and the benchmark's loaders)."""
    _set_day(session, day, None)


def _day_to_keep(session: Session, on: date) -> date | None:
    """The kept day (set to `on` if the ledger had none yet), or None when the balances are not kept."""
    kept = kept_day(session)
    if not kept.kept or kept.as_of is not None:
        return kept.as_of
    session.execute(update(BalancesDay).where(BalancesDay.id == 1, BalancesDay.as_of.is_(None))
                    .values(as_of=on).execution_options(synchronize_session=False))
    return kept_day(session).as_of  # another posting may have set it first


def _set_day(session: Session, day: date, now: datetime | None) -> None:
    """The kept day's row says `day` (made if missing)."""
    values = {"as_of": day, "changed_at": now}
    held.write_first(session)  # standings held for the old day are written before it moves
    forget_reads(session)  # a chunk that kept the old day must not go on with it
    if session.execute(update(BalancesDay).where(BalancesDay.id == 1).values(**values)
                       .execution_options(synchronize_session=False)).rowcount == 0:
        session.execute(insert(BalancesDay).values(id=1, **values))


SERVICES_OF = delete(AccountServiceBalance).where(
    AccountServiceBalance.account_id.in_(bindparam("ids", expanding=True))).execution_options(
    synchronize_session=False)


def _upsert(session: Session, found: list[tuple[int, Standing]], no_service_rows: bool = False) -> int:
    """Insert the accounts' rows, replacing the kept rows of an account that has them; how many accounts."""
    if not found:
        return 0
    ids = [account_id for account_id, _ in found]
    standings = [standing for _, standing in found]
    insert_columns(session, AccountBalance.__table__, {
        "account_id": ids, "balance_cents": [s.balance_cents for s in standings],
        "past_due_cents": [s.past_due_cents for s in standings],
        "oldest_unpaid_due": [s.oldest_unpaid_due for s in standings],
        **{f"{name}_cents": list(map(attrgetter(name), standings)) for name in BUCKETS}}, replacing_on="account_id")
    if not no_service_rows:
        session.execute(SERVICES_OF, {"ids": ids})
    owed = [(account_id, service) for account_id, standing in found for service in standing.by_service]
    insert_columns(session, AccountServiceBalance.__table__, {
        "account_id": [account_id for account_id, _ in owed], "service": [service.service for _, service in owed],
        **{column: [getattr(service, name) for _, service in owed] for column, name in SERVICE_COLUMNS.items()}})
    return len(found)


def _is_postgresql(session: Session) -> bool:
    """True on PostgreSQL (the advisory locks); SQLite already has one writer at a time."""
    return session.get_bind().dialect.name == "postgresql"


def _lock_day(session: Session, *, exclusive: bool) -> None:
    """On PostgreSQL, hold the kept day until the transaction ends (shared to keep accounts, exclusive to move it)."""
    if _is_postgresql(session):
        lock = func.pg_advisory_xact_lock if exclusive else func.pg_advisory_xact_lock_shared
        session.execute(select(lock(BALANCES_LOCK)))


ACCOUNT_LOCKS_IN_ORDER = text("SELECT pg_advisory_xact_lock(CAST(:space AS integer), id) "
                              "FROM unnest(CAST(:ids AS integer[])) AS id").bindparams(
    bindparam("ids", type_=postgresql.ARRAY(postgresql.INTEGER)))


def _lock_accounts(session: Session, ids: list[int]) -> None:
    """On PostgreSQL, each account's own lock, in id order (ids come sorted), until the transaction ends."""
    if _is_postgresql(session):
        session.execute(ACCOUNT_LOCKS_IN_ORDER, {"space": ACCOUNT_LOCKS, "ids": ids})
