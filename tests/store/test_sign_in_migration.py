"""Migration 0007 (sign-in): staff_sessions and sign_in_throttles in, the per-user lockout out, and back."""
from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from engine.store.db import make_engine
from engine.store.schema import alembic_config, upgrade


def shape(engine) -> tuple[set[str], set[str]]:
    """The sign-in tables present, and the columns of users."""
    found = inspect(engine)
    tables = {"staff_sessions", "sign_in_throttles"} & set(found.get_table_names())
    return tables, {column["name"] for column in found.get_columns("users")}


def test_the_sign_in_migration_goes_down_and_up_again(committing_url):
    engine = make_engine(committing_url)
    config = alembic_config(committing_url)
    before = ScriptDirectory.from_config(config).get_revision("0007").down_revision
    try:
        tables, columns = shape(engine)
        assert tables == {"staff_sessions", "sign_in_throttles"} and "locked_until" not in columns
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, before)
        tables, columns = shape(engine)
        assert tables == set() and {"failed_logins", "locked_until"} <= columns
        upgrade(engine)
        tables, columns = shape(engine)
        assert tables == {"staff_sessions", "sign_in_throttles"} and "failed_logins" not in columns
    finally:
        engine.dispose()
