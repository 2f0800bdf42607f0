"""`ordinance sweep`: run a nightly sweep by hand, list the sweeps, show a run's report, export the calling list.

    ordinance sweep run delinquency --as-of 2026-11-20 [--dry-run] [--no-pdf]
    ordinance sweep list
    ordinance sweep report delinquency --as-of 2026-11-20 [--json]
    ordinance sweep phone-export --as-of 2026-11-20 > calls.csv

ORDINANCE_SWEEP_CHUNK sets the subjects per chunk (each chunk is its own transaction).

What a person reads names each sweep by its label, with the id to type in brackets
(`Delinquency notices and shut-offs (delinquency)`, `sweep_named`; the label is
engine.sweeps.registry.sweep_label's, as on the pages); so do `ordinance scheduler` and
`ordinance sweep worker`. What a program reads keeps the ids: `sweep report --json`, the
structured log lines, and the `sweep` label of the Prometheus metrics (webapp.operations.metrics).
"""
from __future__ import annotations

import io
import json
import os
import socket
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import click

from engine.audit_checkpoints import CheckpointWriter
from engine.numerals import is_digits
from engine.rulebook.catalog_source import catalog_of_database, rules_of_database
from engine.rules.document import Documents
from engine.sweeps.mailing import Mailer
from engine.sweeps.phone_export import write_phone_export
from engine.sweeps.registry import BUILT_IN, all_sweeps, get_sweep, sweep_label
from engine.sweeps.report import find_run, sweep_run_report, sweep_runs
from engine.sweeps.runner import RunOutcome, run_sweep
from engine.workflow.services import Catalog
from webapp.cli.context import (USAGE_ERROR, CityContext, Database, catalog_folders, city_date_option, fail, now,
                                pass_city)
from webapp.cli.downloads import audited_output

REPO = Path(__file__).resolve().parents[2]
DEFAULT_CHUNK = 500


# On SQLite a chunk holds the one write lock the clerks' sign-ins, receipts and steps wait for: each
# holds it about this long (engine.sweeps.runner.ChunkPace), whatever the night's work per subject.
SQLITE_CHUNK_SECONDS = 0.05


def chunk_size() -> int:
    """Subjects per chunk: ORDINANCE_SWEEP_CHUNK, or 500."""
    raw = os.environ.get("ORDINANCE_SWEEP_CHUNK", "")
    if not raw:
        return DEFAULT_CHUNK
    if not is_digits(raw) or int(raw) < 1:
        fail(f"ORDINANCE_SWEEP_CHUNK must be a whole number above 0, not {raw!r}", USAGE_ERROR)
    return int(raw)


def sweep_named(name: str, rules: Documents) -> str:
    """A sweep as the command line names it to a person: its label, and in brackets the id to type
    ("Liens (liens)")."""
    return f"{sweep_label(name, rules)} ({name})"


def runner_name() -> str:
    """Who holds a run: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


def execute(db: Database, name: str, as_of: date, *, today: date, dry_run: bool = False, pdf: bool = True,
            rules_dir: Path = REPO / "rules", workflows_dir: Path = REPO / "workflows",
            templates_dir: Path = REPO / "templates" / "notices", show_progress: bool = False,
            catalog: Catalog | None = None, chunk: int | None = None,
            clock: Callable[[], datetime] | None = None) -> RunOutcome:
    """Run one sweep for a night on the city's date `today` against the configured database (CLI and scheduler)."""
    catalog = catalog or catalog_of_database(db.sessions, rules_dir, workflows_dir)
    sweep = get_sweep(name, catalog.rules)
    mailer = Mailer(templates_dir, db.config.PDF_FOLDER) if pdf else None
    paced = SQLITE_CHUNK_SECONDS if db.engine.dialect.name == "sqlite" else None
    kwargs = dict(as_of=as_of, today=today, clock=clock or now, runner=runner_name(), services=catalog, mailer=mailer,
                  dry_run=dry_run, chunk_size=chunk or chunk_size(), chunk_seconds=paced,
                  checkpoint=CheckpointWriter(db.config.AUDIT_KEY))
    if not show_progress:
        return run_sweep(db.sessions, sweep, **kwargs)
    with db.sessions() as session:
        last = sweep.last_id(session)
    with click.progressbar(length=max(last, 1), label=f"{sweep_named(name, catalog.rules)} {as_of}", file=sys.stderr,
                           show_percent=True) as bar:
        seen = {"cursor": 0}

        def progress(_done: int, cursor: int) -> None:
            """Move the bar to the chunk's last subject id."""
            bar.update(max(0, min(cursor, last) - seen["cursor"]))
            seen["cursor"] = max(seen["cursor"], min(cursor, last))

        outcome = run_sweep(db.sessions, sweep, progress=progress, **kwargs)
        bar.update(max(0, last - seen["cursor"]))
    return outcome


