"""Who may call the API: a live token with the endpoint's scope; no cookies, no CSRF token, JSON errors only."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine import api_tokens
from engine.store.models import LedgerEntry
from tests.api.conftest import TokenClient, add_token
from tests.factories import NOW, create_account
from webapp.app import create_app
from webapp.config import TestConfig

ENDPOINTS = [("GET", "/api/v1/accounts/T-0000001", "accounts:read"),
             ("POST", "/api/v1/payments", "payments:write"),
             ("GET", "/api/v1/liens?parcel=T000000001", "liens:read"),
             ("GET", "/api/v1/shutoffs?date=2026-03-02", "shutoffs:read")]


def assert_json_error(response, status: int, *words: str) -> None:
    """The answer is a JSON error of this status whose message has these words."""
    assert response.status_code == status, response.data
    assert response.mimetype == "application/json"
    for word in words:
        assert word in response.json["error"]


@pytest.mark.parametrize("method, path, scope", ENDPOINTS)
def test_no_token_is_refused_with_401(client, method, path, scope):
    response = client.open(path, method=method, json={})
    assert_json_error(response, 401, "Authorization: Bearer")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("method, path, scope", ENDPOINTS)
def test_an_unknown_token_is_refused_with_401(client, method, path, scope):
    response = TokenClient(client, "not-a-token-anyone-was-given").open(method, path, json={})
    assert_json_error(response, 401, "unknown or has been revoked")
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


@pytest.mark.parametrize("method, path, scope", ENDPOINTS)
def test_a_revoked_token_is_refused_with_401(client, db, method, path, scope):
    token = add_token(db, scope, name="retired")
    api_tokens.revoke_token(db, "retired", actor="test", now=NOW)
    assert_json_error(TokenClient(client, token).open(method, path, json={}), 401, "revoked")


@pytest.mark.parametrize("method, path, scope", ENDPOINTS)
def test_a_token_without_the_scope_is_refused_with_403(api, method, path, scope):
    others = [s for s in api_tokens.SCOPES if s != scope]
    response = api(*others).open(method, path, json={})
    assert_json_error(response, 403, f"not granted the scope {scope}")


def test_a_token_in_another_scheme_is_refused(client, db):
    token = add_token(db, "accounts:read")
    response = client.get("/api/v1/accounts/T-1", headers={"Authorization": f"Basic {token}"})
    assert_json_error(response, 401, "Bearer")


def test_a_signed_in_staff_session_opens_nothing_in_the_api(clerk, db):
    account = create_account(db)
    response = clerk.get(f"/api/v1/accounts/{account.number}")
    assert_json_error(response, 401, "Authorization: Bearer")
    assert account.number not in response.get_data(as_text=True)
    posted = clerk.post("/api/v1/payments", json={"account_number": account.number, "amount": "10.00",
                                                  "paid_on": "2026-03-02", "transaction_id": "CK-1"})
    assert posted.status_code == 401
    assert db.scalar(select(func.count()).select_from(LedgerEntry)) == 0


def test_the_api_needs_no_csrf_token_even_with_csrf_on(db, database_url, tmp_path):
    from sqlalchemy.orm import sessionmaker
    sessions = sessionmaker(bind=db.bind, join_transaction_mode="create_savepoint", expire_on_commit=False)
    app = create_app(TestConfig(database_url=database_url, instance=tmp_path, CLOCK=lambda: NOW,
                                WTF_CSRF_ENABLED=True), sessions=sessions)
    account = create_account(db)
    portal = TokenClient(app.test_client(), add_token(db, "payments:write"))
    response = portal.post("/api/v1/payments", json={"account_number": account.number, "amount": "10.00",
                                                     "paid_on": "2026-03-02", "transaction_id": "CSRF-1"})
    assert response.status_code == 201, response.data
    assert app.test_client().post("/login", data={"username": "x", "password": "y"}).status_code == 400  # forms still need it


def test_unknown_paths_and_methods_answer_json(api):
    caller = api("accounts:read")
    assert_json_error(caller.get("/api/v1/nothing-here"), 404, "/api/v1/nothing-here")
    assert_json_error(caller.open("DELETE", "/api/v1/payments"), 405, "use POST")


def test_the_rest_of_the_site_keeps_its_html_error_pages(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and response.mimetype == "text/html"


def test_every_api_endpoint_declares_a_scope(app):
    from webapp.api.gate import _SCOPE_ATTR
    api_views = {name: view for name, view in app.view_functions.items() if name.startswith("api.")}
    assert set(api_views) == {"api.account", "api.e_bill", "api.payment", "api.liens", "api.shutoffs"}
    assert {name: getattr(view, _SCOPE_ATTR) for name, view in api_views.items()} == {
        "api.account": "accounts:read", "api.e_bill": "accounts:read", "api.payment": "payments:write",
        "api.liens": "liens:read",
        "api.shutoffs": "shutoffs:read"}


def test_an_api_view_without_a_scope_is_refused_to_every_token(app, db):
    from webapp.auth import public

    @public
    def forgotten():
        """An API view whose author forgot scope_required."""
        return {"secret": True}

    app.add_url_rule("/api/v1/forgotten", "api.forgotten", forgotten)
    every_scope = TokenClient(app.test_client(), add_token(db, *api_tokens.SCOPES))
    response = every_scope.get("/api/v1/forgotten")
    assert_json_error(response, 403, "declares no scope")


def test_an_answer_is_never_cached(api, db):
    account = create_account(db)
    response = api("accounts:read").get(f"/api/v1/accounts/{account.number}")
    assert response.headers["Cache-Control"] == "no-store"


def test_a_failure_inside_the_api_answers_json_500(app, db):
    from webapp.api.gate import scope_required

    @scope_required("accounts:read")
    def broken():
        """An API view that fails."""
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.add_url_rule("/api/v1/broken", "api.broken", broken)
    response = TokenClient(app.test_client(), add_token(db, "accounts:read")).get("/api/v1/broken")
    assert_json_error(response, 500, "saved nothing")
    assert "boom" not in response.get_data(as_text=True)
