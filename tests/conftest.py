"""Shared fixtures: a real database (SQLite file, or PostgreSQL from DATABASE_URL), built once.

`db` is a session inside a transaction that is rolled back after the test: fast, and each
test sees a clean database. Tests of code that commits on its own (sweeps, imports,
concurrency) use `committing_db`, a whole database of their own.
"""
from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from engine.store.db import make_engine, make_sessionmaker
from engine.store.schema import upgrade

REPO = Path(__file__).resolve().parent.parent


def _postgres_url() -> str | None:
    """The PostgreSQL DATABASE_URL the test command started, if this is the PostgreSQL run."""
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith("postgresql") else None


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The test run's database: PostgreSQL when DATABASE_URL says so, else a SQLite file."""
    return _postgres_url() or f"sqlite:///{tmp_path_factory.mktemp('db') / 'ordinance.db'}"


@pytest.fixture(scope="session")
def db_engine(database_url: str) -> Iterator[Engine]:
    """The engine, with the schema migrated to head once for the whole run."""
    engine = make_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture()
def db(db_engine: Engine) -> Iterator[Session]:
    """A session whose every change is rolled back when the test ends (commits become savepoints)."""
    with db_engine.connect() as connection:
        outer = connection.begin()
        session = Session(bind=connection, join_transaction_mode="create_savepoint",
                          expire_on_commit=False)
        try:
            yield session
        finally:
            session.close()
            outer.rollback()


def _fresh_postgres_database(url: str, template: str | None = None) -> tuple[str, callable]:
    """Create a PostgreSQL database beside the test one, empty or a copy of `template` (a database's URL);
    return its URL and a dropper."""
    admin = make_engine(url, isolation_level="AUTOCOMMIT")
    name = f"ordinance_{uuid.uuid4().hex[:12]}"
    copy_of = f' TEMPLATE "{make_url(template).database}"' if template else ""
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"{copy_of}'))
    fresh = make_url(url).set(database=name).render_as_string(hide_password=False)

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return fresh, drop


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of an empty database migrated to head once for the run, never opened after: the databases
    tests get of their own start as copies of it (an upgrade from nothing costs a second or more each)."""
    pg = _postgres_url()
    if pg:
        url, drop = _fresh_postgres_database(pg)
    else:
        url, drop = f"sqlite:///{tmp_path_factory.mktemp('template') / 'migrated.db'}", (lambda: None)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()  # PostgreSQL copies a template only while no one is connected to it
    yield url
    drop()


def migrated_copy(template: str, sqlite_path: Path) -> tuple[str, callable]:
    """A new database of the migrated template's schema (at `sqlite_path` on SQLite); its URL and a dropper."""
    pg = _postgres_url()
    if pg:
        return _fresh_postgres_database(pg, template=template)
    source = Path(make_url(template).database)
    assert not source.with_name(source.name + "-wal").exists(), "the template was left open"
    shutil.copyfile(source, sqlite_path)
    return f"sqlite:///{sqlite_path}", (lambda: None)


@pytest.fixture()
def committing_url(migrated_template: str, tmp_path: Path) -> Iterator[str]:
    """The URL of a migrated database of the test's own, for code that commits by itself."""
    url, drop = migrated_copy(migrated_template, tmp_path / "own.db")
    yield url
    drop()


@pytest.fixture()
def committing_db(committing_url: str) -> Iterator[sessionmaker[Session]]:
    """A session factory on a database of the test's own; what it commits stays (until the test ends)."""
    engine = make_engine(committing_url)
    yield make_sessionmaker(engine)
    engine.dispose()


@pytest.fixture(autouse=True)
def _metrics_folder_left_as_it_was():
    """`ordinance serve` run in-process sets PROMETHEUS_MULTIPROC_DIR for its workers; no test leaves it to the next
    (a later server would share that folder, and the app in the test process would read it instead of its own)."""
    before = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    yield
    if before is None:
        os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
    else:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = before
