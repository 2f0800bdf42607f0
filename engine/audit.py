"""The audit log: one append-only row per change of money, state, rule or user, hash-chained.

Each row's hash covers its own content and the previous row's hash, so editing or deleting
a row breaks the chain at that row, and `verify_chain` names the first broken link.
Writers take a lock before reading the chain's tail, so two writers never fork it.

Inside `batched(session)` (a sweep's chunk) rows are held and written in one INSERT when the
block ends, and chained only then: the chain's lock, which every other writer's audit row
waits for until this transaction ends, is taken at the end of the chunk's work, not at its
first row (on PostgreSQL a clerk's step or receipt would otherwise wait for the whole chunk).
A savepoint rolled back drops the rows recorded inside it, a block that fails writes none, and
a query of the audit log in the block (or a bulk append, or `chain_end`) writes the held rows
first, so it sees them.
"""
from __future__ import annotations

import hashlib
import json
from json.encoder import encode_basestring_ascii
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session

from engine.store.models import AuditEntry
from engine.store.rows import insert_rows

GENESIS = "0" * 64
_TAIL = "ordinance.audit_tail"  # session.info: the chain's last hash, as this transaction has left it
_LISTENING = "ordinance.audit_tail.listening"
AUDIT_LOG = AuditEntry.__tablename__
_WRITTEN = ("at", "actor", "action", "subject_type", "subject_id", "detail", "prev_hash", "hash")
_HELD = "ordinance.audit_held"  # session.info inside `batched`: [(entry, the transaction it was recorded in)]


# What json.dumps(..., sort_keys=True, separators=(",", ":"), default=str) builds on each call, built once.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=str)
encode_text = encode_basestring_ascii  # a str as every JSON text here writes it (ensure_ascii, json's own function)


def _digest(prev_hash: str, at: datetime, actor: str, action: str,
            subject_type: str, subject_id: str, detail: dict[str, Any]) -> str:
    """The SHA-256 of one row's content chained to the previous row's hash."""
    payload = _CANONICAL.encode(
        [prev_hash, at.isoformat(timespec="microseconds"), actor, action, subject_type, subject_id, detail])
    return hashlib.sha256(payload.encode()).hexdigest()


def _chained_digests(prev_hash: str, at: datetime, actor: str, action: str, subject_type: str,
                     subject_ids: list[str], details: list[dict[str, Any]] | list[str]) -> list[str]:
    """`_digest` of each row in turn, each chained to the one before: rows that differ only in subject and detail.

    The canonical text of a row is its list's items joined by commas between brackets; the
    items the rows share are written once. Details given as text are their canonical JSON already.
    """
    shared = _CANONICAL.encode([at.isoformat(timespec="microseconds"), actor, action, subject_type])[1:-1]
    encode, sha256 = _CANONICAL.encode, hashlib.sha256
    texts = details if details and isinstance(details[0], str) else map(encode, details)
    hashes = []
    for subject_id, detail in zip(subject_ids, texts):
        payload = f"[{encode_text(prev_hash)},{shared},{encode_text(subject_id)},{detail}]"
        prev_hash = sha256(payload.encode()).hexdigest()
        hashes.append(prev_hash)
    return hashes


