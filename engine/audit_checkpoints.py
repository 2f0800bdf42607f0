"""Audit checkpoints: the log's length and last hash at a moment, signed, so rows cut from its end are noticed.

The hash chain (engine.audit) catches a row edited or removed in the middle, but not rows
cut from the end: what is left still chains. A checkpoint writes down how many rows the log
had and the last one's hash, signed with HMAC-SHA256 under the instance's audit key. The key
is never in the database: the caller hands it over as bytes (the web app and the command
line read it from the instance folder, or AUDIT_KEY). Checkpoints are written when a sweep
run finishes (the nightly audit-checkpoint sweep at least once a day) and when a supervisor
closes the business day; the table is append-only.

`check_log` walks the chain, then holds it against every checkpoint: one whose signature is
wrong was forged or altered; a log shorter than the newest checkpoint had rows cut from its
end; a row at a checkpoint's length whose hash is not the sealed one means rows were cut and
others written in their place, or the log was rewritten up to there.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit import GENESIS, ChainReport, chain_end, verify_chain
from engine.store.models import AuditCheckpoint

SIGNED_AS = "ordinance audit checkpoint v1"  # a label of its own, so no other signature made with the key matches
REASON_LENGTH = 80


def signature(key: bytes, at: datetime, reason: str, rows: int, head_hash: str) -> str:
    """The HMAC-SHA256 (hex) of a checkpoint's moment, reason, length and last hash under the audit key."""
    if not key:
        raise ValueError("the audit key is empty")
    message = json.dumps([SIGNED_AS, at.astimezone(timezone.utc).isoformat(timespec="microseconds"), reason, rows,
                          head_hash], separators=(",", ":"))
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def write_checkpoint(session: Session, key: bytes, *, now: datetime, reason: str) -> AuditCheckpoint:
    """Seal the log's end as it stands in this transaction (writers wait until it ends)."""
    rows, head = chain_end(session)
    at, reason = now.astimezone(timezone.utc), reason[:REASON_LENGTH]
    checkpoint = AuditCheckpoint(at=at, reason=reason, rows=rows, head_hash=head,
                                 signature=signature(key, at, reason, rows, head))
    session.add(checkpoint)
    session.flush()
    return checkpoint


@dataclass(frozen=True)
class CheckpointWriter:
    """Writes checkpoints under the instance's audit key: what close_day and the sweep runner are handed."""

    key: bytes = field(repr=False)

    def __call__(self, session: Session, *, now: datetime, reason: str) -> AuditCheckpoint:
        """Seal the log's end now, giving the reason (a sweep's run, a day's close)."""
        return write_checkpoint(session, self.key, now=now, reason=reason)


def describe(checkpoint: Any) -> str:
    """'checkpoint 7 of 2026-04-30 10:00:00 UTC (1,234 rows, day close 2026-04-30)'."""
    return (f"checkpoint {checkpoint.id} of {checkpoint.at.astimezone(timezone.utc):%Y-%m-%d %H:%M:%S} UTC "
            f"({checkpoint.rows:,} rows, {checkpoint.reason})")


@dataclass(frozen=True)
class LogReport:
    """The audit log checked: the chain's own report, the newest checkpoint, and what is wrong if anything."""

    chain: ChainReport
    newest: Any = None  # the newest checkpoint's row (id, at, reason, rows, head_hash, signature), if any
    problem: str = ""

    @property
    def intact(self) -> bool:
        """True when every link holds and every checkpoint is genuine and matches the log."""
        return self.chain.intact and not self.problem


def check_log(session: Session, key: bytes) -> LogReport:
    """Walk the chain and hold it against every checkpoint; the first problem found, named."""
    checkpoints = session.execute(select(AuditCheckpoint.id, AuditCheckpoint.at, AuditCheckpoint.reason,
                                         AuditCheckpoint.rows, AuditCheckpoint.head_hash, AuditCheckpoint.signature)
                                  .order_by(AuditCheckpoint.id)).all()
    chain = verify_chain(session, heads_at={checkpoint.rows for checkpoint in checkpoints})
    newest = checkpoints[-1] if checkpoints else None
    if not chain.intact:
        return LogReport(chain, newest)
    return LogReport(chain, newest, _forged(checkpoints, key) or _cut(checkpoints, chain)
                     or _replaced(checkpoints, chain))


def _forged(checkpoints: list, key: bytes) -> str:
    """The first checkpoint whose signature is not the key's, named; or ''."""
    for checkpoint in checkpoints:
        expected = signature(key, checkpoint.at, checkpoint.reason, checkpoint.rows, checkpoint.head_hash)
        if not hmac.compare_digest(expected, checkpoint.signature):
            return (f"{describe(checkpoint)} is not signed with this instance's audit key: it was forged or "
                    "altered (or AUDIT_KEY is not the key that signed it)")
    return ""


def _cut(checkpoints: list, chain: ChainReport) -> str:
    """The newest checkpoint that sealed more rows than the log has now, named; or ''."""
    for checkpoint in reversed(checkpoints):
        if checkpoint.rows > chain.rows:
            return (f"rows were cut from the end: {describe(checkpoint)} sealed {checkpoint.rows:,} rows, "
                    f"the log now has {chain.rows:,}")
    return ""


def _replaced(checkpoints: list, chain: ChainReport) -> str:
    """The first checkpoint whose last row is not the one in the log at that length, named; or ''."""
    for checkpoint in checkpoints:
        if chain.heads.get(checkpoint.rows, GENESIS) != checkpoint.head_hash:
            return (f"row {checkpoint.rows:,} of the log is not the row {describe(checkpoint)} sealed: rows were "
                    "cut from the end and others written in their place, or the log was rewritten up to there")
    return ""
