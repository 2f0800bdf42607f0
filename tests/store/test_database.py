"""The database: money as cents, append-only ledger and audit, optimistic locking."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.orm.exc import StaleDataError

from engine import audit
from engine.store.db import DatabaseURLError, check_url, make_engine
from engine.store.models import LedgerEntry
from tests.factories import NOW, create_account, create_case


def test_money_is_stored_as_whole_cents(db):
    account = create_account(db)
    entry = LedgerEntry(account_id=account.id, kind="charge", amount_cents=5203, effective_on=date(2026, 3, 1),
                        posted_at=NOW, actor="test", description="Water bill")
    db.add(entry)
    db.flush()
    assert db.scalar(text("SELECT amount_cents FROM ledger_entries WHERE id = :i"), {"i": entry.id}) == 5203


def test_a_float_is_refused_as_money(db):
    account = create_account(db)
    db.add(LedgerEntry(account_id=account.id, kind="charge", amount_cents=52.03, effective_on=date(2026, 3, 1),
                       posted_at=NOW, actor="test", description="Water bill"))
    with pytest.raises(StatementError, match="integer cents"):
        db.flush()


def test_fractional_cents_are_refused(db):
    account = create_account(db)
    db.add(LedgerEntry(account_id=account.id, kind="charge", amount_cents=Decimal("5203.5"),
                       effective_on=date(2026, 3, 1), posted_at=NOW, actor="test", description="Water bill"))
    with pytest.raises(StatementError, match="whole number of cents"):
        db.flush()


@pytest.mark.parametrize("statement", ["UPDATE ledger_entries SET amount_cents = 1", "DELETE FROM ledger_entries"])
def test_the_database_refuses_to_change_a_ledger_entry(db, statement):
    account = create_account(db)
    db.add(LedgerEntry(account_id=account.id, kind="charge", amount_cents=5203, effective_on=date(2026, 3, 1),
                       posted_at=NOW, actor="test", description="Water bill"))
    db.flush()
    with pytest.raises(DBAPIError, match="append-only"):
        with db.begin_nested():
            db.execute(text(statement))


def test_a_case_changed_by_someone_else_is_refused(db):
    case = create_case(db)
    db.execute(text("UPDATE cases SET version = version + 1 WHERE id = :i"), {"i": case.id})
    case.state = "reminded"
    with pytest.raises(StaleDataError):
        db.flush()


def test_audit_rows_chain_and_verify(db):
    at = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)
    for n in range(3):
        audit.record(db, actor="clerk1", action="ledger.payment", subject_type="utility_account",
                     subject_id=n, detail={"amount": "52.03"}, at=at)
    report = audit.verify_chain(db)
    assert report.intact and report.rows >= 3


def test_editing_an_audit_row_in_the_database_is_caught(db):
    at = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)
    rows = [audit.record(db, actor="clerk1", action="ledger.payment", subject_type="utility_account",
                         subject_id=n, detail={"amount": "52.03"}, at=at) for n in range(3)]
    with db.begin_nested():  # someone with database access drops the guard and edits a row
        dialect = db.get_bind().dialect.name
        db.execute(text("DROP TRIGGER audit_log_no_update" + (" ON audit_log" if dialect == "postgresql" else "")))
        db.execute(text("UPDATE audit_log SET detail = :d WHERE id = :i"),
                   {"d": '{"amount": "5.03"}', "i": rows[1].id})
    report = audit.verify_chain(db)
    assert report.broken_at == rows[1].id
    assert "changed after it was written" in report.reason


@pytest.mark.parametrize("url, message", [
    ("not a url", "is not a database URL"),
    ("mysql://u@h/db", "Ordinance runs on sqlite or postgresql"),
    ("postgresql://u@h", "names no database"),
])
def test_a_malformed_database_url_is_named(url, message):
    with pytest.raises(DatabaseURLError, match=message):
        check_url(url)


def test_sqlite_runs_in_wal_with_foreign_keys(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 15000


def test_a_reading_transaction_does_not_hold_the_write_lock(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as setup:
        setup.exec_driver_sql("CREATE TABLE t (n INTEGER)")
        setup.commit()
    with engine.connect() as reader, engine.connect() as writer:
        reader = reader.execution_options(sqlite_begin="DEFERRED")
        with reader.begin():
            reader.exec_driver_sql("SELECT count(*) FROM t").scalar()
            with writer.begin():  # would wait 15 s and fail if the reader held the write lock
                writer.exec_driver_sql("INSERT INTO t VALUES (1)")


def test_an_unknown_begin_mode_is_refused(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with pytest.raises(ValueError, match="sqlite_begin must be one of"):
        with engine.connect() as connection:
            connection.execution_options(sqlite_begin="EXCLUSIVE; DROP TABLE t").exec_driver_sql("SELECT 1")


def test_a_sum_of_money_comes_back_as_whole_cents(db):
    from sqlalchemy import func, select

    account = create_account(db)
    for cents in (5203, -2000, 1):
        db.add(LedgerEntry(account_id=account.id, kind="charge" if cents > 0 else "payment", amount_cents=cents,
                           effective_on=date(2026, 3, 1), posted_at=NOW, actor="test", description="x"))
    db.flush()
    total = db.scalar(select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0))
                      .where(LedgerEntry.account_id == account.id))
    assert total == 3204 and type(total) is int
