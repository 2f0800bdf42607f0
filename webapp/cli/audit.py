"""`ordinance audit verify`: walk the hash-chained audit log, hold it against its signed checkpoints, report the first problem."""
from __future__ import annotations

import sys

import click

from engine.audit_checkpoints import LogReport, check_log, describe
from webapp.cli.context import CityContext, pass_city


@click.group("audit")
def command() -> None:
    """The audit log."""


@command.command()
@pass_city
def verify(city: CityContext) -> None:
    """Check every row's hash and link, and the checkpoints sealing the log's end; exit 1 at the first problem."""
    with city.session() as session:
        report = check_log(session, city.config.AUDIT_KEY)
    if report.intact:
        click.echo(f"Audit log OK: {report.chain.rows:,} row{'' if report.chain.rows == 1 else 's'} checked, "
                   f"every link intact. {_sealed(report)}")
        return
    if not report.chain.intact:
        click.echo(f"Audit log BROKEN at row {report.chain.broken_at}: {report.chain.reason}. "
                   f"{report.chain.rows:,} rows before it are intact.", err=True)
    else:
        click.echo(f"Audit log BROKEN: {report.problem}.", err=True)
    sys.exit(1)


def _sealed(report: LogReport) -> str:
    """What the newest checkpoint seals, in a sentence."""
    if report.newest is None:
        return "No checkpoint yet: rows cut from the end would not be noticed until one is written."
    after = report.chain.rows - report.newest.rows
    return f"Sealed by {describe(report.newest)}" + (f"; {after:,} rows written since." if after else ".")
