"""Sign-in that a stranger cannot turn off: throttles by address, sessions kept in the database.

The counter PCs are shared, so a session ends for good when its clerk signs out, and a
stranger's wrong guesses slow down only the computer they come from.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_login.utils import encode_cookie
from sqlalchemy import func, select

from engine import staff_sessions, throttle, users
from engine.store.models import AuditEntry, SignInThrottle, StaffSession, User
from tests.factories import NOW
from tests.web.conftest import PASSWORD, create_user

COOKIE = "ordinance_session"
STRANGER = "203.0.113.9"
FRONT_COUNTER = "10.1.0.21"
ADMIN_DESK = "10.1.0.5"


class Clock:
    """The app's clock, moved on by the test."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **amount: float) -> None:
        """Move the clock on by a timedelta's keywords."""
        self.at += timedelta(**amount)


@pytest.fixture()
def clock(app: Flask) -> Clock:
    """The app's clock, starting at the factories' NOW."""
    app.config["CLOCK"] = Clock(NOW)
    return app.config["CLOCK"]


def computer(app: Flask, address: str = "127.0.0.1") -> FlaskClient:
    """A browser on a computer with this address."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def sign_in(client: FlaskClient, user: User, password: str = PASSWORD):
    """Post the sign-in form."""
    return client.post("/login", data={"username": user.username, "password": password})


def signed_in(app: Flask, user: User, address: str = "127.0.0.1") -> FlaskClient:
    """A browser on which `user` has just signed in."""
    client = computer(app, address)
    assert sign_in(client, user).status_code == 302
    return client


def session_row(db, client: FlaskClient) -> StaffSession:
    """The database's row of the session a browser's cookie names."""
    with client.session_transaction() as session:
        session_id = session["_user_id"]
    db.expire_all()
    return db.scalar(select(StaffSession).where(StaffSession.token_hash == staff_sessions.digest(session_id)))


def is_sent_to_sign_in(client: FlaskClient) -> bool:
    """True when the dashboard sends this browser to the sign-in page."""
    response = client.get("/")
    return response.status_code == 302 and response.headers["Location"].startswith("/login")


# --- (a) a cookie is worth nothing once its session has ended ---------------------------------


def test_a_cookie_copied_before_sign_out_is_refused_after_it(app, db):
    clerk = signed_in(app, create_user(db, "clerk"))
    cookie = clerk.get_cookie(COOKIE).value
    copy = computer(app)
    copy.set_cookie(COOKIE, cookie)
    assert copy.get("/").status_code == 200  # while the session lives, the copy works: that is what a cookie is

    assert clerk.post("/logout").status_code == 302
    assert is_sent_to_sign_in(copy)
    clerk.set_cookie(COOKIE, cookie)  # the clerk's own browser replays the old cookie
    assert is_sent_to_sign_in(clerk)
    [row] = db.scalars(select(StaffSession))
    assert row.ended_at is not None and row.ended_why == "signed out"


def test_a_remember_me_cookie_cannot_bring_an_ended_session_back(app, db):
    clerk = signed_in(app, create_user(db, "clerk"))
    with clerk.session_transaction() as session:
        session_id = session["_user_id"]
    clerk.post("/logout")
    with app.test_request_context():
        forged = encode_cookie(session_id)  # signed with the app's own key: the best a thief could hope for
    thief = computer(app)
    thief.set_cookie("remember_token", forged)
    assert is_sent_to_sign_in(thief)


def test_the_cookie_carries_only_a_random_session_id_and_the_database_only_its_digest(app, db):
    user = create_user(db, "clerk")
    clerk = signed_in(app, user, FRONT_COUNTER)
    with clerk.session_transaction() as session:
        session_id = session["_user_id"]
    row = session_row(db, clerk)
    assert row.user_id == user.id and row.address == FRONT_COUNTER and row.user_agent.startswith("Werkzeug")
    assert session_id not in row.token_hash and len(session_id) >= 40
    assert row.expires_at - row.created_at == app.config["PERMANENT_SESSION_LIFETIME"]


# --- (b, c) wrong guesses slow down the computer they come from ----------------------------------


def test_fifty_wrong_passwords_from_one_address_leave_the_administrator_free_at_another(app, db, clock):
    admin = create_user(db, "admin")
    stranger = computer(app, STRANGER)
    for _ in range(50):
        clock.advance(minutes=16)  # each guess after the last wait ran out: every one is checked and fails
        response = sign_in(stranger, admin, "guess the admin password")
        assert response.status_code == 200 and users.SIGN_IN_FAILED.encode() in response.data
    assert db.scalar(select(SignInThrottle.failures).where(SignInThrottle.scope == "username")) == 50

    assert sign_in(computer(app, ADMIN_DESK), admin).status_code == 302  # at once, from the desk
    refused = sign_in(stranger, admin)  # even the right password waits at the stranger's computer
    assert refused.status_code == 429
    assert b"Too many sign-in attempts from this computer: try again in 15 minutes." in refused.data


def test_an_address_that_fails_fifty_times_across_usernames_waits_out_the_window(app, db, clock):
    clerk = create_user(db, "clerk")
    stranger = computer(app, STRANGER)
    for n in range(50):
        stranger.post("/login", data={"username": f"guess{n}", "password": "Summer2026!"})
        clock.advance(seconds=1)
    refused = sign_in(stranger, clerk)
    assert refused.status_code == 429 and b"try again in 15 minutes" in refused.data
    assert sign_in(computer(app, FRONT_COUNTER), clerk).status_code == 302  # the counter is not slowed down
    assert db.scalar(select(func.count()).where(AuditEntry.action == "sign_in.address_waits",
                                                AuditEntry.subject_id == STRANGER)) == 1

    clock.advance(minutes=15)
    assert sign_in(computer(app, STRANGER), clerk).status_code == 302


def test_an_unknown_username_is_throttled_exactly_like_a_real_one(app, db, clock):
    clerk = create_user(db, "clerk")
    stranger = computer(app, STRANGER)
    for username in (clerk.username, "no-such-clerk"):
        for _ in range(5):
            stranger.post("/login", data={"username": username, "password": "wrong password"})
    waits = [stranger.post("/login", data={"username": name, "password": "x"}) for name in (clerk.username,
                                                                                             "no-such-clerk")]
    assert [w.status_code for w in waits] == [429, 429]
    assert waits[0].data.replace(clerk.username.encode(), b"NAME") == waits[1].data.replace(b"no-such-clerk",
                                                                                             b"NAME")


def test_no_typed_username_is_stored_only_its_digest(app, db):
    computer(app).post("/login", data={"username": "my password by mistake", "password": "x"})
    rows = db.scalars(select(SignInThrottle)).all()
    assert {row.username_hash for row in rows} == {"", throttle.username_key("my password by mistake")}


def test_a_success_clears_only_its_own_address_and_username(app, db, clock):
    clerk = create_user(db, "clerk")
    for _ in range(3):
        sign_in(computer(app, STRANGER), clerk, "wrong password")
        sign_in(computer(app, FRONT_COUNTER), clerk, "wrong password")
    assert sign_in(computer(app, FRONT_COUNTER), clerk).status_code == 302
    left = {(row.scope, row.address): row.failures for row in db.scalars(select(SignInThrottle))}
    assert left == {("address", STRANGER): 3, ("username", STRANGER): 3, ("address", FRONT_COUNTER): 3}


def test_throttles_quiet_for_a_day_are_forgotten_at_the_next_sign_in(app, db, clock):
    clerk = create_user(db, "clerk")
    sign_in(computer(app, STRANGER), clerk, "wrong password")
    clock.advance(days=1, seconds=1)
    sign_in(computer(app, FRONT_COUNTER), clerk)
    assert db.scalar(select(func.count()).select_from(SignInThrottle)) == 0


def test_the_wait_of_a_username_at_one_address_doubles_and_is_capped_at_fifteen_minutes():
    """Five failures are free; then 1 s, 2 s, 4 s, ... and never more than 15 minutes, however many follow."""
    rules = throttle.ThrottleRules()
    assert [rules.pair_wait(n) for n in range(5)] == [None] * 5
    assert [rules.pair_wait(n).total_seconds() for n in range(5, 11)] == [1, 2, 4, 8, 16, 32]
    assert rules.pair_wait(14).total_seconds() == 512 and rules.pair_wait(15) == timedelta(minutes=15)
    assert {rules.pair_wait(n) for n in (50, 1_000, 10 ** 9)} == {timedelta(minutes=15)}


# --- (d) every failure reads the same -----------------------------------------------------------


def test_unknown_user_wrong_password_and_disabled_user_read_the_same(app, db):
    clerk, retired = create_user(db, "clerk"), create_user(db, "clerk")
    users.disable_user(db, retired.username, actor="admin", now=NOW)
    attempts = {"nobody-here": "correct horse battery", clerk.username: "wrong password",
                retired.username: PASSWORD}
    pages = set()
    for username, password in attempts.items():
        response = computer(app).post("/login", data={"username": username, "password": password})
        assert response.status_code == 200
        pages.add(response.get_data(as_text=True).replace(username, "NAME"))
    assert len(pages) == 1
    assert users.SIGN_IN_FAILED in pages.pop()
    results = {users.authenticate(db, name, password, NOW, address=ADMIN_DESK).message
               for name, password in attempts.items()}
    assert results == {users.SIGN_IN_FAILED}


# --- (f) an idle counter PC ends its session; no session outlives a working day ------------------


def test_thirty_idle_minutes_end_the_session(app, db, clock):
    clerk = signed_in(app, create_user(db, "clerk"), FRONT_COUNTER)
    clock.advance(minutes=29)
    assert clerk.get("/").status_code == 200
    clock.advance(minutes=29)  # 58 minutes after signing in, 29 after the last page
    assert clerk.get("/").status_code == 200
    clock.advance(minutes=30, seconds=1)
    assert is_sent_to_sign_in(clerk)
    row = session_row(db, clerk)
    assert row.ended_why == "idle" and row.ended_at == clock.at
    clock.advance(minutes=1)
    assert is_sent_to_sign_in(clerk)  # and it stays ended


def test_the_idle_timeout_is_a_setting(app, db, clock):
    app.config["SESSION_IDLE_TIMEOUT"] = timedelta(minutes=5)
    clerk = signed_in(app, create_user(db, "clerk"))
    clock.advance(minutes=6)
    assert is_sent_to_sign_in(clerk)


def test_a_busy_session_still_ends_after_its_lifetime(app, db, clock):
    clerk = signed_in(app, create_user(db, "clerk"))
    for _ in range(26):  # a page every 20 minutes for 8 hours 40 minutes
        clock.advance(minutes=20)
        assert clerk.get("/").status_code == 200
    clock.advance(minutes=20)  # 9 hours
    assert is_sent_to_sign_in(clerk)
    assert session_row(db, clerk).ended_why == "expired"


def test_last_seen_is_written_at_most_once_a_minute(app, db, clock):
    clerk = signed_in(app, create_user(db, "clerk"))
    clock.advance(seconds=59)
    clerk.get("/")
    assert session_row(db, clerk).last_seen_at == NOW
    clock.advance(seconds=1)
    clerk.get("/")
    assert session_row(db, clerk).last_seen_at == NOW + timedelta(minutes=1)


# --- (g) a new password or a disabled user ends every session ------------------------------------


def test_a_new_password_ends_every_session_of_that_user_only(app, db):
    user, colleague = create_user(db, "clerk"), create_user(db, "clerk")
    counter, back_office = signed_in(app, user, FRONT_COUNTER), signed_in(app, user, ADMIN_DESK)
    other = signed_in(app, colleague)
    users.set_password(db, user.username, "a brand new password", actor="admin", now=NOW)
    assert is_sent_to_sign_in(counter) and is_sent_to_sign_in(back_office)
    assert other.get("/").status_code == 200
    assert {session_row(db, c).ended_why for c in (counter, back_office)} == {"new password"}
    assert db.scalar(select(AuditEntry.detail).where(AuditEntry.action == "user.password")) == {"sessions_ended": 2}
    assert sign_in(computer(app), user, "a brand new password").status_code == 302


def test_an_admin_disabling_a_clerk_ends_the_clerk_s_sessions(app, db, admin):
    clerk_user = create_user(db, "clerk")
    clerk = signed_in(app, clerk_user)
    admin.post("/admin/users/disable", data={"username": clerk_user.username})
    assert is_sent_to_sign_in(clerk)
    assert session_row(db, clerk).ended_why == "user disabled"


# --- the counts are in the database: every web worker shares them ----------------------------------


def test_guesses_made_at_once_by_several_workers_are_counted_one_after_another(committing_db):
    with committing_db() as session, session.begin():
        create_user(session, "admin", username="chief")

    def guess(_: int) -> str:
        """One worker's failed sign-in, in a transaction of its own."""
        with committing_db() as session, session.begin():
            return users.authenticate(session, "chief", "wrong password", NOW, address=STRANGER).message

    with ThreadPoolExecutor(max_workers=4) as workers:
        messages = list(workers.map(guess, range(8)))
    assert messages.count(users.SIGN_IN_FAILED) == 5  # the sixth waits, whichever worker took it
    assert messages.count(users.throttled_message(timedelta(seconds=1))) == 3
    with committing_db() as session:
        counts = {row.scope: row.failures for row in session.scalars(select(SignInThrottle))}
    assert counts == {"address": 5, "username": 5}