def _lock_chain(session: Session) -> None:
    """Serialize writers of the chain (PostgreSQL advisory lock; SQLite's write lock already does)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(4471)"))


def _forget_tail(session: Session, rolled_back: Any) -> None:
    """A rollback (of a savepoint too) may have undone rows: held rows recorded in it are dropped; the tail is
    read again when next needed."""
    held = session.info.get(_HELD)
    if held:
        held[:] = [(entry, where) for entry, where in held if not began_inside(where, rolled_back)]
    session.info.pop(_TAIL, None)


def began_inside(transaction: Any, outer: Any) -> bool:
    """Whether a session transaction is `outer` or began inside it."""
    while transaction is not None:
        if transaction is outer:
            return True
        transaction = transaction.parent
    return False


def _write_held(session: Session) -> None:
    """Chain the held rows after the tail, in the order recorded, and write them in few INSERTs (insert_rows), after
    whatever the session holds."""
    held = session.info.get(_HELD)
    if held:
        entries = [entry for entry, _ in held]
        held.clear()  # first: reading the tail below is a query of the log, which would write them again
        prev = _chain_tail(session)
        for entry in entries:
            entry.prev_hash = prev
            entry.hash = prev = _digest(prev, entry.at, entry.actor, entry.action, entry.subject_type,
                                        entry.subject_id, entry.detail)
        rows = [{name: getattr(entry, name) for name in _WRITTEN} for entry in entries]
        session.flush()
        insert_rows(session, AuditEntry.__table__, rows)
        session.info[_TAIL] = prev


def _before_audit_query(state: Any) -> None:
    """A query of the audit log inside `batched` sees the rows held so far."""
    if state.session.info.get(_HELD) and _reads_the_log(state):
        _write_held(state.session)


def _reads_the_log(state: Any) -> bool:
    """Whether an ORM statement reads the audit log: a column, the entity or the table among what it selects,
    selects from or joins, as written (looked at shallowly: the checks before every query of a chunk stay cheap)."""
    statement = state.statement
    written = [*getattr(statement, "_raw_columns", ()), *getattr(statement, "_from_obj", ()),
               *(join[0] for join in getattr(statement, "_setup_joins", ()))]
    for element in written:
        if element is AuditEntry:
            return True
        if any(getattr(found, "name", None) == AUDIT_LOG for found in getattr(element, "_from_objects", ())):
            return True
    return False


@contextmanager
def batched(session: Session) -> Iterator[None]:
    """Hold the audit rows recorded in the block and write them together when it ends (nested: the outer one's)."""
    if _HELD in session.info:
        yield
        return
    _listen(session)
    session.info[_HELD] = []
    try:
        yield
        _write_held(session)
    finally:
        session.info.pop(_HELD, None)
        session.info.pop(_TAIL, None)


def _forget_tail_at_end(session: Session, transaction: Any) -> None:
    """The transaction ended (its lock with it): the next one reads the tail again."""
    if transaction.parent is None:
        session.info.pop(_TAIL, None)


def _listen(session: Session) -> None:
    """Listen, once per session, for the ends of its transactions and for queries of the audit log."""
    if not session.info.get(_LISTENING):
        event.listen(session, "after_soft_rollback", _forget_tail)
        event.listen(session, "after_transaction_end", _forget_tail_at_end)
        event.listen(session, "do_orm_execute", _before_audit_query)
        session.info[_LISTENING] = True


def _tail(session: Session) -> str:
    """The chain's last hash, read under the chain's lock; inside `batched`, once the rows held are written."""
    _write_held(session)
    return _chain_tail(session)


def _chain_tail(session: Session) -> str:
    """The chain's last row's hash as this transaction has left it, read under the chain's lock (inside `batched`:
    read once, then kept)."""
    batching = _HELD in session.info
    tail = session.info.get(_TAIL) if batching else None
    if tail is not None:
        return tail
    _lock_chain(session)
    tail = session.scalar(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)) or GENESIS
    if batching:
        session.info[_TAIL] = tail
    return tail


def record(session: Session, *, actor: str, action: str, subject_type: str, subject_id: object,
           detail: dict[str, Any] | None, at: datetime) -> AuditEntry:
    """Append one audit row in the caller's transaction, chained to the last one (inside `batched`: held)."""
    at = at.astimezone(timezone.utc)
    detail = json.loads(json.dumps(detail or {}, default=str))
    entry = AuditEntry(at=at, actor=actor, action=action, subject_type=subject_type,
                       subject_id=str(subject_id), detail=detail)
    held = session.info.get(_HELD)
    if held is not None:  # chained when written, at the block's end
        held.append((entry, session.get_nested_transaction() or session.get_transaction()))
        return entry
    entry.prev_hash = _tail(session)
    entry.hash = _digest(entry.prev_hash, at, actor, action, subject_type, entry.subject_id, detail)
    session.add(entry)
    session.flush()
    return entry


DOWNLOAD = "download"  # the action of a staff download of customers' data (names, phones, addresses, balances)


def record_download(session: Session, *, actor: str, what: str, filename: str, filters: dict[str, Any],
                    rows: int, data: bytes, at: datetime) -> AuditEntry:
    """One audit row `download`: who took which list of customers (`what`, in the city's words, with its `filters`),
    as which file, how many rows, and the SHA-256 of the bytes taken (as `cash.gl_export` keeps it)."""
    return record(session, actor=actor, action=DOWNLOAD, subject_type="download", subject_id=filename,
                  detail={"what": what, "filters": filters, "rows": rows, "bytes": len(data),
                          "sha256": hashlib.sha256(data).hexdigest()}, at=at)


def downloads_taken(session: Session, *, limit: int = 200) -> list[AuditEntry]:
    """The latest `download` rows, newest first: who took which list of customers' data, when."""
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == DOWNLOAD)
                                .order_by(AuditEntry.id.desc()).limit(limit)))


def chain_end(session: Session) -> tuple[int, str]:
    """How many rows the log has and the last one's hash (GENESIS when empty); writers wait until the transaction ends."""
    head = _tail(session)
    _write_held(session)
    session.flush()
    return session.scalar(select(func.count()).select_from(AuditEntry)), head


