"""`ordinance reads import|estimate-missing`: meter reads in (CSV or a handheld layout), whole or not at all."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from engine import csv_reading
from engine.accounts.read_letters import leak_letters
from engine.money.billing import BillingError, check_period
from engine.reads import review
from engine.reads.files import ReadFileError, import_reads, layout_named, parse_csv, parse_fixed_width
from engine.rules.errors import EvaluationError
from webapp.cli.billing import load_rules
from webapp.cli.context import CityContext, actor, city_date_option, fail, pass_city


@click.group("reads")
def command() -> None:
    """Meter reads: imports before billing, and estimates of missing reads."""


@command.command("import")
@click.argument("reads_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--cycle", required=True, help="Billing cycle, e.g. A.")
@click.option("--period", required=True, help="Billing period, YYYY-MM.")
@click.option("--layout", "layout_name", metavar="NAME",
              help="A fixed-width file by this layout of the meter-reads rule (default: CSV).")
@city_date_option("--as-of", help="The import's date, for the rules in force")
@click.option("--rules-dir", default="rules", show_default=True, help="The rule documents' folder.")
@pass_city
def import_command(city: CityContext, reads_file: str, cycle: str, period: str, layout_name: str | None,
                   as_of: date, rules_dir: str) -> None:
    """Store and review every read of the file, or none: each bad value is named by line and column."""
    library = load_rules(rules_dir, city.db)
    try:
        check_period(period)
        layout = layout_named(library, as_of, layout_name) if layout_name else None
        handle = csv_reading.lines(csv_reading.utf8_text(Path(reads_file).read_bytes(), "the file"))
        if layout:
            rows, problems, skipped = parse_fixed_width(handle, layout)
        else:
            (rows, problems), skipped = parse_csv(handle), 0
    except (BillingError, ReadFileError, csv_reading.NotUtf8Text, EvaluationError) as bad:
        fail(f"{reads_file}: {bad}")
    with city.db.sessions() as session, session.begin():
        report = import_reads(session, library, cycle=cycle, period=period, rows=rows, problems=problems,
                              as_of=as_of, actor=actor(), now=city.now(), skipped=skipped, layout=layout)
        if report.problems:
            session.rollback()
        else:
            letters = leak_letters(session, library, report.leaks, as_of)
    if report.problems:
        for problem in report.problems:
            click.echo(f"{reads_file}:{problem.line}: {problem.column}: {problem.message}", err=True)
        lines = len({p.line for p in report.problems})
        fail(f"{reads_file} refused ({lines:,} bad line{'s' if lines != 1 else ''}); nothing was imported. "
             "Correct the file and import it whole again.")
    click.echo(f"Imported {report.stored:,} reads for cycle {cycle} {period}: {report.accepted:,} accepted by the "
               f"rules, {len(report.held):,} held for review, {report.replaced:,} replacing reads sent for a reread"
               + (f"; {report.skipped_lines:,} lines that are not reads skipped" if report.skipped_lines else "")
               + (f"; {len(letters):,} leak letters" if letters else "") + ".")
    for held in report.held:
        click.echo(f"  held: line {held['line']}: {held['account_number']}: {held['exception']}")


@command.command("estimate-missing")
@click.option("--cycle", required=True, help="Billing cycle, e.g. A.")
@click.option("--period", required=True, help="Billing period, YYYY-MM.")
@click.option("--rules-dir", default="rules", show_default=True, help="The rule documents' folder.")
@pass_city
def estimate_missing_command(city: CityContext, cycle: str, period: str, rules_dir: str) -> None:
    """Estimate, by the meter-reads rule, the read of every active account of the cycle with none for the period."""
    library = load_rules(rules_dir, city.db)
    try:
        check_period(period)
    except BillingError as bad:
        fail(str(bad))
    estimated, refused = 0, []
    with city.db.sessions() as session, session.begin():
        for missing in review.missing_reads(session, period, cycle):
            try:
                with session.begin_nested():
                    review.estimate_missing(session, library, missing.account_id, period, actor=actor(),
                                            now=city.now())
                estimated += 1
            except review.ReadError as bad:
                refused.append((missing.account_number, str(bad)))
    for number, message in refused:
        click.echo(f"{number}: not estimated: {message}", err=True)
    click.echo(f"Estimated {estimated:,} missing reads of cycle {cycle} {period}; {len(refused):,} could not be.")
