"""`ordinance db upgrade`: bring the database's schema to the newest migration."""
from __future__ import annotations

import click
from sqlalchemy.exc import OperationalError

from webapp.cli.context import fail, open_database


@click.group("db")
def command() -> None:
    """The database's schema."""


@command.command()
def upgrade() -> None:
    """Create the tables, or migrate them to the newest version."""
    db = open_database()
    try:
        new = db.upgrade()
    except OperationalError as error:
        fail(f"cannot open the database: {error.orig}")
    click.echo(("Created" if new else "Upgraded") + f" the database at {db.engine.url.render_as_string()}")
