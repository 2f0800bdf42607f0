"""`ordinance rules`: validate, evaluate, lint, show and export the schema of rule documents; the rule store's
import, export, publish and history."""
from __future__ import annotations

import json
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from engine.rules.bounds import effective_window_errors
from engine.rules.document import RuleDocument
from engine.rules.errors import DocumentErrors, EvaluationError
from engine.rules.kinds import KINDS, explained
from engine.rules.results import dumps
from engine.rules.library import RuleLibrary, read_documents
from engine.rules.schema import combined_schema, schema_for
from engine.rules.tagged import program_uses
from engine.rules.versions import version_in_force
from webapp.cli.context import CITY_DATE, RECORD_ID, CityContext, actor, city_date_option, fail, pass_city
from webapp.cli.failures import CityGroup

RULES_DIR = "rules"


def _period(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[date, date] | None:
    """Parse --period FROM:TO (both days included)."""
    if value is None:
        return None
    first, sep, last = value.partition(":")
    if not sep:
        raise click.BadParameter("expected FROM:TO, e.g. 2025-12-16:2026-01-15", param_hint="--period")
    return CITY_DATE.convert(first, param, ctx), CITY_DATE.convert(last, param, ctx)


def _library(rules_dir: str) -> RuleLibrary:
    """The documents of the rules folder, or exit 1 with every error on stderr."""
    try:
        return RuleLibrary.from_folder(rules_dir)
    except DocumentErrors as errors:
        for error in errors.errors:
            click.echo(str(error), err=True)
        sys.exit(1)


def _rules_in_force(city: CityContext, rules_dir: str | None) -> RuleLibrary:
    """What the city runs on: the rule store's published revisions; a folder's files with --rules-dir."""
    if rules_dir is not None:
        return _library(rules_dir)
    from engine.rulebook.revisions import published_library

    with city.session() as session:
        library = published_library(session)
    if not len(library):
        fail("the rule store has no published rules yet: load them with `ordinance rules import`, "
             "or read a folder's files with --rules-dir rules")
    return library


STORE_OR_FOLDER = "Read the YAML documents from this folder rather than the rule store's published revisions."


@click.group(cls=CityGroup, error_label="error")
def rules() -> None:
    """Rule documents: rates, fees, calendars, deadlines and criteria."""


@rules.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--rules-dir", default=RULES_DIR, show_default=True,
              help="Where documents named by other documents are looked up.")
@click.option("--workflows-dir", default=None,
              help="The workflows the steps sweep documents name are checked against while the rule store has none "
                   "published (or there is no database). Default: the program's own workflows folder, which the "
                   "running system and `rules import` read then.")
@pass_city
def validate(city: CityContext, paths: tuple[str, ...], rules_dir: str, workflows_dir: str | None) -> None:
    """Check rule documents (default: the rules folder); every error with file:line and path.

    As a draft or an import checks them: each document's own checks, its references, a title or department longer
    than the rule store keeps, a version dated more than 10 years ahead, and each step a sweep document names that
    the workflows cannot take (the store's published workflows, else the --workflows-dir folder's). Where the city
    has a database, the documents are checked against its data too (its languages, its assistance programs)."""
    targets = list(paths) or [rules_dir]
    known, _ = read_documents([rules_dir]) if paths and Path(rules_dir).is_dir() else ([], [])
    try:
        library = RuleLibrary.from_paths(targets, known=known)
        _kept_by_the_store(library)
        _within_ten_years(library, city.today_or_default())
        _fits_the_city(library, city)
        _steps_fit_the_workflows(library, known, city, workflows_dir or str(program_workflows()))
    except DocumentErrors as errors:
        for error in errors.errors:
            click.echo(str(error))
        files = len({e.source for e in errors.errors})
        click.echo(f"{len(errors.errors)} error{'s' * (len(errors.errors) != 1)} in {files} file{'s' * (files != 1)}")
        sys.exit(1)
    click.echo(f"{len(library)} document{'s are' if len(library) != 1 else ' is'} valid")


