"""API fixtures: the app at a fixed moment, and tokens with the scopes a test grants.

    def test_an_account_reads(api, db):
        account = create_account(db)
        response = api("accounts:read").get(f"/api/v1/accounts/{account.number}")

`api(*scopes)` is a client whose every call carries a new token granted those scopes; the
web fixtures (`login_as`, `cli`, ...) are shared from tests/web.
"""
from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from engine import api_tokens
from tests.factories import NOW
from tests.web.conftest import cli, clerk, login_as, runner  # noqa: F401  (shared fixtures)
from webapp.app import create_app
from webapp.config import TestConfig

_serial = itertools.count(1)


@pytest.fixture()
def app(db: Session, database_url: str, tmp_path: Path) -> Flask:
    """The app on the test database at NOW (2026-03-02, 09:00 in the city); every call's work rolled back."""
    sessions = sessionmaker(bind=db.bind, join_transaction_mode="create_savepoint", expire_on_commit=False)
    return create_app(TestConfig(database_url=database_url, instance=tmp_path, CLOCK=lambda: NOW), sessions=sessions)


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    """A client that sends no token."""
    return app.test_client()


def add_token(db: Session, *scopes: str, name: str | None = None) -> str:
    """A new token granted `scopes`; the token itself."""
    _, token = api_tokens.add_token(db, name=name or f"system{next(_serial)}", scopes=list(scopes), actor="test",
                                    now=NOW)
    return token


class TokenClient:
    """A test client that sends `Authorization: Bearer <token>` with every call."""

    def __init__(self, client: FlaskClient, token: str) -> None:
        """Wrap a client and a token."""
        self.client, self.token = client, token

    def open(self, method: str, path: str, **kwargs):
        """Call the API with the token."""
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        return self.client.open(path, method=method, headers=headers, **kwargs)

    def get(self, path: str, **kwargs):
        """GET with the token."""
        return self.open("GET", path, **kwargs)

    def post(self, path: str, **kwargs):
        """POST with the token."""
        return self.open("POST", path, **kwargs)


@pytest.fixture()
def api(app: Flask, db: Session) -> Callable[..., TokenClient]:
    """A client calling with a new token of the given scopes: api("accounts:read")."""

    def calling(*scopes: str) -> TokenClient:
        """The client for a new token."""
        return TokenClient(app.test_client(), add_token(db, *scopes))

    return calling
