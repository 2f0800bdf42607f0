"""Signing in and out: passwords, the sign-in throttle, a fresh session, CSRF, deny by default."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from engine import staff_sessions
from engine.store.models import AuditEntry, SignInThrottle, StaffSession, User
from engine.users import SIGN_IN_FAILED
from tests.factories import NOW
from tests.web.conftest import PASSWORD, create_user, csrf_token


def audit_rows(db) -> int:
    """How many audit rows there are."""
    return db.scalar(select(func.count()).select_from(AuditEntry))


def test_the_right_password_signs_in_and_opens_the_dashboard(client, db):
    user = create_user(db, "clerk")
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/")
    assert page.status_code == 200
    assert b"Dashboard" in page.data and user.full_name.encode() in page.data


def test_a_wrong_password_says_sign_in_failed_and_changes_only_the_throttle_counts(client, db):
    user = create_user(db, "clerk")
    before = (user.password_hash, user.active, user.last_login_at, audit_rows(db))
    response = client.post("/login", data={"username": user.username, "password": "wrong password"})
    assert response.status_code == 200
    assert SIGN_IN_FAILED.encode() in response.data
    db.expire_all()
    user = db.get(User, user.id)
    assert (user.password_hash, user.active, user.last_login_at, audit_rows(db)) == before
    counts = {row.scope: (row.address, row.failures) for row in db.scalars(select(SignInThrottle))}
    assert counts == {"address": ("127.0.0.1", 1), "username": ("127.0.0.1", 1)}
    assert client.get("/").status_code == 302  # still not signed in


def test_an_unknown_username_gets_the_same_message(client, db):
    response = client.post("/login", data={"username": "nobody", "password": "whatever1"})
    assert SIGN_IN_FAILED.encode() in response.data


def test_five_failures_make_this_computer_wait_a_second_and_the_wait_runs_out(app, client, db):
    app.config["CLOCK"] = lambda: NOW
    user = create_user(db, "clerk")
    for _ in range(5):
        client.post("/login", data={"username": user.username, "password": "wrong password"})
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 429 and response.headers["Retry-After"] == "1"
    assert b"Too many sign-in attempts from this computer: try again in 1 second." in response.data
    assert client.get("/").status_code == 302
    assert db.scalar(select(func.count()).where(AuditEntry.action == "sign_in.username_waits",
                                                AuditEntry.subject_id == user.username)) == 1
    app.config["CLOCK"] = lambda: NOW + timedelta(seconds=1)
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert db.scalar(select(func.count()).select_from(SignInThrottle)
                     .where(SignInThrottle.scope == "username")) == 0  # the success cleared the count


def test_a_disabled_user_cannot_sign_in_and_is_told_only_that_sign_in_failed(client, db):
    user = create_user(db, "clerk", )
    user.active = False
    db.flush()
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert SIGN_IN_FAILED.encode() in response.data and b"disabled" not in response.data


def test_signing_in_starts_a_new_session(app, client, db):
    app.config["WTF_CSRF_ENABLED"] = True
    user = create_user(db, "clerk")
    token = csrf_token(client.get("/login"))
    with client.session_transaction() as session:
        session["planted"] = "by someone before the sign-in"
        token_before = session.get("csrf_token")
    assert token_before  # the login form put a CSRF token in the session
    response = client.post("/login", data={"username": user.username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("csrf_token") != token_before
        session_id = session["_user_id"]  # the session's random id, nothing else
    row = db.scalar(select(StaffSession).where(StaffSession.token_hash == staff_sessions.digest(session_id)))
    assert row.user_id == user.id and row.ended_at is None


def test_signing_out_ends_the_session(clerk):
    assert clerk.get("/").status_code == 200
    response = clerk.post("/logout")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert clerk.get("/").status_code == 302
    with clerk.session_transaction() as session:
        assert "_user_id" not in session


def test_after_sign_in_the_person_returns_to_the_page_they_asked_for(client, db):
    user = create_user(db, "admin")
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/admin/users"
    response = client.post("/login?next=/admin/users", data={"username": user.username, "password": PASSWORD})
    assert response.headers["Location"] == "/admin/users"


def test_next_never_leads_off_the_site(client, db):
    user = create_user(db, "clerk")
    response = client.post("/login?next=//evil.example/x", data={"username": user.username, "password": PASSWORD})
    assert response.headers["Location"] == "/"


def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(app, client, db):
    app.config["WTF_CSRF_ENABLED"] = True
    user = create_user(db, "clerk")
    response = client.post("/login", data={"username": user.username, "password": "wrong password"})
    assert response.status_code == 400
    assert b"missing its security token" in response.data
    assert db.scalar(select(func.count()).select_from(SignInThrottle)) == 0


def test_with_its_csrf_token_the_same_form_works(app, client, db):
    app.config["WTF_CSRF_ENABLED"] = True
    user = create_user(db, "clerk")
    token = csrf_token(client.get("/login"))
    response = client.post("/login", data={"username": user.username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302


def test_a_csrf_token_from_another_session_is_refused(app, client, db):
    app.config["WTF_CSRF_ENABLED"] = True
    user = create_user(db, "clerk")
    token = csrf_token(app.test_client().get("/login"))
    response = client.post("/login", data={"username": user.username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 400


def test_a_changed_password_ends_sessions_signed_in_with_the_old_one(clerk, db):
    from engine import users
    users.set_password(db, clerk.user.username, "a brand new password", actor="admin", now=NOW)
    db.flush()
    assert clerk.get("/").status_code == 302


def test_a_disabled_user_is_signed_out_at_the_next_request(clerk, db):
    from engine import users
    users.disable_user(db, clerk.user.username, actor="admin", now=NOW)
    assert clerk.get("/").status_code == 302