def print_report(report: dict, out=None) -> None:
    """The report as a supervisor reads it: subjects, steps, fees, notices, exceptions, mailings."""
    echo = (lambda text: click.echo(text, file=out)) if out else click.echo
    echo(f"Subjects visited: {report.get('subjects', 0):,}")
    for title, key in (("Cases opened", "cases_opened"), ("Steps taken", "steps"), ("Fees assessed", "fees"),
                       ("Notices (type/language)", "notices")):
        echo(f"{title}:")
        for what, value in (report.get(key) or {}).items():
            echo(f"  {what:<48} {value}")
        if not report.get(key):
            echo("  none")
    if report.get("caught_up_on"):
        echo(f"Caught up on {report['caught_up_on']}: a night before that day mails no notice")
    exceptions = report.get("exceptions") or []
    count = len(exceptions) + report.get("exceptions_not_kept", 0)
    echo(f"Exceptions: {count:,}" if count else "Exceptions: None")
    for line in exceptions:
        echo(f"  {line['subject']}: [{line.get('kind', 'error')}] {line['message']}")
    if report.get("exceptions_not_kept"):
        echo(f"  ... and {report['exceptions_not_kept']:,} more, counted but not kept")
    for key, value in (report.get("extra") or {}).items():
        echo(f"{key.replace('_', ' ').capitalize()}: {len(value) if isinstance(value, list) else value}")
        for line in value if isinstance(value, list) else []:
            echo(f"  {', '.join(f'{k} {v}' for k, v in line.items())}")
    for mailing in report.get("mailings") or []:
        echo(f"Mailing: {mailing['notice_type']} x {mailing['count']} -> {mailing['pdf']}")


@click.group("sweep")
def command() -> None:
    """The nightly sweeps: run one, list them, read a run's report, export the calling list."""


AS_OF = city_date_option("--as-of", "as_of", help="The city's date the sweep runs for")


@command.command("run")
@click.argument("name")
@AS_OF
@click.option("--dry-run", is_flag=True, help="Report what would happen; write nothing.")
@click.option("--no-pdf", is_flag=True, help="Do not render the mailing PDFs (the notices are still recorded).")
@pass_city
def run_command(city: CityContext, name: str, as_of: date, dry_run: bool, no_pdf: bool) -> None:
    """Run (or resume) a sweep for a day, with a progress bar; a finished run is not repeated."""
    catalog = catalog_of_database(city.db.sessions, REPO / "rules", REPO / "workflows")
    outcome = execute(city.db, name, as_of, today=city.today, dry_run=dry_run, pdf=not no_pdf, show_progress=True,
                      catalog=catalog, clock=city.now)
    headline = {"done": "done", "already_done": "already done earlier (nothing repeated)",
                "dry_run": "dry run: nothing was written"}[outcome.status]
    click.echo(f"Sweep {sweep_named(name, catalog.rules)} for {as_of}: {headline}"
               + (f" (run {outcome.run_id})" if outcome.run_id else ""))
    print_report(outcome.report)


@command.command("list")
@pass_city
def list_command(city: CityContext) -> None:
    """The sweeps there are (each by its label, the id to type in brackets), and each one's latest run."""
    rules = rules_of_database(city.db.sessions, REPO / "rules")
    names = {name: sweep_named(name, rules) for name in all_sweeps(rules)}
    width = max(map(len, names.values()), default=0)
    with city.session() as session:
        for name, named in names.items():
            latest = sweep_runs(session, limit=1, sweep=name)
            last = f"last run {latest[0]['as_of']} ({latest[0]['status']})" if latest else "never run"
            title = BUILT_IN[name].title + " (built in)" if name in BUILT_IN else rules.get(name).title
            click.echo(f"{named:<{width}}  {title}  [{last}]")


@command.command("report")
@click.argument("name")
@AS_OF
@click.option("--json", "as_json", is_flag=True, help="Print the run and its report as JSON.")
@pass_city
def report_command(city: CityContext, name: str, as_of: date, as_json: bool) -> None:
    """The report kept with a sweep's run for a day (--json: as a program reads it, the sweep by its id)."""
    with city.session() as session:
        run = find_run(session, name, as_of)
        data = sweep_run_report(session, run.id) if run is not None else None
    if as_json and data is not None:
        click.echo(json.dumps(data, indent=2))
        return
    rules = rules_of_database(city.db.sessions, REPO / "rules")
    if data is None:
        get_sweep(name, rules)  # a name that is no sweep: the sweeps there are (SweepError), not "has not run"
        fail(f"{sweep_named(name, rules)} has not run for {as_of}")
    named = sweep_named(name, rules)
    click.echo(f"Sweep {named} for {as_of}: run {data['id']}, {data['status']}, started {data['started_at']}"
               f", finished {data['finished_at'] or '-'}")
    print_report({**data["report"], "mailings": data["mailings"]})


@command.command("phone-export")
@AS_OF
@catalog_folders
@pass_city
def phone_export_command(city: CityContext, as_of: date, rules_dir: str, workflows_dir: str) -> None:
    """CSV on standard output of accounts scheduled for shut-off (name, phone, language, amount, date), in the
    city's layout for its calling vendor (the setting phone_export_layout); the shut-offs the weather holds that
    day, and those held for a notice never sent, are left out, counted on standard error; audited as a download
    first."""
    catalog, out = catalog_of_database(city.db.sessions, rules_dir, workflows_dir), io.StringIO()
    with city.session() as session:
        phoned = write_phone_export(session, catalog, as_of, out)
    audited_output(city, out.getvalue(), None, what="Phone notification list",
                   filename=f"phone-export-{as_of.isoformat()}.csv",
                   filters={"as_of": as_of.isoformat(), **phoned.filters()},
                   rows=phoned.listed)
    click.echo(f"{phoned.listed} accounts scheduled for shut-off on or after {as_of}", err=True)
    if phoned.held:
        click.echo(f"{phoned.held} shut-offs due {as_of} held by the weather, left out: {'; '.join(phoned.why)}",
                   err=True)
    if phoned.unsent:
        click.echo(f"{len(phoned.unsent)} shut-offs held for a notice never sent (it must go out again first), left "
                   f"out: cases {', '.join(str(case_id) for case_id in phoned.unsent)}", err=True)
