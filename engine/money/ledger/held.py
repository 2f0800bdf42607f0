"""Kept balances held for a sweep chunk: written once when the chunk ends, not after every posting.

A sweep chunk posts a fee on hundreds of accounts, and each posting worked out the account's
standing and wrote its kept rows at once (three statements). Inside `holding(session, write)`
(engine.money.ledger.kept.holding_balances; engine.sweeps.documented wraps each chunk in it) a
posting still takes its locks and works its accounts' standings out from their ledgers at
once, but the kept rows are held and written together when the block ends, in the chunk's
transaction: the chunk commits whole or not at all, with them. A savepoint rolled back drops
the standings held inside it (an account's earlier one holds again), a block that fails
writes none, and every reader of the kept rows (engine.money.ledger.balances,
engine.money.ledger.moving, engine.money.ledger.kept, engine.money.ledger.verify) writes the
held ones first, so it reads them. Outside a block nothing is held.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from engine.audit import began_inside
from engine.money.ledger.aging import Standing

Writer = Callable[[Session, Iterable[tuple[int, Standing]]], Any]
_HELD = "ordinance.balances_held"
_LISTENING = "ordinance.balances_held.listening"


@dataclass
class Held:
    """The standings held so far, in the order worked out, each with the transaction it was worked out in."""

    write: Writer
    standings: list[tuple[int, Standing, Any]] = field(default_factory=list)


def _drop_rolled_back(session: Session, rolled_back: Any) -> None:
    """A rollback (of a savepoint too) drops the standings held inside it."""
    held = session.info.get(_HELD)
    if held is not None and held.standings:
        held.standings[:] = [entry for entry in held.standings if not began_inside(entry[2], rolled_back)]


@contextmanager
def holding(session: Session, write: Writer) -> Iterator[None]:
    """Hold the standings `hold` is given in the block, and write them with `write` when it ends (nested: the
    outer block's)."""
    if _HELD in session.info:
        yield
        return
    if not session.info.get(_LISTENING):
        event.listen(session, "after_soft_rollback", _drop_rolled_back)
        session.info[_LISTENING] = True
    session.info[_HELD] = Held(write)
    try:
        yield
        write_first(session)
    finally:
        session.info.pop(_HELD, None)


def hold(session: Session, found: Iterable[tuple[int, Standing]]) -> bool:
    """Hold these (account, standing) to write when the block ends; False (nothing held) outside a block."""
    held = session.info.get(_HELD)
    if held is None:
        return False
    where = session.get_nested_transaction() or session.get_transaction()
    held.standings.extend((account_id, standing, where) for account_id, standing in found)
    return True


def write_first(session: Session) -> None:
    """Write the standings held so far (the latest of each account, in id order) before the kept rows are read."""
    held = session.info.get(_HELD)
    if held is None or not held.standings:
        return
    latest = {account_id: standing for account_id, standing, _ in held.standings}
    held.standings.clear()
    held.write(session, sorted(latest.items()))
