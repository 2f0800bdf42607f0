"""Reading standings from the database: one account, or every account streamed in chunks.

Both use the same pure `age()`, with the city's payment order as published
(engine.money.ledger.order); the bulk reader walks ledger rows in (account, id) order a
chunk at a time, so memory stays flat however many accounts there are. Inside a sweep chunk
(engine.store.kept_reads) an account's standing on a day is worked out once until a ledger
entry of the account is flushed: a fee's keeping, the facts after it and the letter then
read it once, not three times.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date

from sqlalchemy import bindparam, select, tuple_
from sqlalchemy.orm import Session

from engine.money.ledger.aging import Posting, Standing, age, unpaid_debits
from engine.money.ledger.order import payment_orders
from engine.rules.services import PaymentOrders
from engine.store.kept_reads import LEDGER_ROWS, STANDINGS, keeping, kept_read
from engine.store.models import Bill, LedgerEntry

_COLUMNS = (LedgerEntry.account_id, LedgerEntry.id, LedgerEntry.amount_cents, LedgerEntry.effective_on,
            LedgerEntry.due_on, LedgerEntry.reverses_id, LedgerEntry.service)


# Built once: the accounts' ledger rows on or before a day, each with its bill's period, in (account, id) order.
LEDGER_ROWS_OF = (select(LedgerEntry.account_id, LedgerEntry.id, LedgerEntry.kind, LedgerEntry.amount_cents,
                         LedgerEntry.effective_on, LedgerEntry.due_on, LedgerEntry.reverses_id, LedgerEntry.rule_id,
                         LedgerEntry.service, LedgerEntry.description, LedgerEntry.actor, Bill.period)
                  .outerjoin(Bill, Bill.id == LedgerEntry.bill_id)
                  .where(LedgerEntry.account_id.in_(bindparam("ids", expanding=True)),
                         LedgerEntry.effective_on <= bindparam("as_of"))
                  .order_by(LedgerEntry.account_id, LedgerEntry.id))


def ledger_rows(session: Session, account_ids: Iterable[int], as_of: date) -> dict[int, list]:
    """Each account's ledger rows on or before the day (LEDGER_ROWS_OF), by account id, in id order.

    Inside a sweep chunk (engine.store.kept_reads) they are kept until an entry of the account is
    flushed: a fee's keeping reads the account's rows, and the facts read after it take the same rows.
    """
    wanted = sorted(set(account_ids))
    kept = kept_read(session, LEDGER_ROWS, dict)
    found: dict[int, list] = {account_id: kept[(account_id, as_of)] for account_id in wanted
                              if (account_id, as_of) in kept}
    missing = [account_id for account_id in wanted if account_id not in found]
    if missing:
        read: dict[int, list] = {account_id: [] for account_id in missing}
        for row in session.execute(LEDGER_ROWS_OF, {"ids": missing, "as_of": as_of}):
            read[row.account_id].append(row)
        kept.update(((account_id, as_of), rows) for account_id, rows in read.items())
        found.update(read)
    return {account_id: found[account_id] for account_id in wanted}


def _posting(row) -> Posting:
    """A Posting from a selected row."""
    return Posting(row.id, row.amount_cents, row.effective_on, row.due_on, row.reverses_id, row.service)


def _kept(session: Session) -> dict[tuple[int, date], Standing]:
    """The standings worked out in this sweep chunk, by (account, day) (outside a chunk: an empty dict kept nowhere)."""
    return kept_read(session, STANDINGS, dict)




def worked_out(session: Session, as_of: date, account_ids: Iterable[int]) -> dict[int, Standing] | None:
    """The standings on the day of every one of these accounts, if this sweep chunk has worked each out since its
    ledger last changed (in the order given); None when one of them it has not."""
    kept = _kept(session)
    found = {account_id: kept.get((account_id, as_of)) for account_id in account_ids}
    return None if not found or None in found.values() else found


def standing(session: Session, account_id: int, as_of: date) -> Standing:
    """The account's standing on as_of: balance, past-due balance, days past due, aging."""
    kept = _kept(session)
    found = kept.get((account_id, as_of))
    if found is None:
        found = kept[(account_id, as_of)] = _standing(session, account_id, as_of)
    return found


def _standing(session: Session, account_id: int, as_of: date) -> Standing:
    """The account's standing, read from its ledger."""
    rows = session.execute(select(*_COLUMNS).where(LedgerEntry.account_id == account_id,
                                                   LedgerEntry.effective_on <= as_of)).all()
    return age((_posting(row) for row in rows), as_of, payment_orders(session))


def unpaid_entries(session: Session, account_id: int, as_of: date) -> dict[int, int]:
    """What is left unpaid on as_of of each of the account's debits (cents, by entry id; a reversed one is 0).

    Credits pay in the city's payment order in force on as_of, as the account's standing does.
    """
    rows = session.execute(select(*_COLUMNS).where(LedgerEntry.account_id == account_id,
                                                   LedgerEntry.effective_on <= as_of)).all()
    return unpaid_debits((_posting(row) for row in rows), as_of, payment_orders(session))


