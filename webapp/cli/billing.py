"""`ordinance billing run`: bill a cycle's period from a meter reads file (format in engine.money.billing)."""
from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from engine import csv_reading
from engine.exports import write_csv
from engine.money import format_money
from engine.money.billing import BillingError, check_period, parse_reads
from engine.accounts.cycle_billing import bill_cycle
from engine.rulebook.catalog_source import rules_of_database
from engine.rules.errors import DocumentErrors
from engine.rules.library import RuleLibrary
from engine.notices import NoticeDataError, PdfRenderError
from engine.statements.batch import StatementsError, mail_statements
from webapp.cli.context import CityContext, Database, city_date_option, fail, pass_city


def load_rules(rules_dir: str, db: Database | None = None) -> RuleLibrary:
    """The database's published rules (the folder's while it has none; no db: the folder's), or exit 1."""
    try:
        return rules_of_database(db.sessions, rules_dir) if db else RuleLibrary.from_folder(rules_dir)
    except DocumentErrors as bad:
        fail(f"the rules in {rules_dir} do not load:\n{bad}")


@click.group("billing")
def command() -> None:
    """Billing runs from meter reads."""


@command.command("run")
@click.option("--cycle", required=True, help="Billing cycle, e.g. A.")
@click.option("--period", required=True, help="Billing period, YYYY-MM.")
@click.option("--reads", "reads_file", type=click.Path(exists=True, dir_okay=False),
              help="CSV: account_number,read_on,reading[,consumption]; reviewed as they are billed. "
                   "Without it, the period's stored reads that are accepted or estimated are billed.")
@city_date_option("--as-of", help="The run's date")
@click.option("--exceptions", "exceptions_file", type=click.Path(dir_okay=False, writable=True),
              help="Write the file's reads held for review (zero, high, low use, ..) here as CSV.")
@click.option("--not-billed", "not_billed_file", type=click.Path(dir_okay=False, writable=True),
              help="Write the period's reads not billed (to review, reread requested, missing) here as CSV.")
@click.option("--rules-dir", default="rules", show_default=True, help="The rule documents' folder.")
@click.option("--chunk", default=2000, show_default=True, help="Rows per transaction.")
@click.option("--statements", "with_statements", is_flag=True,
              help="Then render the run's bill statements (as `ordinance billing statements`).")
@pass_city
def run(city: CityContext, cycle: str, period: str, reads_file: str | None, as_of: date,
        exceptions_file: str | None, not_billed_file: str | None, rules_dir: str, chunk: int,
        with_statements: bool) -> None:
    """Bill every good, reviewed read (of the file, or stored); bad rows are listed with line numbers and post nothing."""
    library = load_rules(rules_dir, city.db)
    check_period(period)
    rows, problems = None, []
    if reads_file:
        try:
            text = csv_reading.utf8_text(Path(reads_file).read_bytes(), "the file")
            rows, problems = parse_reads(csv_reading.lines(text))
        except (BillingError, csv_reading.NotUtf8Text) as bad:
            fail(f"{reads_file}: {bad}")
    try:
        with click.progressbar(length=len(rows) if rows is not None else 0, label=f"Billing cycle {cycle} {period}",
                               file=sys.stderr) as bar:
            report, letters = bill_cycle(city.db.sessions, library, cycle=cycle, period=period, rows=rows,
                                         as_of=as_of, now=city.now(), chunk=chunk, progress=bar.update)
    except BillingError as bad:
        fail(str(bad))
    if report.leaks:  # reads the rules accepted at the leak factor: their letters
        click.echo(f"{len(letters):,} leak letters made (read review page: Leak letters).")
    problems = sorted(problems + report.problems, key=lambda p: p.line)
    for problem in problems:
        where = f"{reads_file}:{problem.line}" if reads_file else f"read {problem.line}"
        click.echo(f"{where}: {problem.account_number or '-'}: {problem.message}", err=True)
    if exceptions_file:
        write_exceptions(exceptions_file, report.exceptions)
    if not_billed_file:
        with open(not_billed_file, "w", newline="", encoding="utf-8") as handle:
            write_csv(handle, [e.as_row() for e in report.not_billed],
                      ["account_number", "period", "read_on", "reading", "consumption_ccf", "status", "reason"])
    waiting = sum(1 for e in report.not_billed if e.read_id is not None)
    click.echo(f"Billed {report.billed:,} accounts for {format_money(report.billed_cents)}; "
               f"{report.already_billed:,} already billed for {period} (skipped); {len(problems):,} rows refused; "
               f"{len(report.exceptions):,} reads held for review; not billed: {waiting:,} reads waiting for "
               f"review or a reread, {len(report.not_billed) - waiting:,} accounts with no read.")
    for item in report.not_billed[:20]:
        click.echo(f"  not billed: {item.account_number}: {item.reason}")
    if len(report.not_billed) > 20:
        click.echo(f"  ... and {len(report.not_billed) - 20:,} more (--not-billed FILE lists them all)")
    if with_statements and (report.billed or report.already_billed):
        make_statements(city, library, cycle, period, None)
    if problems:
        sys.exit(1)


@command.command("statements")
@click.option("--cycle", required=True, help="The billing run's cycle, e.g. A.")
@click.option("--period", required=True, help="The billing run's period, YYYY-MM.")
@click.option("--folder", type=click.Path(file_okay=False), default=None,
              help="Where the PDF and postal summary go (default: the PDF folder's statements/).")
@click.option("--rules-dir", default="rules", show_default=True, help="The rule documents' folder.")
@pass_city
def statements(city: CityContext, cycle: str, period: str, folder: str | None, rules_dir: str) -> None:
    """Render every bill of a billing run into one mailing PDF, with a postal summary by ZIP and language."""
    check_period(period)
    make_statements(city, load_rules(rules_dir, city.db), cycle, period, folder)


def make_statements(city: CityContext, library: RuleLibrary, cycle: str, period: str, folder: str | None) -> None:
    """Render a run's statements and say where they went, or exit 1 with why not."""
    target = folder or city.db.config.PDF_FOLDER / "statements"
    try:
        with city.db.sessions() as session, session.begin():
            made = mail_statements(session, library, cycle=cycle, period=period, folder=target, now=city.now(),
                                   actor=f"billing:{cycle}-{period}")
    except (StatementsError, NoticeDataError, PdfRenderError) as bad:
        fail(f"statements for cycle {cycle} {period}: {bad}")
    click.echo(f"Statements: {made.summary.total_pieces:,} bills, {made.summary.total_pages:,} pages in "
               f"{made.pdf_path} (SHA-256 {made.sha256}); postal summary in {made.summary_path}.")


def write_exceptions(path: str, exceptions: list[dict]) -> None:
    """The usage exceptions as spreadsheet-safe CSV."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        write_csv(handle, exceptions, ["line", "account_number", "read_on", "consumption_ccf", "average_ccf",
                                       "exception"])
