"""Staff sessions kept in the database: one row per signed-in browser, looked up on every request.

The browser's signed cookie carries only a random session id; the database keeps that id's
SHA-256 (a stolen copy of the table signs nobody in). A session ends for good when its
person signs out, is given a new password or is disabled, so a copy of the cookie taken
before that is refused everywhere; it lapses when idle longer than the idle timeout or
older than its lifetime. last_seen_at is written at most once a minute. Nothing here
commits or reads the clock.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload

from engine.store.models import StaffSession, User

TOUCH_EVERY = timedelta(minutes=1)
SIGNED_OUT = "signed out"
NEW_PASSWORD = "new password"
USER_DISABLED = "user disabled"
IDLE = "idle"
EXPIRED = "expired"


def digest(session_id: str) -> str:
    """The hex SHA-256 of a session id: what the database keeps."""
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def start(session: Session, user: User, *, now: datetime, lifetime: timedelta, address: str,
          user_agent: str) -> str:
    """Open a session for a user who just signed in; return its id (for the cookie, never stored)."""
    session_id = secrets.token_urlsafe(32)
    session.add(StaffSession(token_hash=digest(session_id), user_id=user.id, created_at=now, last_seen_at=now,
                             expires_at=now + lifetime, address=address[:64], user_agent=user_agent[:255]))
    session.flush()
    return session_id


def find(session: Session, session_id: str) -> StaffSession | None:
    """The session this id names, with its user, live or not (one indexed query)."""
    if not session_id:
        return None
    wanted = digest(session_id)
    row = session.scalar(select(StaffSession).options(joinedload(StaffSession.user))
                         .where(StaffSession.token_hash == wanted))
    if row is None or not hmac.compare_digest(row.token_hash, wanted):
        return None
    return row


def why_not_live(row: StaffSession, now: datetime, idle: timedelta) -> str | None:
    """None for a live session; else why it no longer signs anyone in."""
    if row.ended_at is not None:
        return row.ended_why or SIGNED_OUT
    if not row.user.active:
        return USER_DISABLED
    if now >= row.expires_at:
        return EXPIRED
    if now - row.last_seen_at > idle:
        return IDLE
    return None


def touch_due(row: StaffSession, now: datetime) -> bool:
    """True when last_seen_at is a minute or more behind."""
    return now - row.last_seen_at >= TOUCH_EVERY


def touch(session: Session, row_id: int, now: datetime) -> None:
    """Note that a live session was used now."""
    session.execute(update(StaffSession).where(StaffSession.id == row_id, StaffSession.ended_at.is_(None))
                    .values(last_seen_at=now))


def end(session: Session, session_id: str, *, now: datetime, why: str = SIGNED_OUT) -> bool:
    """End the session this id names; True when it was live until now."""
    return _end(session, StaffSession.token_hash == digest(session_id), now, why) > 0


def end_by_row(session: Session, row_id: int, *, now: datetime, why: str) -> None:
    """End one session by its row (found lapsed: idle or past its lifetime)."""
    _end(session, StaffSession.id == row_id, now, why)


def end_all(session: Session, user_id: int, *, now: datetime, why: str) -> int:
    """End every open session of one user; how many there were."""
    return _end(session, StaffSession.user_id == user_id, now, why)


def _end(session: Session, which, now: datetime, why: str) -> int:
    """Mark the matching open sessions ended now, for a reason; how many."""
    result = session.execute(update(StaffSession).where(which, StaffSession.ended_at.is_(None))
                             .values(ended_at=now, ended_why=why).execution_options(synchronize_session="fetch"))
    return result.rowcount
