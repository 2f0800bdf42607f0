"""`ordinance payments import|return`: payment files from the bank and the portal, and returned payments."""
from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from engine.money import format_money
from engine.money.payments import PaymentError, import_payments, parse_payment_file, return_payment
from webapp.cli.billing import load_rules
from webapp.cli.context import CityContext, city_date_option, fail, pass_city


@click.group("payments")
def command() -> None:
    """Payments: file imports and returns."""


@command.command("import")
@click.argument("payment_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--source", type=click.Choice(["lockbox", "online"]), default="lockbox", show_default=True)
@click.option("--chunk", default=500, show_default=True, help="Lines per transaction.")
@pass_city
def import_command(city: CityContext, payment_file: str, source: str, chunk: int) -> None:
    """Post a payment file; each payment once however often the file is imported; bad lines listed."""
    try:
        with open(payment_file, newline="", encoding="utf-8-sig") as handle:
            rows, problems = parse_payment_file(handle, source)
    except (PaymentError, UnicodeDecodeError) as bad:
        fail(f"{payment_file}: {bad}")
    report = import_payments(city.db.sessions, rows, source=source, file_name=Path(payment_file).name,
                             now=city.now(), chunk=chunk)
    problems = sorted(problems + report.problems, key=lambda p: p.line)
    for problem in problems:
        click.echo(f"{payment_file}:{problem.line}: {problem.message}", err=True)
    click.echo(f"Posted {report.posted:,} payments for {format_money(report.posted_cents)}; "
               f"{report.already_posted:,} already posted (skipped); {len(problems):,} lines refused.")
    if problems:
        sys.exit(1)


@command.command("return")
@click.argument("payment_id", type=int)
@click.option("--reason", required=True, help="The bank's reason, e.g. NSF.")
@city_date_option("--on", "on", help="The day returned")
@click.option("--actor", required=True, help="The username of who records the return.")
@click.option("--rules-dir", default="rules", show_default=True)
@pass_city
def return_command(city: CityContext, payment_id: int, reason: str, on: date, actor: str, rules_dir: str) -> None:
    """Record a returned payment: reversal, returned-payment fee, cash-only status by rule."""
    library = load_rules(rules_dir, city.db)
    with city.transaction() as session:
        done = return_payment(session, payment_id, reason=reason, on=on, actor=actor, now=city.now(), library=library)
    fee = format_money(done.fee.amount_cents) if done.fee else "no fee"
    click.echo(f"Payment {payment_id} returned: reversed, {fee}, {done.returned_payments_12m} returned in 12 months"
               + ("; the account is now cash-only." if done.became_cash_only else "."))