@dataclass(frozen=True)
class Change:
    """One change to audit in bulk: who did what to which subject, with what detail (JSON-ready)."""

    actor: str
    action: str
    subject_type: str
    subject_id: str
    detail: dict[str, Any]


def chained_rows(session: Session, changes: list[Change], *, at: datetime) -> list[dict[str, Any]]:
    """Audit rows for many changes, chained after the log's last row, ready for a bulk INSERT.

    The caller inserts them in the same transaction (the chain's lock is held until it ends),
    before any other audit row: the rows `record` added are flushed first, and the tail kept is
    the last of these rows.
    """
    at = at.astimezone(timezone.utc)
    prev = _tail(session)
    _write_held(session)
    session.flush()  # the rows recorded before these go in first
    rows = []
    for change in changes:
        digest = _digest(prev, at, change.actor, change.action, change.subject_type, change.subject_id,
                         change.detail)
        rows.append(dict(at=at, actor=change.actor, action=change.action, subject_type=change.subject_type,
                         subject_id=change.subject_id, detail=change.detail, prev_hash=prev, hash=digest))
        prev = digest
    if _HELD in session.info:
        session.info[_TAIL] = prev
    return rows


def chained_columns(session: Session, *, actor: str, action: str, subject_type: str, subject_ids: list[str],
                    details: list[dict[str, Any]], at: datetime) -> dict[str, list]:
    """`chained_rows` of many changes by one actor, of one action on one type of subject, as columns
    (engine.store.rows.insert_columns); the caller inserts them in the same transaction, before any
    other audit row, as `chained_rows` says."""
    at = at.astimezone(timezone.utc)
    prev = _tail(session)
    _write_held(session)
    session.flush()  # the rows recorded before these go in first
    hashes = _chained_digests(prev, at, actor, action, subject_type, subject_ids, details)
    if hashes and _HELD in session.info:
        session.info[_TAIL] = hashes[-1]
    count = len(hashes)
    return {"at": [at] * count, "actor": [actor] * count, "action": [action] * count,
            "subject_type": [subject_type] * count, "subject_id": list(subject_ids), "detail": list(details),
            "prev_hash": [prev, *hashes[:-1]], "hash": hashes}


def chained_json_columns(session: Session, *, actor: str, action: str, subject_type: str, subject_ids: list[str],
                         details: list[str], canonical: list[str], at: datetime) -> dict[str, list]:
    """`chained_columns` of details written as JSON text already: each as `json.dumps` writes it (stored as it is,
    engine.store.rows.insert_columns' `json_text`) and as `_digest` writes it (sorted keys, no spaces)."""
    columns = chained_columns(session, actor=actor, action=action, subject_type=subject_type,
                              subject_ids=subject_ids, details=canonical, at=at)
    columns["detail"] = list(details)
    return columns


@dataclass(frozen=True)
class ChainReport:
    """The outcome of verifying the chain: how many rows, and the first broken one if any."""

    rows: int
    broken_at: int | None = None
    reason: str = ""
    heads: dict[int, str] = field(default_factory=dict)  # the hash of the n-th row, for each n asked about

    @property
    def intact(self) -> bool:
        """True when every row links to the one before and matches its own hash."""
        return self.broken_at is None


_CHAINED = (AuditEntry.id, AuditEntry.at, AuditEntry.actor, AuditEntry.action, AuditEntry.subject_type,
            AuditEntry.subject_id, AuditEntry.detail, AuditEntry.prev_hash, AuditEntry.hash)


def verify_chain(session: Session, batch: int = 5000, heads_at: Collection[int] = ()) -> ChainReport:
    """Walk the whole log in id order and report the first row whose link or hash is wrong.

    `heads_at` asks for the hash of the n-th row (counting from 1) for each n, as a checkpoint sealed it.
    """
    prev, count, after = GENESIS, 0, 0
    wanted, heads = frozenset(heads_at), {}
    while True:
        # Columns, not objects: what is in the database now, never the session's cached copies.
        rows = session.execute(select(*_CHAINED).where(AuditEntry.id > after)
                               .order_by(AuditEntry.id).limit(batch)).all()
        if not rows:
            return ChainReport(rows=count, heads=heads)
        for row in rows:
            if row.prev_hash != prev:
                return ChainReport(count, row.id, f"row {row.id} does not follow the row before it "
                                                  "(a row was deleted or reordered)", heads)
            expected = _digest(row.prev_hash, row.at, row.actor, row.action, row.subject_type,
                               row.subject_id, row.detail)
            if expected != row.hash:
                return ChainReport(count, row.id, f"row {row.id} was changed after it was written", heads)
            prev, count, after = row.hash, count + 1, row.id
            if count in wanted:
                heads[count] = row.hash
