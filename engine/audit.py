"""The audit log: one append-only row per change of money, state, rule or user, hash-chained.

Each row's hash covers its own content and the previous row's hash, so editing or deleting
a row breaks the chain at that row, and `verify_chain` names the first broken link.
Writers take a lock before reading the chain's tail, so two writers never fork it.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from engine.store.models import AuditEntry

GENESIS = "0" * 64


def _digest(prev_hash: str, at: datetime, actor: str, action: str,
            subject_type: str, subject_id: str, detail: dict[str, Any]) -> str:
    """The SHA-256 of one row's content chained to the previous row's hash."""
    payload = json.dumps(
        [prev_hash, at.isoformat(timespec="microseconds"), actor, action, subject_type, subject_id, detail],
        sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def _lock_chain(session: Session) -> None:
    """Serialize writers of the chain (PostgreSQL advisory lock; SQLite's write lock already does)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(4471)"))


def record(session: Session, *, actor: str, action: str, subject_type: str, subject_id: object,
           detail: dict[str, Any] | None, at: datetime) -> AuditEntry:
    """Append one audit row in the caller's transaction, chained to the last one."""
    _lock_chain(session)
    at = at.astimezone(timezone.utc)
    last = session.scalar(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1))
    prev = last or GENESIS
    detail = json.loads(json.dumps(detail or {}, default=str))
    entry = AuditEntry(at=at, actor=actor, action=action, subject_type=subject_type,
                       subject_id=str(subject_id), detail=detail, prev_hash=prev,
                       hash=_digest(prev, at, actor, action, subject_type, str(subject_id), detail))
    session.add(entry)
    session.flush()
    return entry


def chain_end(session: Session) -> tuple[int, str]:
    """How many rows the log has and the last one's hash (GENESIS when empty); writers wait until the transaction ends."""
    _lock_chain(session)
    rows = session.scalar(select(func.count()).select_from(AuditEntry))
    head = session.scalar(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1))
    return rows, head or GENESIS


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

    The caller inserts them in the same transaction (the chain's lock is held until it ends).
    """
    _lock_chain(session)
    at = at.astimezone(timezone.utc)
    prev = session.scalar(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)) or GENESIS
    rows = []
    for change in changes:
        digest = _digest(prev, at, change.actor, change.action, change.subject_type, change.subject_id,
                         change.detail)
        rows.append(dict(at=at, actor=change.actor, action=change.action, subject_type=change.subject_type,
                         subject_id=change.subject_id, detail=change.detail, prev_hash=prev, hash=digest))
        prev = digest
    return rows


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
