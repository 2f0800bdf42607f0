"""`ordinance audit verify`: walk the hash-chained audit log and report the first broken link."""
from __future__ import annotations

import sys

import click

from engine.audit import verify_chain
from webapp.cli.context import CityContext, pass_city


@click.group("audit")
def command() -> None:
    """The audit log."""


@command.command()
@pass_city
def verify(city: CityContext) -> None:
    """Check every row's hash and link; exit 1 at the first broken one."""
    with city.session() as session:
        report = verify_chain(session)
    if report.intact:
        click.echo(f"Audit log OK: {report.rows:,} row{'' if report.rows == 1 else 's'} checked, every link intact.")
        return
    click.echo(f"Audit log BROKEN at row {report.broken_at}: {report.reason}. "
               f"{report.rows:,} rows before it are intact.", err=True)
    sys.exit(1)
