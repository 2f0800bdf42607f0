"""Writing many rows at once (engine.store.rows): every row stored as given, in order, on both databases."""
from __future__ import annotations

import sqlite3
from datetime import date

import pytest
from sqlalchemy import event, select

from engine.store.models import AccountBalance, LedgerEntry
from engine.store.rows import ids_in_order, insert_columns
from tests.factories import NOW, create_account


def _charges(account_ids: list[int]) -> dict[str, list]:
    count = len(account_ids)
    return {"account_id": account_ids, "kind": ["charge"] * count, "amount_cents": list(range(101, 101 + count)),
            "effective_on": [date(2026, 3, 1)] * count, "posted_at": [NOW] * count, "actor": ["test"] * count,
            "description": [f"Charge {n}" for n in range(count)], "reference": ["r"] * count,
            "fund": ["water"] * count, "gl_account": ["4100"] * count}


@pytest.fixture()
def few_parameters(db):
    """SQLite held to 40 parameters a statement (four rows of ten columns), so that 25 rows take seven statements."""
    connection = db.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    dbapi = connection.connection.dbapi_connection
    if not hasattr(dbapi, "setlimit"):
        pytest.skip("Python 3.10's sqlite3 cannot set SQLite's limits")
    before = dbapi.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 40)
    try:
        yield
    finally:
        dbapi.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, before)


def test_rows_past_one_statement_are_all_stored_in_order_with_their_ids_in_turn(db, few_parameters):
    account = create_account(db)
    db.flush()
    last = db.scalar(select(LedgerEntry.id).order_by(LedgerEntry.id.desc()).limit(1)) or 0
    statements = []
    listener = lambda *args: statements.append(args[5])  # noqa: E731 (executemany or not)
    event.listen(db.connection(), "before_cursor_execute", listener)
    try:
        insert_columns(db, LedgerEntry.__table__, _charges([account.id] * 25))
    finally:
        event.remove(db.connection(), "before_cursor_execute", listener)
    # SQLite: four rows a statement (seven statements); PostgreSQL: the driver's executemany, once.
    assert statements == ([False] * 7 if db.connection().dialect.name == "sqlite" else [True])
    stored = db.execute(select(LedgerEntry.id, LedgerEntry.amount_cents, LedgerEntry.description, LedgerEntry.posted_at)
                        .where(LedgerEntry.id > last).order_by(LedgerEntry.id)).all()
    assert [row.amount_cents for row in stored] == list(range(101, 126))
    assert [row.description for row in stored] == [f"Charge {n}" for n in range(25)]
    assert {row.posted_at for row in stored} == {NOW}
    ids = ids_in_order(db, LedgerEntry.__table__, last, 25)
    assert ids is None or ids == [row.id for row in stored]  # SQLite numbers them in turn; PostgreSQL reads them back


def test_replacing_rows_past_one_statement_replaces_each_kept_row(db, few_parameters):
    accounts = [create_account(db) for _ in range(6)]
    db.flush()
    ids = [account.id for account in accounts]

    def balances(cents: list[int]) -> dict[str, list]:
        return {"account_id": ids, "balance_cents": cents, "past_due_cents": [0] * 6, "current_cents": cents,
                "days_1_30_cents": [0] * 6, "days_31_60_cents": [0] * 6, "days_61_90_cents": [0] * 6,
                "over_90_cents": [0] * 6}

    insert_columns(db, AccountBalance.__table__, balances([100] * 6), replacing_on="account_id")
    insert_columns(db, AccountBalance.__table__, balances([1, 2, 3, 4, 5, 6]), replacing_on="account_id")
    kept = dict(db.execute(select(AccountBalance.account_id, AccountBalance.balance_cents)
                           .where(AccountBalance.account_id.in_(ids))).all())
    assert kept == dict(zip(ids, [1, 2, 3, 4, 5, 6]))


def test_columns_of_different_lengths_are_refused_and_nothing_is_written(db):
    account = create_account(db)
    db.flush()
    columns = _charges([account.id] * 3)
    columns["actor"] = ["test"] * 2
    before = db.scalar(select(LedgerEntry.id).order_by(LedgerEntry.id.desc()).limit(1))
    with pytest.raises(ValueError, match="not all of one length"):
        insert_columns(db, LedgerEntry.__table__, columns)
    assert db.scalar(select(LedgerEntry.id).order_by(LedgerEntry.id.desc()).limit(1)) == before


def test_without_a_way_to_read_the_limit_sqlites_default_is_used():
    """Python 3.10's sqlite3 has no getlimit: SQLite's compiled-in default limit (3.32 and later: 32,766)."""
    from types import SimpleNamespace

    from engine.store.rows import _sqlite_parameters
    connection = SimpleNamespace(connection=SimpleNamespace(dbapi_connection=object()))
    assert _sqlite_parameters(connection) == (32766 if sqlite3.sqlite_version_info >= (3, 32, 0) else 999)
