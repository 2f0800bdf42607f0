"""`ordinance db upgrade`: bring the database's schema to the newest migration."""
from __future__ import annotations

import click

from engine.money.ledger.kept import kept_day
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
    with city.session() as session:
        kept = kept_day(session).kept
    if not kept:
        click.echo("The ledger's balances are not kept yet: run `ordinance ledger rebuild-balances` (the nightly "
                   "roll-over does it too; until then pages and sweeps work them out from the ledger).")