def _kept_by_the_store(library: RuleLibrary) -> None:
    """No title or department longer than the rule store keeps (engine.rulebook.drafting.column_errors); DocumentErrors
    naming each that is."""
    from engine.rulebook.drafting import column_errors

    errors = [error for doc in library for error in column_errors(doc)]
    if errors:
        raise DocumentErrors(errors)


def program_workflows() -> Path:
    """The program's own workflows folder: what the running system and `rules import` read while the store has none."""
    from engine.rulebook.workflow_revisions import WORKFLOWS_FOLDER
    return WORKFLOWS_FOLDER


def _steps_fit_the_workflows(library: RuleLibrary, known: list[RuleDocument], city: CityContext,
                             workflows_dir: str) -> None:
    """Each step a sweep document names is one the workflows can take (engine.workflow.swept), as an import checks it:
    with a database, the workflows the city runs (the published ones, else those of `workflows_dir`) read with the
    published documents; without one, those of `workflows_dir` read with the documents and the rules folder's.
    DocumentErrors naming the sweep document's file, line and key, and the step."""
    from engine.rulebook.revisions import published_documents
    from engine.rulebook.store import joined, sweep_errors
    from engine.rules.kinds.sweep import KIND as SWEEP_KIND
    from engine.workflow.definitions import folder_workflows
    from engine.workflow.swept import sweep_step_errors

    documents = list(library)
    if not any(doc.kind == SWEEP_KIND.name for doc in documents):
        return
    errors = city.read_if_there(lambda session: sweep_errors(
        session, documents, published_documents(session) or known, workflows_dir))
    if errors is None:
        if not Path(workflows_dir).is_dir():
            click.echo(f"no workflows folder {workflows_dir}: the steps sweep documents name are not checked "
                       "(give --workflows-dir)", err=True)
            return
        errors = sweep_step_errors(documents, folder_workflows(workflows_dir, joined(documents, known)))
    if errors:
        raise DocumentErrors(errors)


def _within_ten_years(library: RuleLibrary, today: date) -> None:
    """No version takes effect more than 10 years after `today`; DocumentErrors naming each that does."""
    errors = [error for doc in library for error in effective_window_errors(doc, today)]
    if errors:
        raise DocumentErrors(errors)


def _fits_the_city(library: RuleLibrary, city: CityContext) -> None:
    """Documents naming only what the city has (engine.rulebook.drafting.city_errors); DocumentErrors if not.
    Without a database to ask there is nothing to check them against."""
    from engine.rulebook.drafting import city_data, city_errors

    data = city.read_if_there(city_data)
    errors = [error for doc in library for error in city_errors(doc, data)] if data is not None else []
    if errors:
        raise DocumentErrors(sorted(errors, key=lambda error: (error.source, error.line, error.path)))


MAX_FACTS_BYTES = 1024 * 1024  # a facts file is one object of facts, not a data set


def _read_facts(source: str) -> dict:
    """The facts JSON object from a file or `-` (standard input), numbers as Decimal; or exit 1."""
    try:
        text = sys.stdin.read(MAX_FACTS_BYTES + 1) if source == "-" else _facts_text(Path(source))
    except OSError as error:
        fail(f"cannot read facts from {source}: {error.strerror}")
    except UnicodeDecodeError:
        fail(f"facts in {source} are not UTF-8 text")
    if len(text) > MAX_FACTS_BYTES:
        fail(f"facts in {source} are over {MAX_FACTS_BYTES // 1024} KiB; facts are one JSON object of names and values")
    try:
        facts = json.loads(text, parse_float=Decimal, parse_int=_whole_number)
    except json.JSONDecodeError as error:
        fail(f"facts in {source} are not JSON: {error.msg} (line {error.lineno})")
    except RecursionError:
        fail(f"facts in {source} are nested too deep; facts are one JSON object of names and values")
    if not isinstance(facts, dict):
        fail(f"facts in {source} must be a JSON object")
    return facts


