"""Creating and upgrading the schema with Alembic, from code (no alembic.ini needed)."""
from __future__ import annotations

import warnings
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, inspect

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(url: str) -> Config:
    """An Alembic configuration pointing at Ordinance's migrations and the given database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


class SchemaError(RuntimeError):
    """A migration left the database inconsistent; nothing of it was kept."""


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database's schema to the newest migration (or to `revision`, for tests of a migration)."""
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            _sqlite_foreign_keys(connection, on=False)
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                with warnings.catch_warnings():
                    # SQLite's table rebuilds reflect the tables around them; SQLAlchemy skips (and warns about)
                    # the account-number digits index, an expression. No rebuild touches utility_accounts, so it stays.
                    warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index")
                    command.upgrade(config, revision)
                if sqlite:
                    _foreign_keys_hold(connection)
        finally:
            if sqlite:
                _sqlite_foreign_keys(connection, on=True)


def _sqlite_foreign_keys(connection: Connection, *, on: bool) -> None:
    """Turn SQLite's foreign keys on or off, outside any transaction (where SQLite allows it).

    A migration that adds a CHECK constraint rebuilds the table (SQLite cannot alter one);
    the rebuild drops the old table, which foreign keys that point at it would refuse. The
    steps are SQLite's own for such changes: keys off, rebuild in a transaction, check, keys on.
    """
    connection.connection.driver_connection.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def _foreign_keys_hold(connection: Connection) -> None:
    """Refuse (rolling the migration back) when a rebuilt table left a foreign key dangling."""
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise SchemaError(f"the migration would leave foreign keys dangling: {broken[:5]}")


def is_new(engine: Engine) -> bool:
    """True when the database has no Ordinance tables yet."""
    return not inspect(engine).has_table("users")


def newest_revision() -> str:
    """The id of the newest migration in this checkout (Alembic's head)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head() or ""


def database_revision(connection: Connection) -> str | None:
    """The migration the database is at (None: no Ordinance schema yet)."""
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()
