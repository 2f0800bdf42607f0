"""Alembic's environment: migrations run against the connection or URL the caller hands over."""
from __future__ import annotations

from alembic import context
from sqlalchemy import pool

from engine.store.db import make_engine
from engine.store.models import Base
# The customer record's tables, on the same Base (models.py importing them would be an import circle).
import engine.store.customers  # noqa: F401,E402

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    """Write the SQL for the URL without connecting."""
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate through the caller's connection, or one made from the URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"), poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