def _facts_text(path: Path) -> str:
    """The text of a facts file, read no further than the limit."""
    with path.open(encoding="utf-8") as handle:
        return handle.read(MAX_FACTS_BYTES + 1)


def _whole_number(written: str) -> int | Decimal:
    """A JSON integer: an int, or a Decimal when too long for one (the facts' check then refuses it by name)."""
    return int(written) if len(written) <= 40 else Decimal(written)


@rules.command(name="eval")
@click.argument("document_id", metavar="ID")
@click.option("--as-of", "as_of", required=True, type=CITY_DATE, help="The day to evaluate on, YYYY-MM-DD.")
@click.option("--facts", "facts_source", required=True, help="A JSON file of facts, or - for standard input.")
@click.option("--period", callback=_period, help="FROM:TO, both days included (schedules only).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--rules-dir", help=STORE_OR_FOLDER)
@pass_city
def eval_command(city: CityContext, document_id: str, as_of: date, facts_source: str, period: Any, as_json: bool,
                 rules_dir: str | None) -> None:
    """Evaluate one rule document, as published (or from --rules-dir), on a date with a set of facts."""
    facts = _read_facts(facts_source)
    library = _rules_in_force(city, rules_dir)
    result = library.evaluate(document_id, facts, as_of, period=period)
    shown = result.to_json()
    if as_json:
        click.echo(dumps(shown))
    else:
        click.echo("\n".join(explained(library.get(document_id).kind, shown)))


def _plain(value: Any) -> str:
    """A JSON value as one readable line."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


@rules.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--rules-dir", default=RULES_DIR, show_default=True)
def lint(paths: tuple[str, ...], rules_dir: str) -> None:
    """Warnings, not errors: rules that never match, stray holidays, unread inputs, odd table keys, stale figures."""
    from engine.rules.lint import lint_documents

    documents, errors = read_documents(list(paths) or [rules_dir])
    for error in errors:
        click.echo(f"error: {error}", err=True)
    warnings = lint_documents(documents)
    for warning in warnings:
        click.echo(str(warning))
    click.echo(f"{len(warnings)} warning{'s' * (len(warnings) != 1)} in {len(documents)} documents")
    if errors:
        sys.exit(1)


@rules.command()
@click.argument("document_id", metavar="ID")
@city_date_option("--as-of", "as_of", help="Mark the version in force on this day")
@click.option("--rules-dir", help=STORE_OR_FOLDER)
@pass_city
def show(city: CityContext, document_id: str, as_of: date, rules_dir: str | None) -> None:
    """A document's versions as published (or in --rules-dir), and which one is in force."""
    doc = _rules_in_force(city, rules_dir).get(document_id)
    try:
        in_force = version_in_force(doc, as_of)
    except EvaluationError:
        in_force = None
    click.echo(f"{doc.id} ({doc.kind}): {doc.title}")
    where = f"file: {doc.source}" if rules_dir is not None else f"published: {doc.source}"
    click.echo(f"  {where}" + (f"; department: {doc.department}" if doc.department else ""))
    for tag in program_uses(doc):
        click.echo(f"  used by the program as {tag.purpose} (tag {tag.name})")
    for version in doc.versions:
        mark = "*" if version is in_force else " "
        notes = [version.reference or "", "retired" if version.retired else "",
                 f"adopted {version.adopted}" if version.adopted else ""]
        click.echo(f"  {mark} {version.effective}  " + "; ".join(n for n in notes if n))
    click.echo(f"  in force on {as_of}: " + (str(in_force.effective) if in_force else "none"))


@rules.command()
@click.argument("kind", required=False, type=click.Choice(KINDS))
def schema(kind: str | None) -> None:
    """Print the JSON Schema of a kind (or of any document) for the editor."""
    click.echo(json.dumps(schema_for(kind) if kind else combined_schema(), indent=2))


# --- the rule store: the published revisions in the database -------------------------------


