"""Sign-in throttles: failed sign-ins slow down the address they come from, never lock an account.

Two counts, kept in the database so every web worker shares them:

- a (username, address) pair that has failed `free_failures` times in a row waits 1 second,
  doubling with each further failure up to 15 minutes; a success from that address clears it.
  Failures from one address never slow the same user down at another, so a stranger cannot
  lock the administrator out of the counter.
- an address with `address_failures` failures within `address_window`, whatever usernames
  it tried, waits until that window ends.

A username nobody has is counted exactly like a real one (by the SHA-256 of what was typed,
so a password typed into the username box is never stored), so the throttle tells a
stranger nothing about who exists. The address is the one the WSGI server hands Flask
(request.remote_addr); behind a reverse proxy, the proxy handling set up around the app
(werkzeug's ProxyFix, see webapp/config.py) decides it.
Sign-ins from one address take turns (a transaction each), so guesses sent in parallel to
several workers are each counted before the next is checked. Starting a wait writes an
audit row; nothing here commits or reads the clock.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, or_, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from engine import audit
from engine.store.models import SignInThrottle

BY_USERNAME = "username"
BY_ADDRESS = "address"
ACTOR = "sign-in"
NOT_A_USER = "(not a user)"
LOCK_KEY = 4472  # the advisory lock class of sign-in turns (the audit chain's is 4471)


@dataclass(frozen=True)
class ThrottleRules:
    """How many failures are free, how long the waits grow, and when old failures are forgotten."""

    free_failures: int = 5
    first_wait: timedelta = timedelta(seconds=1)
    longest_wait: timedelta = timedelta(minutes=15)
    address_failures: int = 50
    address_window: timedelta = timedelta(minutes=15)
    forget_after: timedelta = timedelta(days=1)

    def pair_wait(self, failures: int) -> timedelta | None:
        """The wait after this many failures in a row of one username from one address."""
        if failures < self.free_failures:
            return None
        doublings = min(failures - self.free_failures, 30)
        return min(self.first_wait * 2 ** doublings, self.longest_wait)


def username_key(username: str) -> str:
    """The hex SHA-256 of a typed username, as the sign-in form would look it up."""
    return hashlib.sha256(username.strip().lower().encode("utf-8")).hexdigest()


def _both(address: str, key: str):
    """The condition matching an address's own row and its row for one username."""
    return and_(SignInThrottle.address == address,
                or_(and_(SignInThrottle.scope == BY_USERNAME, SignInThrottle.username_hash == key),
                    SignInThrottle.scope == BY_ADDRESS))


def _take_turn(session: Session, address: str) -> None:
    """Serialize the sign-ins from one address until this transaction ends.

    PostgreSQL: an advisory lock on the address, so parallel guesses from several workers
    are each checked against the count the one before left. SQLite's write lock, taken at
    BEGIN, already does it.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key, hashtext(:address))"),
                        {"key": LOCK_KEY, "address": address})


def wait_left(session: Session, address: str, username: str, now: datetime, *,
              take_turn: bool = True) -> timedelta | None:
    """Take this address's turn, then say how long it must wait before trying this username again, or None.

    A read ahead of the sign-in's own transaction (engine.users.check_ahead) looks without the turn.
    """
    if take_turn:
        _take_turn(session, address)
    rows = session.scalars(select(SignInThrottle).where(_both(address, username_key(username)))
                           .execution_options(populate_existing=True))
    waits = [row.wait_until - now for row in rows if row.wait_until is not None and row.wait_until > now]
    return max(waits, default=None)


def _insert(session: Session):
    """The dialect's INSERT, which knows ON CONFLICT DO NOTHING."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def _row(session: Session, scope: str, address: str, key: str, now: datetime) -> SignInThrottle:
    """The throttle row for (scope, address, username), created if missing, locked for the update."""
    statement = _insert(session)(SignInThrottle).values(
        scope=scope, address=address, username_hash=key, failures=0, window_started_at=now,
        last_failure_at=now, wait_until=None)
    session.execute(statement.on_conflict_do_nothing(index_elements=["scope", "address", "username_hash"]))
    return session.scalars(select(SignInThrottle).where(
        SignInThrottle.scope == scope, SignInThrottle.address == address, SignInThrottle.username_hash == key)
        .with_for_update().execution_options(populate_existing=True)).one()


def _count_for_address(session: Session, address: str, now: datetime, rules: ThrottleRules) -> None:
    """One more failure from an address; at the limit it waits out the window (audited once)."""
    row = _row(session, BY_ADDRESS, address, "", now)
    if now - row.window_started_at >= rules.address_window:
        row.window_started_at, row.failures, row.wait_until = now, 0, None
    row.failures += 1
    row.last_failure_at = now
    if row.failures >= rules.address_failures:
        row.wait_until = row.window_started_at + rules.address_window
    session.flush()
    if row.failures == rules.address_failures:
        audit.record(session, actor=ACTOR, action="sign_in.address_waits", subject_type="address",
                     subject_id=address, detail={"failures": row.failures, "until": row.wait_until}, at=now)


def _count_for_pair(session: Session, address: str, username: str, known: bool, now: datetime,
                    rules: ThrottleRules) -> None:
    """One more failure of a username from an address; past the free ones it waits (the first wait audited)."""
    row = _row(session, BY_USERNAME, address, username_key(username), now)
    if now - row.last_failure_at >= rules.forget_after:
        row.failures = 0
    row.failures += 1
    row.last_failure_at = now
    wait = rules.pair_wait(row.failures)
    row.wait_until = now + wait if wait else None
    session.flush()
    if row.failures == rules.free_failures:
        audit.record(session, actor=ACTOR, action="sign_in.username_waits", subject_type="user",
                     subject_id=username.strip().lower() if known else NOT_A_USER,
                     detail={"address": address, "failures": row.failures, "wait_seconds": wait.total_seconds()},
                     at=now)


def count_failure(session: Session, *, address: str, username: str, known: bool, now: datetime,
                  rules: ThrottleRules) -> None:
    """Count a failed sign-in against the address and against (username, address)."""
    _count_for_address(session, address, now, rules)
    _count_for_pair(session, address, username, known, now, rules)


def clear(session: Session, address: str, username: str) -> None:
    """Forget this username's failures from this address (it signed in)."""
    session.execute(delete(SignInThrottle).where(
        SignInThrottle.scope == BY_USERNAME, SignInThrottle.address == address,
        SignInThrottle.username_hash == username_key(username)))


def forget_username(session: Session, username: str) -> int:
    """Lift every wait of one username, from every address (a new password); how many were lifted."""
    result = session.execute(delete(SignInThrottle).where(
        SignInThrottle.scope == BY_USERNAME, SignInThrottle.username_hash == username_key(username)))
    return result.rowcount


def forget_stale(session: Session, now: datetime, rules: ThrottleRules) -> int:
    """Delete throttles with no failure for `forget_after` and no wait left; how many went."""
    result = session.execute(delete(SignInThrottle).where(
        SignInThrottle.last_failure_at < now - rules.forget_after,
        or_(SignInThrottle.wait_until.is_(None), SignInThrottle.wait_until <= now)))
    return result.rowcount
