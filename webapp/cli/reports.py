"""`ordinance reports NAME`: the money reports as CSV on standard output (or --output FILE)."""
from __future__ import annotations

import csv
import sys
from collections.abc import Iterable

import click

from engine.money import reports
from webapp.cli.billing import city_today
from webapp.cli.context import open_database, require_schema

DATE = click.DateTime(["%Y-%m-%d"])


def _write(rows: Iterable[dict], output) -> None:
    """Rows as CSV with a header taken from the first row."""
    writer = None
    for row in rows:
        if writer is None:
            writer = csv.DictWriter(output, list(row))
            writer.writeheader()
        writer.writerow(row)


def _emit(rows: Iterable[dict], output_path: str | None) -> None:
    """Write to the file given, or to standard output."""
    if output_path:
        with open(output_path, "w", newline="", encoding="utf-8") as handle:
            _write(rows, handle)
    else:
        _write(rows, sys.stdout)


def _session():
    """A read-only session on the configured database, and the city's today."""
    db = open_database()
    require_schema(db)
    return db


@click.group("reports")
def command() -> None:
    """Money reports as CSV: aging, billing-register, rate-summary, daily-receipts, trial-balance, gl-export."""


@command.command("aging")
@click.option("--as-of", type=DATE, help="Default: today in the city.")
@click.option("--output", type=click.Path(dir_okay=False))
def aging_command(as_of, output) -> None:
    """Every account with a balance by age: current, 1-30, 31-60, 61-90, over 90 days."""
    db = _session()
    day = as_of.date() if as_of else city_today(db)
    with db.sessions() as session:
        _emit(reports.aging(session, day), output)


@command.command("billing-register")
@click.option("--cycle", required=True)
@click.option("--period", required=True, help="YYYY-MM")
@click.option("--output", type=click.Path(dir_okay=False))
def register_command(cycle, period, output) -> None:
    """Every bill of a cycle's period."""
    with _session().sessions() as session:
        _emit(reports.billing_register(session, cycle, period), output)


@command.command("rate-summary")
@click.option("--period", required=True, help="YYYY-MM")
@click.option("--cycle")
@click.option("--output", type=click.Path(dir_okay=False))
def rate_summary_command(period, cycle, output) -> None:
    """Bills, use and amounts by rate code and meter size."""
    with _session().sessions() as session:
        _emit(reports.summary_by_rate(session, period, cycle), output)


@command.command("daily-receipts")
@click.option("--date", "day", type=DATE, help="Default: today in the city.")
@click.option("--output", type=click.Path(dir_okay=False))
def receipts_command(day, output) -> None:
    """Payments received on a day by source and tender."""
    db = _session()
    on = day.date() if day else city_today(db)
    with db.sessions() as session:
        _emit(reports.daily_receipts(session, on), output)


@command.command("trial-balance")
@click.option("--as-of", type=DATE, help="Default: today in the city.")
@click.option("--output", type=click.Path(dir_okay=False))
def trial_balance_command(as_of, output) -> None:
    """Balances by fund and account code; debits equal credits."""
    db = _session()
    day = as_of.date() if as_of else city_today(db)
    with db.sessions() as session:
        _emit(reports.trial_balance(session, day), output)


@command.command("gl-export")
@click.option("--date", "day", type=DATE, help="Default: today in the city.")
@click.option("--output", type=click.Path(dir_okay=False))
def gl_export_command(day, output) -> None:
    """The day's general-ledger journal by fund and account code (balanced)."""
    from engine.money.cash import gl_export
    db = _session()
    on = day.date() if day else city_today(db)
    with db.sessions() as session:
        _emit(gl_export(session, on), output)
