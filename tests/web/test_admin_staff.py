"""Administrators without the command line: API tokens, enabling a user again, a new password; and My password."""
from __future__ import annotations

import re
from datetime import datetime, timezone

from sqlalchemy import select

from engine import api_tokens, city, users
from engine.store.models import AuditEntry, SettingChange
from tests.factories import NOW
from tests.web.conftest import PASSWORD, create_user

NEW_PASSWORD = "walnut orchard lantern ferry"


def actions(db) -> list[str]:
    """Every audit row's action, oldest first."""
    return list(db.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_an_admin_adds_a_token_sees_it_once_and_it_works_until_revoked(admin, db):
    response = admin.post("/admin/tokens", data={"name": "lockbox", "scopes": ["payments:write", "accounts:read"]})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    [token] = re.findall(r'<code class="token">([^<]+)</code>', page)
    assert "post payments (a lockbox or online payments); read accounts and their balances" in page
    assert api_tokens.authenticate(db, token, NOW).name == "lockbox"
    listed = admin.get("/admin/tokens").get_data(as_text=True)
    assert token not in listed and "lockbox" in listed  # shown once
    revoked = admin.post("/admin/tokens/revoke", data={"name": "lockbox"}, follow_redirects=True)
    assert b"Revoked the token lockbox" in revoked.data
    assert api_tokens.authenticate(db, token, NOW) is None
    assert actions(db)[-2:] == ["api_token.add", "api_token.revoke"]


def test_a_token_without_a_scope_or_with_a_bad_name_is_refused_and_nothing_is_added(admin, db):
    no_scope = admin.post("/admin/tokens", data={"name": "portal"})
    assert no_scope.status_code == 400 and b"Choose at least one thing the token may do." in no_scope.data
    bad_name = admin.post("/admin/tokens", data={"name": "Portal!", "scopes": ["accounts:read"]})
    assert bad_name.status_code == 400 and b"A token name is 2 to 64 lower-case letters" in bad_name.data
    unknown = admin.post("/admin/tokens", data={"name": "portal", "scopes": ["everything"]})
    assert unknown.status_code == 400
    assert api_tokens.list_tokens(db) == []


def test_enabling_a_disabled_supervisor_lets_them_in_as_a_clerk_and_asks_for_the_role_again(admin, db):
    supervisor = create_user(db, "supervisor")
    users.disable_user(db, supervisor.username, actor=admin.user.username, now=NOW)
    response = admin.post("/admin/users/enable", data={"username": supervisor.username}, follow_redirects=True)
    assert f"{supervisor.username} can sign in again, as a clerk.".encode() in response.data
    db.expire_all()
    back = users.get_user(db, supervisor.username)
    assert (back.active, back.role) == (True, "clerk")
    change = db.scalar(select(SettingChange).where(SettingChange.username == supervisor.username))
    assert (change.status, change.old_value, change.new_value) == ("pending", "clerk", "supervisor")
    assert "user.enable" in actions(db)


def test_an_admin_gives_a_clerk_a_new_password_and_their_sessions_end(admin, app, db, login_as):
    clerk = login_as("clerk")
    response = admin.post("/admin/users/password", data={"username": clerk.user.username, "password": NEW_PASSWORD},
                          follow_redirects=True)
    assert b"New password set for" in response.data
    assert clerk.get("/").status_code == 302  # signed out everywhere
    fresh = app.test_client()
    assert fresh.post("/login", data={"username": clerk.user.username, "password": PASSWORD}).status_code == 200
    assert fresh.post("/login", data={"username": clerk.user.username, "password": NEW_PASSWORD}).status_code == 302
    assert "user.password" in actions(db)


def test_no_administrator_sets_another_administrators_or_the_second_approvers_password(admin, db):
    other_admin = create_user(db, "admin")
    approver = create_user(db, "supervisor")
    settings = city.get_city(db)
    settings.second_approver = approver.username  # as if a second person had approved naming them
    db.add(settings)
    db.flush()
    for user in (other_admin, approver):
        response = admin.post("/admin/users/password", data={"username": user.username, "password": NEW_PASSWORD},
                              follow_redirects=True)
        assert b"so that no one person can act as two" in response.data, re.findall(r"flash [a-z]+\">([^<]*)<", response.get_data(as_text=True))
        db.expire_all()
        assert users.authenticate(db, user.username, PASSWORD, NOW).ok
    mine = admin.post("/admin/users/password", data={"username": admin.user.username, "password": NEW_PASSWORD},
                      follow_redirects=True)
    assert b"Change your own password on the My password page" in mine.data


def test_a_weak_new_password_is_refused_with_the_reason(admin, db):
    clerk = create_user(db, "clerk")
    response = admin.post("/admin/users/password", data={"username": clerk.username, "password": "password1234"},
                          follow_redirects=True)
    assert b"one of the most common passwords" in response.data
    assert users.authenticate(db, clerk.username, PASSWORD, NOW).ok


def test_anyone_changes_their_own_password_with_the_current_one(app, login_as, db):
    clerk = login_as("clerk")
    assert b"My password" in clerk.get("/").data
    wrong = clerk.post("/account/password", data={"current": "not it at all", "password": NEW_PASSWORD,
                                                  "confirm": NEW_PASSWORD})
    assert wrong.status_code == 400 and b"The current password is not right; nothing was changed." in wrong.data
    done = clerk.post("/account/password", data={"current": PASSWORD, "password": NEW_PASSWORD,
                                                 "confirm": NEW_PASSWORD}, follow_redirects=True)
    assert b"Your password is changed. Sign in with the new one." in done.data
    assert clerk.get("/").status_code == 302
    db.expire_all()
    assert users.authenticate(db, clerk.user.username, NEW_PASSWORD, NOW).ok


def test_times_on_pages_are_the_citys_local_time_in_the_one_date_style(app):
    from webapp.formatting import local_time

    with app.test_request_context("/"):
        # 17:05 UTC on March 2 is 9:05 in the morning in Alder Creek (America/Los_Angeles, PST).
        assert local_time(datetime(2026, 3, 2, 17, 5, tzinfo=timezone.utc)) == "Mar 2, 2026, 9:05 AM"
        assert local_time(datetime(2026, 7, 1, 3, 0, tzinfo=timezone.utc)) == "Jun 30, 2026, 8:00 PM"
        assert local_time("2026-03-02T20:00:00+00:00") == "Mar 2, 2026, 12:00 PM"
        assert local_time(datetime(2026, 3, 2, 8, 0)) == "Mar 2, 2026, 12:00 AM"  # kept without a zone: UTC
