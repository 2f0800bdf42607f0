"""`ordinance db upgrade`: bring the database's schema to the newest migration."""
from __future__ import annotations

import click

from webapp.cli.context import CityContext, pass_city


@click.group("db")
def command() -> None:
    """The database's schema."""


@command.command()
@pass_city
def upgrade(city: CityContext) -> None:
    """Create the tables, or migrate them to the newest version."""
    new = city.upgrade()
    click.echo(("Created" if new else "Upgraded") + f" the database at {city.db.engine.url.render_as_string()}")
