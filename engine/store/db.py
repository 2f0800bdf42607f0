"""The database: engines from a URL, SQLite set up for a busy office, sessions."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from engine.store.write_turns import WriteTurns


class DatabaseURLError(ValueError):
    """DATABASE_URL is not a URL Ordinance can use."""


def check_url(url: str) -> str:
    """The URL in SQLAlchemy's form, or a DatabaseURLError saying what is wrong with it."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseURLError(
            f"DATABASE_URL {url!r} is not a database URL; expected e.g. "
            "sqlite:///instance/ordinance.db or postgresql://user:pass@host/dbname") from None
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise DatabaseURLError(f"DATABASE_URL uses {backend!r}; Ordinance runs on sqlite or postgresql")
    if backend == "postgresql" and parsed.get_driver_name() in ("psycopg2", "default", None, ""):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if backend == "postgresql" and not parsed.database:
        raise DatabaseURLError(f"DATABASE_URL {url!r} names no database")
    return parsed.render_as_string(hide_password=False)


# A transaction that will write takes SQLite's write lock at BEGIN (IMMEDIATE), so it waits its
# turn under busy_timeout instead of failing when it first writes; a read-only one (a page
# view) passes `execution_options(sqlite_begin="DEFERRED")` and never blocks the writers.
# A chunk of a long run passes `execution_options(gives_way=True)`: before it begins, the
# writers waiting go first (engine.store.write_turns). PostgreSQL ignores both options.
SQLITE_BEGIN_MODES = ("IMMEDIATE", "DEFERRED")
GIVES_WAY = "gives_way"


def _sqlite_for_an_office(engine: Engine) -> None:
    """WAL, a busy timeout, foreign keys, and write transactions that take the lock at BEGIN."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # let SQLAlchemy's BEGIN below be the only one
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    turns = WriteTurns.beside(engine.url.database)

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        options = connection.get_execution_options()
        mode = options.get("sqlite_begin", "IMMEDIATE")
        if mode not in SQLITE_BEGIN_MODES:
            raise ValueError(f"sqlite_begin must be one of {', '.join(SQLITE_BEGIN_MODES)}, not {mode!r}")
        if mode == "DEFERRED" or turns is None:
            connection.exec_driver_sql(f"BEGIN {mode}")
        elif options.get(GIVES_WAY):
            turns.give_way()
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            with turns.waiting():
                connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str, **options: Any) -> Engine:
    """An engine for DATABASE_URL, with SQLite tuned for several clerks at once."""
    url = check_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 15}, **options)
        _sqlite_for_an_office(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **options)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Sessions bound to the engine; objects stay readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose work is committed on success and rolled back on any error."""
    with factory() as session, session.begin():
        yield session
