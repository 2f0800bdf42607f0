"""Signed checkpoints seal the audit log's end: rows cut from it, a checkpoint forged, a log re-chained, all named."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from engine import audit
from engine.audit_checkpoints import CheckpointWriter, check_log, write_checkpoint
from engine.money import cash
from engine.store.models import AuditCheckpoint, AuditEntry
from tests.factories import NOW
from tests.ledger.money_support import create_user

CITY_HALL_KEY = b"the key kept in instance/audit_key"
CLOSE_OF_APRIL_30 = datetime(2026, 5, 1, 1, 15, tzinfo=timezone.utc)  # 6:15 pm in Alder Creek
SEALED = "checkpoint {id} of 2026-05-01 01:15:00 UTC ({rows:,} rows, day close 2026-04-30)"


def payments(db: Session, count: int) -> list[AuditEntry]:
    """Audit rows of `count` counter payments."""
    return [audit.record(db, actor="carla", action="ledger.payment", subject_type="utility_account", subject_id=n,
                         detail={"amount": "52.03"}, at=NOW) for n in range(count)]


def seal(db: Session, key: bytes = CITY_HALL_KEY) -> AuditCheckpoint:
    """The day close's checkpoint."""
    return write_checkpoint(db, key, now=CLOSE_OF_APRIL_30, reason="day close 2026-04-30")


def drop_guard(db: Session, table: str, operation: str) -> None:
    """What an intruder with database access does first: drop the append-only trigger."""
    postgres = db.get_bind().dialect.name == "postgresql"
    db.execute(text(f"DROP TRIGGER {table}_no_{operation}" + (f" ON {table}" if postgres else "")))


def cut_from_the_end(db: Session, first_cut: AuditEntry) -> None:
    """Delete the audit rows from `first_cut` on."""
    drop_guard(db, "audit_log", "delete")
    db.execute(text("DELETE FROM audit_log WHERE id >= :i"), {"i": first_cut.id})


def rows_in_log(db: Session) -> int:
    """How many audit rows there are."""
    return db.scalar(select(func.count()).select_from(AuditEntry))


def test_an_intact_log_with_a_checkpoint_verifies_and_names_its_seal(db):
    payments(db, 3)
    checkpoint = seal(db)
    payments(db, 1)
    report = check_log(db, CITY_HALL_KEY)
    assert report.intact and report.problem == ""
    assert report.newest.id == checkpoint.id and report.chain.rows == checkpoint.rows + 1
    assert checkpoint.rows == rows_in_log(db) - 1 and len(checkpoint.signature) == 64


def test_rows_cut_from_the_end_are_caught_and_the_checkpoint_is_named(db):
    written = payments(db, 4)
    checkpoint = seal(db)
    with db.begin_nested():
        cut_from_the_end(db, written[-2])
    report = check_log(db, CITY_HALL_KEY)
    assert report.chain.intact and not report.intact  # what is left still chains
    assert report.problem == (f"rows were cut from the end: {SEALED.format(id=checkpoint.id, rows=checkpoint.rows)}"
                              f" sealed {checkpoint.rows:,} rows, the log now has {checkpoint.rows - 2:,}")


def test_rows_cut_with_the_checkpoints_length_and_head_rewritten_are_caught(db):
    """The intruder also rewrites the head hash and length stored in the database: the signature no longer holds."""
    written = payments(db, 4)
    checkpoint = seal(db)
    with db.begin_nested():
        cut_from_the_end(db, written[-2])
        drop_guard(db, "audit_checkpoints", "update")
        db.execute(text("UPDATE audit_checkpoints SET rows = :n, head_hash = :h WHERE id = :i"),
                   {"n": checkpoint.rows - 2, "h": written[-3].hash, "i": checkpoint.id})
    report = check_log(db, CITY_HALL_KEY)
    assert not report.intact
    assert report.problem.startswith(SEALED.format(id=checkpoint.id, rows=checkpoint.rows - 2))
    assert "is not signed with this instance's audit key: it was forged or altered" in report.problem