def _rows_in_order(session: Session, as_of: date, chunk: int) -> Iterator:
    """Every ledger row on or before as_of, ordered by account then id, fetched chunk rows at a time."""
    after: tuple[int, int] | None = None
    while True:
        query = select(*_COLUMNS).where(LedgerEntry.effective_on <= as_of)
        if after is not None:
            query = query.where(tuple_(LedgerEntry.account_id, LedgerEntry.id) > tuple_(*after))
        rows = session.execute(query.order_by(LedgerEntry.account_id, LedgerEntry.id).limit(chunk)).all()
        yield from rows
        if len(rows) < chunk:
            return
        after = (rows[-1].account_id, rows[-1].id)


def _grouped(rows: Iterable) -> Iterator[tuple[int, list[Posting]]]:
    """Consecutive rows of one account gathered into (account_id, postings)."""
    current, postings = None, []
    for row in rows:
        if row.account_id != current:
            if current is not None:
                yield current, postings
            current, postings = row.account_id, []
        postings.append(_posting(row))
    if current is not None:
        yield current, postings


def standings(session: Session, as_of: date, account_ids: Iterable[int] | None = None,
              chunk: int = 20000, orders: PaymentOrders | None = None) -> Iterator[tuple[int, Standing]]:
    """(account_id, Standing) for each account with entries, or for each of `account_ids`, in id order.

    Credits pay in the city's published payment order, or in `orders` when given (a draft's, to preview it).
    """
    published = orders is None
    orders = orders or payment_orders(session)
    if account_ids is None:
        for account_id, postings in _grouped(_rows_in_order(session, as_of, chunk)):
            yield account_id, age(postings, as_of, orders)
        return
    wanted = sorted(set(account_ids))
    kept = _kept(session) if published else {}
    step = max(1, min(chunk, 1000))
    for start in range(0, len(wanted), step):
        ids = wanted[start:start + step]
        missing = [account_id for account_id in ids if (account_id, as_of) not in kept]
        found = {account_id: age(postings, as_of, orders)
                 for account_id, postings in (_postings_in_chunk(session, missing, as_of) if keeping(session)
                                              else _postings_of(session, missing, as_of) if missing else ())}
        for account_id in missing:
            kept[(account_id, as_of)] = found.get(account_id) or Standing(as_of=as_of)
        for account_id in ids:
            yield account_id, kept[(account_id, as_of)]


def _postings_in_chunk(session: Session, ids: list[int], as_of: date) -> Iterator[tuple[int, list[Posting]]]:
    """(account_id, postings) of each of the accounts with entries on or before as_of, in id order, from their ledger
    rows as a sweep chunk keeps them (`ledger_rows`)."""
    for account_id, rows in ledger_rows(session, ids, as_of).items():
        if rows:
            yield account_id, [_posting(row) for row in rows]


def _postings_of(session: Session, ids: list[int], as_of: date) -> Iterator[tuple[int, list[Posting]]]:
    """(account_id, postings) of each of the accounts with entries on or before as_of, in id order.

    Run by the driver (its text with one marker per id; the rows as the driver gives them),
    each distinct day read once through the column type: a posting's keeping reads thousands
    of entries that share a few days.
    """
    connection = session.connection()
    dialect = connection.dialect
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    day_in = LedgerEntry.effective_on.type._cached_bind_processor(dialect) or (lambda day: day)
    day_out = LedgerEntry.effective_on.type._cached_result_processor(dialect, None) or (lambda day: day)
    days: dict = {None: None}
    rows = connection.exec_driver_sql(
        f"SELECT account_id, id, amount_cents, effective_on, due_on, reverses_id, service FROM ledger_entries "
        f"WHERE account_id IN ({', '.join([marker] * len(ids))}) AND effective_on <= {marker} "
        f"ORDER BY account_id, id", (*ids, day_in(as_of))).fetchall()
    current, postings = None, []
    for account_id, entry_id, cents, effective_on, due_on, reverses_id, service in rows:
        if account_id != current:
            if current is not None:
                yield current, postings
            current, postings = account_id, []
        effective = days.get(effective_on) or days.setdefault(effective_on, day_out(effective_on))
        due = days.get(due_on) or days.setdefault(due_on, day_out(due_on))
        postings.append(Posting(entry_id, cents, effective, due, reverses_id, service))
    if current is not None:
        yield current, postings


def statement(session: Session, account_id: int, as_of: date | None = None) -> list[dict]:
    """The account's entries in posting order with the running balance (cents), as a clerk reads them."""
    query = select(LedgerEntry).where(LedgerEntry.account_id == account_id).order_by(LedgerEntry.id)
    if as_of is not None:
        query = query.where(LedgerEntry.effective_on <= as_of)
    running, lines = 0, []
    for entry in session.scalars(query):
        running += entry.amount_cents
        lines.append({"id": entry.id, "on": entry.effective_on, "dated_on": entry.dated_on, "kind": entry.kind,
                      "description": entry.description,
                      "reference": entry.reference, "amount_cents": entry.amount_cents, "due_on": entry.due_on,
                      "balance_cents": running, "actor": entry.actor, "rule_id": entry.rule_id,
                      "rule_version": entry.rule_version, "reverses_id": entry.reverses_id,
                      "service": entry.service})
    return lines
