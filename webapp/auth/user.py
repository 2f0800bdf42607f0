"""The signed-in person as Flask-Login sees them: a live staff session, looked up on each request.

Flask-Login keeps `get_id()` in the signed cookie: here that is the session's random id and
nothing else. `load_user` finds the session in the database (engine.staff_sessions) and
refuses one that was signed out, ended by a new password or a disabled user, idle past
SESSION_IDLE_TIMEOUT or older than PERMANENT_SESSION_LIFETIME. Flask-Login hands a
"remember me" cookie to the same loader, so none can sign anyone in without a live session
(and Ordinance never sets one).

The look-up runs in a short session of its own, before the view opens the request's: a
read that does not take SQLite's write lock, then, at most once a minute, a separate write
of last_seen_at.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from flask_login import UserMixin
from sqlalchemy.orm import Session

from engine import staff_sessions
from engine.store.models import User
from webapp import clock
from webapp.extensions import database, login_manager


@dataclass(frozen=True)
class SignedIn(UserMixin):
    """What the web layer knows about the person signed in, and which session they are in."""

    id: int
    username: str
    full_name: str
    role: str
    session_id: str = field(repr=False)  # a bearer secret: kept out of logs

    @classmethod
    def of(cls, user: User, session_id: str) -> SignedIn:
        """The signed-in view of a user in the session with this id."""
        return cls(user.id, user.username, user.full_name, user.role, session_id)

    def get_id(self) -> str:
        """What the session cookie keeps: the session's random id only."""
        return self.session_id


@login_manager.user_loader
def load_user(session_id: str) -> SignedIn | None:
    """The person whose live session the cookie names, or None (signed out, ended, lapsed, disabled)."""
    now = clock.now()
    with database.factory()() as session:
        session.connection(execution_options={"sqlite_begin": "DEFERRED"})  # a read: don't queue behind writers
        row = staff_sessions.find(session, session_id)
        if row is None:
            return None
        why = staff_sessions.why_not_live(row, now, current_app.config["SESSION_IDLE_TIMEOUT"])
        if why is None and not staff_sessions.touch_due(row, now):
            return SignedIn.of(row.user, session_id)
        if why not in (None, staff_sessions.IDLE, staff_sessions.EXPIRED):
            return None  # ended already
        signed_in = SignedIn.of(row.user, session_id) if why is None else None
        row_id = row.id
        session.rollback()  # end the read; the write is a transaction of its own
        _note(session, row_id, why, now)
        session.commit()
        return signed_in


def _note(session: Session, row_id: int, why: str | None, now: datetime) -> None:
    """Write down that a live session was used now, or that a lapsed one has ended."""
    if why is None:
        staff_sessions.touch(session, row_id, now)
    else:
        staff_sessions.end_by_row(session, row_id, now=now, why=why)