# --- the password is hashed before the sign-in's write transaction begins -------------------------

def _hashes(monkeypatch) -> list[bool]:
    """Record each password check: True when the request's own (writing) transaction had begun."""
    from flask import g

    checks: list[bool] = []
    real = users.passwords.password_matches

    def recording(stored, password):
        session = g.get("ordinance_session")
        checks.append(session is not None and session.in_transaction())
        return real(stored, password)

    monkeypatch.setattr(users.passwords, "password_matches", recording)
    return checks


def test_a_sign_in_hashes_its_password_once_before_it_writes(app, client, db, clock, monkeypatch):
    user = create_user(db)
    checks = _hashes(monkeypatch)
    assert sign_in(client, user).status_code == 302
    assert checks == [False]  # once, outside the transaction that holds SQLite's write lock
    assert sign_in(computer(app), user, "not the password at all").status_code == 200
    assert checks == [False, False]


def test_a_password_checked_ahead_is_checked_again_when_the_hash_changed_meanwhile(db):
    user = create_user(db)
    ahead = users.check_ahead(db, user.username, PASSWORD, NOW)
    assert ahead is not None and ahead.matches
    users.set_password(db, user.username, "a different long passphrase here", actor="admin", now=NOW)
    result = users.authenticate(db, user.username, PASSWORD, NOW, ahead=ahead)
    assert not result.ok  # the old password, checked against the new hash


def test_a_password_checked_ahead_counts_only_for_its_username(db):
    user, other = create_user(db), create_user(db, username="other.clerk")
    ahead = users.check_ahead(db, other.username, PASSWORD, NOW)
    assert users.authenticate(db, user.username, "wrong password for this one", NOW, ahead=ahead).ok is False


def test_an_address_that_must_wait_has_nothing_hashed_ahead(db, monkeypatch):
    user = create_user(db)
    for _ in range(5):
        users.authenticate(db, user.username, "wrong password entirely", NOW, address=STRANGER)
    checks = _hashes_outside_a_request(monkeypatch)
    assert users.check_ahead(db, user.username, PASSWORD, NOW, address=STRANGER) is None
    assert checks == []
    result = users.authenticate(db, user.username, PASSWORD, NOW, address=STRANGER)
    assert not result.ok and result.wait is not None


def _hashes_outside_a_request(monkeypatch) -> list[str]:
    checks: list[str] = []
    real = users.passwords.password_matches
    monkeypatch.setattr(users.passwords, "password_matches",
                        lambda stored, password: checks.append(password) or real(stored, password))
    return checks
