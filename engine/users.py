"""Staff accounts: adding, listing, disabling, passwords, and signing in with a lockout.

Every change writes an audit row in the caller's transaction; nothing here commits.
Passwords are checked by engine.passwords and kept only as scrypt hashes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit, passwords
from engine.city import get_city
from engine.store.models import ROLES, User

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
WRONG_CREDENTIALS = "Wrong username or password."


class UserError(ValueError):
    """A change to a user that cannot be made; the message says why, for the person asking."""


@dataclass(frozen=True)
class LoginResult:
    """The outcome of a sign-in attempt: the user when it succeeded, else a message to show."""

    user: User | None
    message: str = ""

    @property
    def ok(self) -> bool:
        """True when the person is signed in."""
        return self.user is not None


def hash_password(session: Session, password: str, *, username: str, full_name: str) -> str:
    """The scrypt hash of a password the city accepts for this user; a UserError saying why if not."""
    known = passwords.personal_words(get_city(session).name, username, full_name)
    try:
        passwords.check_password(password, known)
    except passwords.PasswordRefused as refused:
        raise UserError(str(refused)) from None
    return passwords.hash_password(password)


def get_user(session: Session, username: str) -> User | None:
    """The user with this username, or None."""
    return session.scalar(select(User).where(User.username == username.strip().lower()))


def list_users(session: Session) -> list[User]:
    """Every user, by username."""
    return list(session.scalars(select(User).order_by(User.username)))


def add_user(session: Session, *, username: str, full_name: str, role: str, password: str,
             actor: str, now: datetime) -> User:
    """Create an active user with a role and a password; refuse a taken or malformed username."""
    username = username.strip().lower()
    full_name = full_name.strip()
    if not USERNAME.match(username):
        raise UserError("A username is 2 to 64 lower-case letters, digits, dots, dashes or underscores.")
    if role not in ROLES:
        raise UserError(f"Role {role!r} is not one of {', '.join(ROLES)}.")
    if not full_name:
        raise UserError("A user needs a full name.")
    if get_user(session, username) is not None:
        raise UserError(f"The username {username!r} is already taken.")
    password_hash = hash_password(session, password, username=username, full_name=full_name)
    user = User(username=username, full_name=full_name, role=role, password_hash=password_hash,
                active=True, failed_logins=0, created_at=now)
    session.add(user)
    session.flush()
    audit.record(session, actor=actor, action="user.add", subject_type="user", subject_id=username,
                 detail={"role": role, "full_name": full_name}, at=now)
    return user


def _existing(session: Session, username: str) -> User:
    """The user with this username, or a UserError naming it."""
    user = get_user(session, username)
    if user is None:
        raise UserError(f"There is no user {username!r}.")
    return user


def disable_user(session: Session, username: str, *, actor: str, now: datetime) -> User:
    """Stop a user from signing in; refuse to disable oneself or someone already disabled."""
    user = _existing(session, username)
    if user.username == actor:
        raise UserError("You cannot disable your own account.")
    if not user.active:
        raise UserError(f"{user.username} is already disabled.")
    user.active = False
    session.flush()
    audit.record(session, actor=actor, action="user.disable", subject_type="user", subject_id=user.username,
                 detail={}, at=now)
    return user


def set_password(session: Session, username: str, password: str, *, actor: str, now: datetime) -> User:
    """Give a user a new password and lift any lockout."""
    user = _existing(session, username)
    user.password_hash = hash_password(session, password, username=user.username, full_name=user.full_name)
    user.failed_logins = 0
    user.locked_until = None
    session.flush()
    audit.record(session, actor=actor, action="user.password", subject_type="user", subject_id=user.username,
                 detail={}, at=now)
    return user


def authenticate(session: Session, username: str, password: str, now: datetime) -> LoginResult:
    """Check a sign-in; count failures, lock the account for 15 minutes after the fifth."""
    user = get_user(session, username)
    if user is None:
        passwords.password_matches(None, password)  # the same work as for a wrong password
        return LoginResult(None, WRONG_CREDENTIALS)
    if user.locked_until is not None and user.locked_until > now:
        minutes = max(1, -int((now - user.locked_until).total_seconds() // 60))  # rounded up
        return LoginResult(None, f"Too many failed sign-ins: this account is locked. Try again in "
                                 f"{minutes} minute{'s' if minutes != 1 else ''}, or ask an administrator.")
    if user.locked_until is not None:  # the lock has run out: start counting afresh
        user.locked_until = None
        user.failed_logins = 0
    if not passwords.password_matches(user.password_hash, password):
        return _failed(session, user, now)
    if not user.active:
        return LoginResult(None, "This account is disabled. Ask an administrator.")
    user.failed_logins = 0
    user.last_login_at = now
    session.flush()
    audit.record(session, actor=user.username, action="user.login", subject_type="user",
                 subject_id=user.username, detail={}, at=now)
    return LoginResult(user)


def _failed(session: Session, user: User, now: datetime) -> LoginResult:
    """Count one failed sign-in, locking the account when it is the last one allowed."""
    user.failed_logins += 1
    if user.failed_logins >= MAX_FAILED_LOGINS:
        user.locked_until = now + LOCKOUT
        session.flush()
        audit.record(session, actor=user.username, action="user.locked", subject_type="user",
                     subject_id=user.username, detail={"failed_logins": user.failed_logins,
                                                       "until": user.locked_until.isoformat()}, at=now)
        return LoginResult(None, f"{WRONG_CREDENTIALS} Too many failed sign-ins: this account is locked "
                                 f"for {LOCKOUT.seconds // 60} minutes.")
    session.flush()
    return LoginResult(None, WRONG_CREDENTIALS)
