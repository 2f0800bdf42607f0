"""`ordinance payments import|return`: payment files from the bank and the portal, and returned payments."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from sqlalchemy import select

from engine.accounts.returns import return_payment
from engine.store.models import Payment, User
from engine.money import format_money
from engine.rulebook.catalog_source import catalog_of_database
from engine.rules.errors import DocumentErrors
from engine.workflow.model import SERVICE_OFF
from engine.money.payments import (Confirmation, ImportReport, PaymentError, PossibleDuplicate, import_payment_file,
                                   read_payment_file, return_refusal)
from webapp.cli.context import RECORD_ID, CityContext, acting_user, actor, city_date_option, fail, pass_city


@click.group("payments")
def command() -> None:
    """Payments: file imports and returns."""


@command.command("import")
@click.argument("payment_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--source", type=click.Choice(["lockbox", "online"]), default="lockbox", show_default=True)
@click.option("--confirm", "confirm_sha256", metavar="SHA256",
              help="Post a file with possible duplicates: a supervisor confirms it by its SHA-256.")
@click.option("--chunk", default=500, show_default=True,
              help="Values per database statement (the file is still one transaction).")
@pass_city
def import_command(city: CityContext, payment_file: str, source: str, confirm_sha256: str | None,
                   chunk: int) -> None:
    """Post a payment file whole, or nothing: bad lines and possible duplicates are listed; each payment once."""
    try:
        read = read_payment_file(Path(payment_file).read_bytes(), name=Path(payment_file).name, source=source)
    except PaymentError as bad:
        fail(f"{payment_file}: {bad}")
    confirmation = Confirmation(confirm_sha256, actor()) if confirm_sha256 else None
    report = import_payment_file(city.db.sessions, read, now=city.now(), by=actor(), confirmation=confirmation,
                                 batch=chunk)
    if report.refused:
        _refused(payment_file, report)
    if report.awaiting_confirmation:
        _awaiting_confirmation(payment_file, source, report)
    _posted(report)


def _refused(payment_file: str, report: ImportReport) -> None:
    """Name every bad line and exit 1: nothing was posted."""
    for problem in report.problems:
        where = f"{payment_file}:{problem.line}: {problem.field}" if problem.line else payment_file
        click.echo(f"{where}: {problem.message}", err=True)
    lines = len({p.line for p in report.problems if p.line})
    fail(f"{payment_file} refused ({lines:,} bad line{'s' if lines != 1 else ''}); nothing was posted. "
         "Correct the file and import it whole again.")


def _awaiting_confirmation(payment_file: str, source: str, report: ImportReport) -> None:
    """List the possible duplicates and how a supervisor confirms the file; exit 1: nothing was posted."""
    for duplicate in report.possible_duplicates:
        click.echo(f"{payment_file}:{duplicate.row.line}: possible duplicate: {_describe(duplicate)}", err=True)
    count = len(report.possible_duplicates)
    fail(f"{payment_file} not posted: {count:,} line{'s' if count != 1 else ''} without a transaction id "
         f"look{'s' if count == 1 else ''} like other payments. If they are real payments, a supervisor "
         f"confirms the file:\n  ordinance payments import {payment_file} --source {source} "
         f"--confirm {report.file_sha256}")


def _describe(duplicate: PossibleDuplicate) -> str:
    """A possible duplicate in one line: the row, and what it looks like."""
    row = duplicate.row
    like = [f"line {line} of this file" for line in duplicate.other_lines]
    like += [f"payment {e.payment_id} ({e.source}, {e.status}, posted {e.posted_at:%Y-%m-%d} by {e.actor})"
             for e in duplicate.earlier]
    return (f"account {row.account_number}, {format_money(row.amount_cents)}, paid {row.paid_on}, no transaction id; "
            f"looks like {'; '.join(like)}")


def _posted(report: ImportReport) -> None:
    """Say what was posted and what was posted before."""
    message = (f"Posted {report.posted:,} payments for {format_money(report.posted_cents)}; "
               f"{report.already_posted:,} posted before (skipped: same transaction id, account, amount and day).")
    if report.confirmed_by:
        message += f" {len(report.possible_duplicates):,} possible duplicates confirmed by {report.confirmed_by}."
    if report.posted == 0 and report.already_posted:
        message += " Nothing new: every payment in this file was posted before."
    click.echo(message)


@command.command("return")
@click.argument("payment_id", type=RECORD_ID)
@click.option("--reason", required=True, help="The bank's reason, e.g. NSF.")
@city_date_option("--on", "on", help="The day returned")
@acting_user("username", help="Who records the return: someone the city lets (its returned_payments duty).",
             was=("--actor",))
@click.option("--rules-dir", default="rules", show_default=True)
@click.option("--workflows-dir", default="workflows", show_default=True)
@pass_city
def return_command(city: CityContext, payment_id: int, reason: str, on: date, username: str, rules_dir: str,
                   workflows_dir: str) -> None:
    """Record a returned payment: reversal, returned-payment fee, cash-only status by rule (--as: someone the
    city lets record returns)."""
    try:
        catalog = catalog_of_database(city.db.sessions, rules_dir, workflows_dir)
    except DocumentErrors as bad:
        fail(f"the rules or workflows do not load:\n{bad}")
    library, service_off = catalog.rules, catalog.workflows.states_tagged_by_version(SERVICE_OFF)
    with city.transaction() as session:
        if session.get(Payment, payment_id) is not None:  # no such payment: return_payment says so
            staff = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
            if staff is None:
                fail(f"no active user {username!r}: --as names the member of staff who records the return")
            refused = return_refusal(session, staff)
            if refused:
                fail(refused)
        done = return_payment(session, payment_id, reason=reason, on=on, actor=username, now=city.now(),
                              library=library, service_off=service_off)
    fee = format_money(done.fee.amount_cents) if done.fee else "no fee"
    read = ", ".join(f"{name} {value}" for name, value in done.facts.items())
    click.echo(f"Payment {payment_id} returned: reversed, {fee}" + (f" ({read})" if read else "")
               + ("; the account is now cash-only." if done.became_cash_only else "."))