@rules.command(name="import")
@click.argument("folder", required=False, default=RULES_DIR, type=click.Path())
@click.option("--author", help="Who drafted the documents (a supervisor or administrator).")
@click.option("--approver", help="Who approves them: a second person publishes them at once.")
@pass_city
def import_command(city: CityContext, folder: str, author: str | None, approver: str | None) -> None:
    """Load a rules folder into the rule store, all or nothing: new and changed documents become revisions.

    Into an empty store (the city's first set-up) they are published by the system's import;
    afterwards they are drafts, unless --author and --approver name two people.
    """
    from engine.rulebook import store

    today = city.today
    try:
        with city.transaction() as session:
            report = store.import_folder(session, folder, actor=actor(), now=city.now(), today=today, author=author,
                                         approver=approver)
    except DocumentErrors as errors:
        for error in errors.errors:
            click.echo(str(error), err=True)
        fail(f"nothing imported: {len(errors.errors)} error{'s' * (len(errors.errors) != 1)}")
    except store.RuleStoreError as error:
        fail(f"nothing imported:\n{error}")
    for row in report.published:
        click.echo(f"published {row.document_id} revision {row.revision}")
    for row in report.drafted:
        click.echo(f"drafted {row.document_id} revision {row.revision}; publish it with `ordinance rules "
                   f"publish {row.document_id} --revision {row.revision} --approver USER`")
    click.echo(f"{len(report.published)} published, {len(report.drafted)} drafted, "
               f"{len(report.unchanged)} unchanged")


@rules.command(name="export")
@click.argument("folder", type=click.Path(file_okay=False))
@pass_city
def export_command(city: CityContext, folder: str) -> None:
    """Write each document's newest published revision under FOLDER, byte for byte as stored."""
    from engine.rulebook import store

    with city.session() as session:
        written = store.export(session, folder)
    if not written:
        fail("the rule store has no published rules yet; load them with `ordinance rules import`")
    click.echo(f"{len(written)} document{'s' * (len(written) != 1)} written to {folder}")


@rules.command()
@click.argument("document_id", metavar="ID")
@click.option("--revision", required=True, type=RECORD_ID, help="The draft revision to publish.")
@click.option("--approver", required=True, help="Who approves it (not its author, if the city says so).")
@pass_city
def publish(city: CityContext, document_id: str, revision: int, approver: str) -> None:
    """Publish a draft revision of a rule document."""
    from engine.rulebook import store

    today = city.today
    try:
        with city.transaction() as session:
            row = store.publish(session, document_id, revision, approver, city.now(), today)
            click.echo(f"published {row.document_id} revision {row.revision} (drafted by {row.author}, "
                       f"approved by {row.approver})")
    except DocumentErrors as errors:
        fail(f"revision {revision} of {document_id} is no longer valid:\n{errors}")


@rules.command()
@click.argument("document_id", metavar="ID")
@pass_city
def history(city: CityContext, document_id: str) -> None:
    """Every revision of a document: status, hash, author, approver, dates."""
    from engine.city import zone
    from engine.rulebook import revisions

    tz = zone(city.timezone)
    with city.session() as session:
        rows = revisions.history(session, document_id)
    if not rows:
        fail(f"the rule store has no revision of {document_id}")

    def shown(moment: Any) -> str:
        """A moment in the city's time, to the minute."""
        return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else "-"

    click.echo(f"{document_id} ({rows[-1].kind}): {rows[-1].title}")
    click.echo(f"  {'rev':>3}  {'status':<9}  {'sha256':<12}  {'author':<12}  {'approver':<12}  "
               f"{'drafted':<16}  {'published':<16}  last version")
    for row in rows:
        click.echo(f"  {row.revision:>3}  {row.status:<9}  {row.sha256[:12]}  {row.author:<12}  "
                   f"{row.approver or '-':<12}  {shown(row.created_at):<16}  {shown(row.published_at):<16}  "
                   f"{row.latest_effective}")


command = rules