def test_rows_cut_and_others_written_in_their_place_are_caught(db):
    written = payments(db, 4)
    checkpoint = seal(db)
    with db.begin_nested():
        cut_from_the_end(db, written[-2])
    db.expunge_all()  # the cut rows' objects; SQLite may give their ids to the new rows
    payments(db, 2)  # as many rows as before, but not the ones sealed
    report = check_log(db, CITY_HALL_KEY)
    assert report.chain.rows == checkpoint.rows and not report.intact
    assert report.problem.startswith(f"row {checkpoint.rows:,} of the log is not the row "
                                     f"{SEALED.format(id=checkpoint.id, rows=checkpoint.rows)} sealed")


def test_a_log_edited_and_chained_again_by_hand_is_caught_by_the_checkpoint(db):
    """Edit a row and recompute every hash after it: the chain walks clean, the sealed head does not match."""
    written = payments(db, 3)
    checkpoint = seal(db)
    with db.begin_nested():
        drop_guard(db, "audit_log", "update")
        prev = written[0].prev_hash
        for row in written:
            detail = {"amount": "5.03"} if row is written[1] else row.detail
            digest = audit._digest(prev, row.at, row.actor, row.action, row.subject_type, row.subject_id, detail)
            db.execute(text("UPDATE audit_log SET detail = :d, prev_hash = :p, hash = :h WHERE id = :i"),
                       {"d": '{"amount": "5.03"}' if row is written[1] else '{"amount": "52.03"}', "p": prev,
                        "h": digest, "i": row.id})
            prev = digest
    report = check_log(db, CITY_HALL_KEY)
    assert report.chain.intact and not report.intact
    assert f"is not the row {SEALED.format(id=checkpoint.id, rows=checkpoint.rows)} sealed" in report.problem


def test_a_forged_checkpoint_is_named(db):
    """A checkpoint row written by someone without the key: its signature is wrong, and the message names it."""
    payments(db, 2)
    seal(db)
    forged = seal(db, key=b"a guess at the key")
    report = check_log(db, CITY_HALL_KEY)
    assert report.problem == (f"{SEALED.format(id=forged.id, rows=forged.rows)} is not signed with this instance's "
                              "audit key: it was forged or altered (or AUDIT_KEY is not the key that signed it)")


def test_a_log_with_no_checkpoint_yet_verifies_as_before(db):
    payments(db, 2)
    report = check_log(db, CITY_HALL_KEY)
    assert report.intact and report.newest is None


def test_checkpoints_are_append_only(db):
    payments(db, 1)
    checkpoint = seal(db)
    for statement in ("UPDATE audit_checkpoints SET rows = 0", "DELETE FROM audit_checkpoints"):
        try:
            with db.begin_nested():
                db.execute(text(statement))
        except Exception as refused:  # noqa: BLE001 - SQLite and PostgreSQL raise their own errors
            assert "append-only" in str(refused)
        else:
            raise AssertionError(f"{statement} was allowed")
    assert db.get(AuditCheckpoint, checkpoint.id).rows == checkpoint.rows


def test_the_key_is_never_written_to_the_database(db):
    payments(db, 1)
    writer = CheckpointWriter(CITY_HALL_KEY)
    writer(db, now=CLOSE_OF_APRIL_30, reason="day close 2026-04-30")
    stored = db.execute(text("SELECT * FROM audit_checkpoints")).all()
    assert stored and all(CITY_HALL_KEY.decode() not in str(value) for row in stored for value in row)
    assert CITY_HALL_KEY.decode() not in repr(writer)


def test_closing_the_business_day_seals_the_log(db):
    """The supervisor's close writes the checkpoint after the close's own audit row."""
    clerk, supervisor = create_user(db), create_user(db, "supervisor")
    day = date(2026, 4, 30)
    drawer = cash.open_drawer(db, clerk=clerk, business_date=day, opening=Decimal("100.00"), now=NOW)
    cash.count_drawer(db, drawer.id, {"cash": Decimal("100.00")}, user=clerk, now=NOW)
    cash.close_day(db, day, user=supervisor, now=CLOSE_OF_APRIL_30, checkpoint=CheckpointWriter(CITY_HALL_KEY))
    checkpoint = db.scalar(select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1))
    last = db.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
    assert (checkpoint.reason, checkpoint.head_hash, checkpoint.rows) == ("day close 2026-04-30", last.hash,
                                                                           rows_in_log(db))
    assert last.action == "cash.day_close" and check_log(db, CITY_HALL_KEY).intact
