"""Web fixtures: the app on the test database, a client, the CLI runner, and signed-in staff.

The app's request sessions share the `db` fixture's connection and turn their commits into
savepoints, so a web test sees what it set up with `db` and leaves nothing behind:

    def test_a_clerk_sees_the_dashboard(db, clerk):
        create_account(db)
        page = clerk.get("/")
        assert b"active utility accounts" in page.data

`login_as(role)` signs a new user of that role in on a fresh client; `clerk`, `supervisor`
and `admin` are clients already signed in. `cli(...)` runs `ordinance` on a database of the
test's own (the CLI commits). `run_jobs()` does the background jobs the pages asked for, as
the scheduler's worker would, on the test's database.
"""
from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.test import TestResponse

from engine import users
from engine.jobs.worker import run_pending
from engine.store.models import Job, User
from tests.factories import NOW
from webapp.app import create_app
from webapp.cli import main as ordinance
from webapp.config import TestConfig

PASSWORD = "correct horse battery"
_serial = itertools.count(1)


def create_user(db: Session, role: str = "clerk", **overrides: object) -> User:
    """A user of `role` with the password PASSWORD (username e.g. clerk3)."""
    values: dict = dict(username=f"{role}{next(_serial)}", full_name=f"Test {role.capitalize()}", role=role,
                        password=PASSWORD, actor="test", now=NOW)
    values.update(overrides)
    return users.add_user(db, **values)


def csrf_token(page: TestResponse) -> str:
    """The CSRF token a page's form carries (when the app has CSRF on)."""
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True))
    assert match, "the page has no CSRF token"
    return match.group(1)


@pytest.fixture()
def app(db: Session, database_url: str, tmp_path: Path) -> Flask:
    """The Ordinance app on the test database; every request's work is rolled back after the test."""
    sessions = sessionmaker(bind=db.bind, join_transaction_mode="create_savepoint", expire_on_commit=False)
    return create_app(TestConfig(database_url=database_url, instance=tmp_path), sessions=sessions)


@pytest.fixture()
def run_jobs(db: Session) -> Callable[..., list[Job]]:
    """Do the waiting background jobs once, as the scheduler's worker would: run_jobs() -> the jobs done."""
    # The worker's sessions nest on the test's one connection: a savepoint each would let the job's
    # reading session, closed last, roll back the progress committed inside it. Joined without
    # savepoints, each sees and keeps what the others wrote, as separate connections would.
    sessions = sessionmaker(bind=db.bind, join_transaction_mode="rollback_only", expire_on_commit=False)

    def run(**options: object) -> list[Job]:
        """The jobs claimed and done (options such as kinds= go to run_pending)."""
        return run_pending(sessions, lambda: NOW, "test-worker", heartbeat_seconds=None, **options)

    return run


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    """A browser that is not signed in."""
    return app.test_client()


@pytest.fixture()
def login_as(app: Flask, db: Session) -> Callable[..., FlaskClient]:
    """Sign a new user of a role in on a fresh client: login_as("supervisor")."""

    def sign_in(role: str, **overrides: object) -> FlaskClient:
        """A client signed in as a new user of `role`."""
        user = create_user(db, role, **overrides)
        client = app.test_client()
        response = client.post("/login", data={"username": user.username, "password": PASSWORD})
        assert response.status_code == 302, response.data
        client.user = user
        return client

    return sign_in


@pytest.fixture()
def clerk(login_as: Callable[..., FlaskClient]) -> FlaskClient:
    """A client signed in as a clerk."""
    return login_as("clerk")


@pytest.fixture()
def supervisor(login_as: Callable[..., FlaskClient]) -> FlaskClient:
    """A client signed in as a supervisor."""
    return login_as("supervisor")


@pytest.fixture()
def admin(login_as: Callable[..., FlaskClient]) -> FlaskClient:
    """A client signed in as an administrator."""
    return login_as("admin")


@pytest.fixture()
def runner() -> CliRunner:
    """Click's runner for the `ordinance` command line."""
    return CliRunner()


@pytest.fixture()
def cli(runner: CliRunner, committing_url: str, tmp_path: Path) -> Iterator[Callable[..., Result]]:
    """Run `ordinance ARGS...` on a migrated database of the test's own: cli("users", "list")."""
    env = {"DATABASE_URL": committing_url, "ORDINANCE_INSTANCE": str(tmp_path / "instance")}

    def run(*args: str, input: str | None = None, env_overrides: dict[str, str] | None = None) -> Result:
        """The result of one command."""
        return runner.invoke(ordinance, list(args), input=input, env={**env, **(env_overrides or {})},
                             catch_exceptions=False)

    yield run
