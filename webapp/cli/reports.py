"""`ordinance reports NAME`: the money reports as CSV on standard output (or --output FILE)."""
from __future__ import annotations

import io
import sys
from collections.abc import Iterable
from datetime import date

import click
from sqlalchemy import select

from engine.exports import write_csv
from engine.money import reports
from engine.store.models import User
from webapp.cli.context import USAGE_ERROR, CityContext, acting_user, city_date_option, fail, pass_city
from webapp.cli.downloads import audited_output


def _write(rows: Iterable[dict], output) -> int:
    """Rows as spreadsheet-safe CSV with a header taken from the first row; how many rows."""
    return write_csv(output, rows)


def _emit(rows: Iterable[dict], output_path: str | None) -> None:
    """Write to the file given, or to standard output (a report that names no customer)."""
    if output_path:
        with open(output_path, "w", newline="", encoding="utf-8") as handle:
            _write(rows, handle)
    else:
        _write(rows, sys.stdout)


def _emit_audited(city: CityContext, rows: Iterable[dict], output_path: str | None, *, what: str, filename: str,
                  filters: dict[str, object]) -> None:
    """A report that names customers or their balances: written as a download, audited first (webapp.cli.downloads)."""
    out = io.StringIO()
    count = _write(rows, out)
    audited_output(city, out.getvalue(), output_path, what=what, filename=filename, filters=filters, rows=count)


@click.group("reports")
def command() -> None:
    """Money reports as CSV: aging, aging-by-service, billing-register, rate-summary, daily-receipts, corrections,
    trial-balance, gl-export."""


@command.command("aging")
@city_date_option("--as-of", help="The day the balances are aged to")
@click.option("--output", type=click.Path(dir_okay=False))
@pass_city
def aging_command(city: CityContext, as_of: date, output: str | None) -> None:
    """Every account with a balance by age, in the aging buckets of the payment order in force."""
    with city.session() as session:
        rows = list(reports.aging(session, as_of))
    _emit_audited(city, rows, output, what="Aging", filename=f"aging-{as_of.isoformat()}.csv",
                  filters={"as_of": as_of.isoformat()})


@command.command("aging-by-service")
@city_date_option("--as-of", help="The day the balances are aged to")
@click.option("--output", type=click.Path(dir_okay=False))
@pass_city
def aging_by_service_command(city: CityContext, as_of: date, output: str | None) -> None:
    """What is owed of each service (water, sewer, ...) by age, and how much of it is past due."""
    with city.session() as session:
        _emit(reports.aging_by_service(session, as_of), output)


@command.command("billing-register")
@click.option("--cycle", required=True)
@click.option("--period", required=True, help="YYYY-MM")
@click.option("--output", type=click.Path(dir_okay=False))
@pass_city
def register_command(city: CityContext, cycle: str, period: str, output: str | None) -> None:
    """Every bill of a cycle's period."""
    with city.session() as session:
        rows = reports.billing_register(session, cycle, period)
    _emit_audited(city, rows, output, what="Billing register", filename=f"billing-register-{cycle}-{period}.csv",
                  filters={"cycle": cycle, "period": period})


@command.command("rate-summary")
@click.option("--period", required=True, help="YYYY-MM")
@click.option("--cycle")
@click.option("--output", type=click.Path(dir_okay=False))
@pass_city
def rate_summary_command(city: CityContext, period: str, cycle: str | None, output: str | None) -> None:
    """Bills, use and amounts by rate code and meter size."""
    with city.session() as session:
        _emit(reports.summary_by_rate(session, period, cycle), output)


@command.command("daily-receipts")
@city_date_option("--date", "day", help="The day the payments were received")
@click.option("--output", type=click.Path(dir_okay=False))
@pass_city
def receipts_command(city: CityContext, day: date, output: str | None) -> None:
    """Payments received on a day by source and tender."""
    with city.session() as session:
        _emit(reports.daily_receipts(session, day), output)


@command.command("corrections")
@city_date_option("--date", "day", help="The business day")
@click.option("--output", type=click.Path(dir_okay=False))
@pass_city
def corrections_command(city: CityContext, day: date, output: str | None) -> None:
    """Voids, returned payments, adjustments and drawer over/short on a day, by clerk."""
    with city.session() as session:
        rows = reports.corrections(session, day)
    _emit_audited(city, rows, output, what="Voids, returns and adjustments",
                  filename=f"corrections-{day.isoformat()}.csv", filters={"date": day.isoformat()})


@command.command("trial-balance")
@city_date_option("--as-of", help="The day the balances are taken on")
@click.option("--output", type=click.Path(dir_okay=False))
@pass_city
def trial_balance_command(city: CityContext, as_of: date, output: str | None) -> None:
    """Balances by fund and account code; debits equal credits."""
    with city.session() as session:
        _emit(reports.trial_balance(session, as_of), output)


@command.command("gl-export")
@city_date_option("--date", "day", help="The business day")
@acting_user("as_user", help="Who takes the export: an active user the city lets (its gl_export duty).")
@click.option("--output", type=click.Path(dir_okay=False))
@pass_city
def gl_export_command(city: CityContext, day: date, as_user: str, output: str | None) -> None:
    """The day's general-ledger journal by fund and account code (balanced); a closed day's as kept at its close.

    Only for someone the city lets export to the GL (`--as`); the audit row `cash.gl_export` names them. Anyone
    else is refused (exit 2) and nothing is written.
    """
    from engine.money.cash import CashError, export_gl

    with city.transaction() as session:
        user = session.scalar(select(User).where(User.username == as_user))
        if user is None:
            fail(f"--as: no user {as_user!r}; the GL export is taken by a member of staff the city lets",
                 USAGE_ERROR)
        try:
            data = export_gl(session, day, user=user, now=city.now())
        except CashError as refused:
            fail(f"--as: {refused}; nothing was exported", USAGE_ERROR)
        if output:
            with open(output, "wb") as handle:
                handle.write(data)
        else:
            click.echo(data, nl=False)  # bytes: written as they are
