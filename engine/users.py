"""Staff accounts: adding, listing, disabling, passwords, and signing in.

Every change writes an audit row in the caller's transaction; nothing here commits.
Passwords are checked by engine.passwords and kept only as scrypt hashes. Signing in is
throttled by (username, address) and by address (engine.throttle), never by account, and
every failure, whatever its cause, gets the same words. A new password or disabling a
user ends their sessions (engine.staff_sessions). A role above clerk is granted, and a role
changed, only when a second person approves (engine.two_person calls `apply_approved_role`);
`add_user` with such a role is for the machine operator's first people (its `bootstrap`).
"""
from __future__ import annotations

import re
import math
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit, passwords, staff_sessions, throttle
from engine.city import get_city
from engine.store.models import ROLES, SettingChange, User

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
SIGN_IN_FAILED = "Sign-in failed: check the username and password, or wait a moment and try again."
LOCAL = "local"  # the address of a sign-in checked on this machine (command line, tests)


class UserError(ValueError):
    """A change to a user that cannot be made; the message says why, for the person asking."""


@dataclass(frozen=True)
class LoginResult:
    """The outcome of a sign-in attempt: the user when it succeeded, else a message to show."""

    user: User | None
    message: str = ""
    wait: timedelta | None = None  # set when the attempt was not even checked: the address must wait
    session_id: str | None = field(default=None, repr=False)  # the new staff session's id (sign_in only)

    @property
    def ok(self) -> bool:
        """True when the person is signed in."""
        return self.user is not None


def throttled_message(wait: timedelta) -> str:
    """What a person waiting out a throttle is told (about this computer, never about a user)."""
    seconds = max(1, math.ceil(wait.total_seconds()))
    if seconds < 60:
        how_long = f"{seconds} second{'s' if seconds != 1 else ''}"
    else:
        minutes = -(-seconds // 60)
        how_long = f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"Too many sign-in attempts from this computer: try again in {how_long}."


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


def active_admins(session: Session) -> list[str]:
    """The usernames of the active administrators."""
    return list(session.scalars(select(User.username).where(User.role == "admin", User.active.is_(True))
                                .order_by(User.username)))


def add_user(session: Session, *, username: str, full_name: str, role: str, password: str,
             actor: str, now: datetime, bootstrap: bool = False) -> User:
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
                active=True, created_at=now)
    session.add(user)
    session.flush()
    detail = {"role": role, "full_name": full_name, **({"bootstrap": True} if bootstrap else {})}
    audit.record(session, actor=actor, action="user.add", subject_type="user", subject_id=username,
                 detail=detail, at=now)
    return user


def _existing(session: Session, username: str) -> User:
    """The user with this username, or a UserError naming it."""
    user = get_user(session, username)
    if user is None:
        raise UserError(f"There is no user {username!r}.")
    return user


def apply_approved_role(session: Session, change: SettingChange, *, now: datetime) -> User:
    """Give a user the role a second person approved; refused if it was not approved, or their role moved since."""
    if change.status != "approved" or change.setting != "role" or change.decided_by in (None, change.requested_by):
        raise UserError(f"change {change.id} has not been approved by a second person")
    user = _existing(session, change.username or "")
    if not user.active or user.role != change.old_value:
        raise UserError(f"{user.username} is now {user.role if user.active else 'disabled'}; this change was asked "
                        f"while they were {change.old_value}: refuse it and ask again.")
    user.role = change.new_value
    session.flush()
    audit.record(session, actor=change.decided_by, action="user.role", subject_type="user", subject_id=user.username,
                 detail={"role": [change.old_value, change.new_value], "change": change.id,
                         "asked_by": change.requested_by}, at=now)
    return user


def disable_user(session: Session, username: str, *, actor: str, now: datetime) -> User:
    """Stop a user from signing in and end their sessions; refuse to disable oneself or someone already disabled."""
    user = _existing(session, username)
    if user.username == actor:
        raise UserError("You cannot disable your own account.")
    if not user.active:
        raise UserError(f"{user.username} is already disabled.")
    user.active = False
    session.flush()
    ended = staff_sessions.end_all(session, user.id, now=now, why=staff_sessions.USER_DISABLED)
    audit.record(session, actor=actor, action="user.disable", subject_type="user", subject_id=user.username,
                 detail={"sessions_ended": ended}, at=now)
    return user


