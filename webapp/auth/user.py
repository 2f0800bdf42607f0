"""The signed-in person as Flask-Login sees them, loaded from the database on each request."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask_login import UserMixin

from engine.store.models import User
from webapp.extensions import database, login_manager


def _fingerprint(password_hash: str) -> str:
    """A short digest of the password hash: a new password ends sessions signed in with the old one."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class SignedIn(UserMixin):
    """What the web layer knows about the person signed in."""

    id: int
    username: str
    full_name: str
    role: str
    fingerprint: str

    @classmethod
    def of(cls, user: User) -> SignedIn:
        """The signed-in view of a User row."""
        return cls(user.id, user.username, user.full_name, user.role, _fingerprint(user.password_hash))

    def get_id(self) -> str:
        """What the session cookie keeps: the user's id and password fingerprint."""
        return f"{self.id}:{self.fingerprint}"


@login_manager.user_loader
def load_user(session_id: str) -> SignedIn | None:
    """The user a session belongs to, if they still exist, are active and kept their password."""
    user_id, _, fingerprint = session_id.partition(":")
    if not user_id.isdigit():
        return None
    user = database.session.get(User, int(user_id))
    if user is None or not user.active or _fingerprint(user.password_hash) != fingerprint:
        return None
    return SignedIn.of(user)
