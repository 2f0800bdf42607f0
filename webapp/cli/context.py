"""What every `ordinance` command that touches the database shares: config, engine, sessions.

    from webapp.cli.context import open_database
    db = open_database()             # exits 2 with a clear message on a malformed DATABASE_URL
    with db.transaction() as session:
        ...                          # committed on success, rolled back on error
"""
from __future__ import annotations

import getpass
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

import click
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from engine.store.db import DatabaseURLError, make_engine, make_sessionmaker, transaction
from engine.store.schema import is_new, upgrade
from webapp.config import Config, ConfigError, utc_now

USAGE_ERROR = 2


@dataclass
class Database:
    """The configured database: its engine and a sessionmaker."""

    config: Config
    engine: Engine
    sessions: sessionmaker[Session]

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session committed on success and rolled back on any error."""
        with transaction(self.sessions) as session:
            yield session

    def upgrade(self) -> bool:
        """Migrate the schema to the newest version; True when the database was new."""
        new = is_new(self.engine)
        upgrade(self.engine)
        return new


def fail(message: str, code: int = 1) -> None:
    """Print `message` on stderr and exit with `code` (no traceback)."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


def open_database(config: Config | None = None) -> Database:
    """The database DATABASE_URL names; exit 2 with a clear message if the URL or another setting is malformed."""
    try:
        config = config or Config()
        engine = make_engine(config.DATABASE_URL)
    except (DatabaseURLError, ConfigError) as error:
        fail(str(error), USAGE_ERROR)
    return Database(config, engine, make_sessionmaker(engine))


def require_schema(db: Database) -> None:
    """Exit 1 with advice when the database has no Ordinance tables yet, or cannot be reached."""
    try:
        new = is_new(db.engine)
    except OperationalError as error:
        fail(f"cannot open the database: {error.orig}")
    if new:
        fail("the database has no Ordinance tables yet; run `ordinance db upgrade` first")


def now() -> datetime:
    """The command line's clock: aware UTC."""
    return utc_now()


def actor() -> str:
    """Who the command line acts as in the audit log: cli: and the system user."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"