def enable_user(session: Session, username: str, *, actor: str, now: datetime) -> User:
    """Let a disabled user sign in again, as a clerk: a higher role is asked for again (two_person.enable_staff)."""
    user = _existing(session, username)
    if user.active:
        raise UserError(f"{user.username} is already active.")
    role_before, user.active, user.role = user.role, True, "clerk"
    session.flush()
    audit.record(session, actor=actor, action="user.enable", subject_type="user", subject_id=user.username,
                 detail={"role": "clerk", "role_before": role_before}, at=now)
    return user


def change_own_password(session: Session, username: str, current: str, new: str, *, now: datetime) -> User:
    """A signed-in person changes their own password, proving the current one; their other sessions end."""
    user = _existing(session, username)
    if not passwords.password_matches(user.password_hash, current):
        raise UserError("The current password is not right; nothing was changed.")
    if current == new:
        raise UserError("The new password is the same as the current one.")
    return set_password(session, user.username, new, actor=user.username, now=now)


def set_password(session: Session, username: str, password: str, *, actor: str, now: datetime) -> User:
    """Give a user a new password, end their sessions and lift their sign-in waits."""
    user = _existing(session, username)
    user.password_hash = hash_password(session, password, username=user.username, full_name=user.full_name)
    session.flush()
    ended = staff_sessions.end_all(session, user.id, now=now, why=staff_sessions.NEW_PASSWORD)
    throttle.forget_username(session, user.username)
    audit.record(session, actor=actor, action="user.password", subject_type="user", subject_id=user.username,
                 detail={"sessions_ended": ended}, at=now)
    return user


@dataclass(frozen=True)
class CheckedAhead:
    """A sign-in's password, checked in a reading transaction before the writing one begins.

    Hashing takes about a tenth of a second. Done inside the sign-in's own transaction, it would
    hold SQLite's one write lock (or, on PostgreSQL, the address's turn) all that time, and
    twenty clerks signing in at nine would queue behind each other's hashing.
    """

    username: str
    password_hash: str | None  # the hash the password was checked against
    matches: bool


def check_ahead(session: Session, username: str, password: str, now: datetime, *,
                address: str = LOCAL) -> CheckedAhead | None:
    """Check the password against the user's hash as it stands; None, with nothing hashed, when the address waits."""
    if throttle.wait_left(session, address, username, now, take_turn=False) is not None:
        return None
    user = get_user(session, username)
    stored = user.password_hash if user else None
    return CheckedAhead(username, stored, passwords.password_matches(stored, password))  # same work either way


def authenticate(session: Session, username: str, password: str, now: datetime, *, address: str = LOCAL,
                 rules: throttle.ThrottleRules = throttle.ThrottleRules(),
                 ahead: CheckedAhead | None = None) -> LoginResult:
    """Check a sign-in from an address: a waiting address is not checked; every failure gets the same words.

    The throttle is read again under the address's turn: a password checked ahead counts only when
    the address still need not wait and the user's hash is still the one it was checked against.
    """
    wait = throttle.wait_left(session, address, username, now)
    if wait is not None:
        return LoginResult(None, throttled_message(wait), wait)
    user = get_user(session, username)
    stored = user.password_hash if user else None
    if ahead is not None and ahead.username == username and ahead.password_hash == stored:
        matches = ahead.matches
    else:
        matches = passwords.password_matches(stored, password)  # same work either way
    if user is None or not matches or not user.active:
        throttle.count_failure(session, address=address, username=username, known=user is not None, now=now,
                               rules=rules)
        return LoginResult(None, SIGN_IN_FAILED)
    throttle.clear(session, address, username)
    throttle.forget_stale(session, now, rules)
    user.last_login_at = now
    session.flush()
    audit.record(session, actor=user.username, action="user.login", subject_type="user",
                 subject_id=user.username, detail={"address": address}, at=now)
    return LoginResult(user)


def sign_in(session: Session, username: str, password: str, now: datetime, *, address: str, user_agent: str,
            lifetime: timedelta, rules: throttle.ThrottleRules, ahead: CheckedAhead | None = None) -> LoginResult:
    """Authenticate, and on success open a staff session: its id comes back in the result, for the cookie."""
    result = authenticate(session, username, password, now, address=address, rules=rules, ahead=ahead)
    if not result.ok:
        return result
    session_id = staff_sessions.start(session, result.user, now=now, lifetime=lifetime, address=address,
                                      user_agent=user_agent)
    return replace(result, session_id=session_id)
