"""A sweep chunk's audit rows, held and written together: the same chain as rows written one at a time."""
from __future__ import annotations

import pytest
from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session

from engine import audit
from engine.store.models import AuditEntry
from tests.factories import NOW


def note(db: Session, n: int) -> None:
    """One audit row about account n."""
    audit.record(db, actor="sweep:delinquency", action="case.step", subject_type="case", subject_id=n,
                 detail={"n": n}, at=NOW)


def rows(db: Session) -> list[tuple[str, str]]:
    """(subject id, hash) of every audit row, in id order."""
    return [(r.subject_id, r.hash) for r in db.execute(select(AuditEntry.subject_id, AuditEntry.hash)
                                                         .order_by(AuditEntry.id))]


def test_held_rows_make_the_chain_rows_written_one_at_a_time_make(db: Session) -> None:
    """Rows held in a batch, a savepoint rolled back among them, chain exactly as unbatched rows would."""
    note(db, 0)
    with audit.batched(db):
        note(db, 1)
        assert db.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.subject_id == "1")) == 1
        with pytest.raises(ValueError):
            with db.begin_nested():
                note(db, 2)
                raise ValueError("this subject failed")
        with db.begin_nested():
            note(db, 3)
        note(db, 4)
    batched = rows(db)
    assert [subject for subject, _ in batched] == ["0", "1", "3", "4"]
    assert audit.verify_chain(db).intact
    db.rollback()
    for n in (0, 1, 3, 4):
        note(db, n)
    assert rows(db) == batched


def test_a_failed_batch_writes_nothing(db: Session) -> None:
    """A chunk that fails leaves none of its held rows behind."""
    with pytest.raises(RuntimeError):
        with audit.batched(db):
            note(db, 1)
            raise RuntimeError("the chunk failed")
    assert rows(db) == []
    note(db, 2)
    assert audit.verify_chain(db).intact


def test_a_query_of_the_log_in_a_batch_sees_the_rows_held(db: Session) -> None:
    """Whichever way a query reads the audit log, it sees the rows held so far."""
    queries = [select(func.count()).select_from(AuditEntry), select(func.count(AuditEntry.id)),
               select(func.count()).select_from(AuditEntry.__table__)]
    for n, query in enumerate(queries, start=1):
        with audit.batched(db):
            note(db, n)
            assert db.scalar(query) == n
    assert audit.verify_chain(db).intact


def test_a_query_joining_the_log_in_a_batch_sees_the_rows_held(db: Session) -> None:
    """A query that joins the audit log to another table sees the rows held too."""
    from engine.store.models import Case
    from tests.factories import create_case
    case = create_case(db)
    with audit.batched(db):
        note(db, case.id)
        joined = select(func.count(Case.id)).join(AuditEntry, AuditEntry.subject_id == cast(Case.id, String))
        assert db.scalar(joined) == 1


def test_a_batch_takes_the_chain_s_lock_only_when_it_writes(committing_db) -> None:
    """PostgreSQL: while a sweep's chunk works, a clerk's audited change need not wait for the chunk to end."""
    from sqlalchemy import text

    with committing_db() as chunk, committing_db() as clerk:
        if chunk.get_bind().dialect.name != "postgresql":
            pytest.skip("SQLite's one write lock serializes every writer anyway")

        def chain_free() -> bool:
            free = clerk.scalar(text("SELECT pg_try_advisory_xact_lock(4471)"))
            clerk.rollback()
            return free

        with chunk.begin(), audit.batched(chunk):
            note(chunk, 1)
            note(chunk, 2)
            assert chain_free()  # the chunk's rows are held, unchained: nobody waits for them
            chunk.flush()
        assert [subject for subject, _ in rows(chunk)] == ["1", "2"] and audit.verify_chain(chunk).intact
        chunk.rollback()
        with chunk.begin():
            note(chunk, 3)  # a row written at once takes the lock until its transaction ends
            assert not chain_free()
