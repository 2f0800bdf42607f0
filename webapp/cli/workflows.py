"""`ordinance workflows`: the workflow definitions in the rule store: validate, import, export, publish, history
and list.

    ordinance workflows validate [PATHS]
    ordinance workflows import [FOLDER] [--author sam --approver sofia]
    ordinance workflows export FOLDER
    ordinance workflows publish delinquency --revision 2 --approver sofia
    ordinance workflows history delinquency
    ordinance workflows list [--on DATE]

The definitions are checked against the rules as the city runs them (the store's published
revisions; the rules folder while the store has none). `validate` needs no database: without
one it checks the files alone.
"""
from __future__ import annotations

from datetime import date
from typing import Any

import click

from engine.rulebook.catalog_source import current_rules
from engine.rules.errors import DocumentErrors
from engine.rules.library import RuleLibrary
from webapp.cli.context import CITY_DATE, RECORD_ID, CityContext, actor, city_date_option, fail, pass_city
from webapp.cli.failures import CityGroup

WORKFLOWS_DIR = "workflows"
RULES_DIR = "rules"


def _errors(errors: DocumentErrors, what: str) -> None:
    """Every error on stderr, then exit 1 saying nothing was done."""
    for error in errors.errors:
        click.echo(str(error), err=True)
    fail(f"{what}: {len(errors.errors)} error{'s' * (len(errors.errors) != 1)}")


@click.group("workflows", cls=CityGroup, error_label="error")
def command() -> None:
    """Workflow definitions in the rule store: validate, import, export, publish, history."""


@command.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--rules-dir", default=RULES_DIR, show_default=True,
              help="The rules the definitions are checked against while the rule store has none (or there is no "
                   "database).")
@click.option("--workflows-dir", default=WORKFLOWS_DIR, show_default=True,
              help="Without a database: the definitions standing for what the city has published (an `open:` may "
                   "name one).")
@pass_city
def validate(city: CityContext, paths: tuple[str, ...], rules_dir: str, workflows_dir: str) -> None:
    """Check workflow definitions (default: the workflows folder) as an import checks them, storing nothing.

    Every error with file:line and path: the definition's own, a state no case reaches or none
    leaves, a notice a step waits for with no way to a new one, a workflow `open:` names that is
    neither among them nor published, a step a sweep document names that it cannot take. Where
    the city has a database, also what the city does not have (its approval roles, its
    assistance programs); without one (a laptop with the repository), the files alone: the rules
    folder's documents, the workflows folder's definitions standing for what is published.
    """
    from engine.rulebook import workflow_store
    from engine.workflow.definitions import validate_files

    targets = list(paths) or [workflows_dir]
    try:
        workflows = city.read_if_there(lambda session: workflow_store.validate(
            session, targets, current_rules(session, rules_dir)))
        if workflows is None:
            click.echo("no database: checking the files alone (not the city's approval roles or assistance "
                       "programs)", err=True)
            workflows = validate_files(targets, RuleLibrary.from_folder(rules_dir), beside=workflows_dir)
    except DocumentErrors as errors:
        _errors(errors, "not valid")
    click.echo(f"{len(workflows)} definition{'s are' if len(workflows) != 1 else ' is'} valid")


@command.command(name="import")
@click.argument("folder", required=False, default=WORKFLOWS_DIR, type=click.Path())
@click.option("--author", help="Who drafted the definitions (a supervisor or administrator).")
@click.option("--approver", help="Who approves them: a second person publishes them at once.")
@click.option("--effective", type=CITY_DATE, default=None,
              help="The day a new version without an effective: day of its own opens cases (default: today).")
@pass_city
def import_command(city: CityContext, folder: str, author: str | None, approver: str | None,
                   effective: date | None) -> None:
    """Load a workflows folder into the rule store, all or nothing: new and changed definitions become revisions.

    Into a store without workflows (the city's first set-up, or a database from before
    workflows were published) they are published by the system's import; afterwards they
    are drafts, unless --author and --approver name two people. A new version of a
    published workflow that names no effective: day opens new cases from --effective
    (today unless given); cases already open stay on their version.
    """
    from engine.rulebook import workflow_store

    try:
        with city.transaction() as session:
            rules = current_rules(session, RULES_DIR)
            report = workflow_store.import_folder(session, folder, rules, actor=actor(), now=city.now(),
                                                  today=city.today, author=author, approver=approver,
                                                  effective=effective)
    except DocumentErrors as errors:
        _errors(errors, "nothing imported")
    for row in report.published:
        click.echo(f"published {row.workflow_id} version {row.version} (revision {row.revision})"
                   + (f", opening new cases from {row.effective}" if row.effective else ""))
    for row in report.drafted:
        click.echo(f"drafted {row.workflow_id} version {row.version} (revision {row.revision}); publish it with "
                   f"`ordinance workflows publish {row.workflow_id} --revision {row.revision} --approver USER`")
    click.echo(f"{len(report.published)} published, {len(report.drafted)} drafted, "
               f"{len(report.unchanged)} unchanged")


@command.command(name="export")
@click.argument("folder", type=click.Path(file_okay=False))
@pass_city
def export_command(city: CityContext, folder: str) -> None:
    """Write every published version under FOLDER byte for byte: ID.yaml the newest, ID.vN.yaml earlier ones."""
    from engine.rulebook import workflow_store

    with city.session() as session:
        written = workflow_store.export(session, folder)
    if not written:
        fail("the rule store has no published workflows yet; load them with `ordinance workflows import`")
    click.echo(f"{len(written)} definition{'s' * (len(written) != 1)} written to {folder}")


@command.command()
@click.argument("workflow_id", metavar="ID")
@click.option("--revision", required=True, type=RECORD_ID, help="The draft revision to publish.")
@click.option("--approver", required=True, help="Who approves it (not its author, if the city says so).")
@pass_city
def publish(city: CityContext, workflow_id: str, revision: int, approver: str) -> None:
    """Publish a draft revision of a workflow definition."""
    from engine.rulebook import workflow_store

    try:
        with city.transaction() as session:
            rules = current_rules(session, RULES_DIR)
            row = workflow_store.publish(session, rules, workflow_id, revision, approver, city.now(), city.today)
            click.echo(f"published {row.workflow_id} version {row.version} (revision {row.revision}, drafted by "
                       f"{row.author}, approved by {row.approver}); new cases open on it from "
                       f"{row.effective or 'now on'}")
    except DocumentErrors as errors:
        _errors(errors, f"revision {revision} of {workflow_id} is no longer valid")


@command.command()
@click.argument("workflow_id", metavar="ID")
@pass_city
def history(city: CityContext, workflow_id: str) -> None:
    """Every revision of a workflow: version, status, hash, author, approver, dates, effective day."""
    from engine.city import zone
    from engine.rulebook import workflow_revisions

    tz = zone(city.timezone)
    with city.session() as session:
        rows = workflow_revisions.history(session, workflow_id)
    if not rows:
        fail(f"the rule store has no revision of the workflow {workflow_id}")

    def shown(moment: Any) -> str:
        """A moment in the city's time, to the minute."""
        return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else "-"

    click.echo(f"{workflow_id} ({rows[-1].subject}): {rows[-1].title}")
    click.echo(f"  {'rev':>3}  {'version':>7}  {'status':<9}  {'sha256':<12}  {'author':<12}  {'approver':<12}  "
               f"{'drafted':<16}  {'published':<16}  effective")
    for row in rows:
        click.echo(f"  {row.revision:>3}  {row.version:>7}  {row.status:<9}  {row.sha256[:12]}  {row.author:<12}  "
                   f"{row.approver or '-':<12}  {shown(row.created_at):<16}  {shown(row.published_at):<16}  "
                   f"{row.effective or 'from the start'}")


@command.command(name="list")
@city_date_option("--on", "on", help="Which version opens new cases on this day")
@pass_city
def list_command(city: CityContext, on: date) -> None:
    """Each published workflow, its versions, and the one that opens new cases on the day."""
    from engine.rulebook.workflow_revisions import published_rows, published_workflows

    with city.session() as session:
        rows = published_rows(session)
        if not rows:
            fail("the rule store has no published workflows: the running system reads the workflows folder "
                 "until they are loaded with `ordinance workflows import`")
        workflows = published_workflows(session, current_rules(session, RULES_DIR))
    for workflow_id in workflows.ids():
        try:
            opens = workflows.get(workflow_id, on=on).version
        except LookupError:
            opens = None
        versions = [row for row in rows if row.workflow_id == workflow_id]
        click.echo(f"{workflow_id}: " + ", ".join(
            f"{'*' if row.version == opens else ''}version {row.version} from {row.effective or 'the start'}"
            for row in versions) + f"  (opens new cases on {on}: " + (f"version {opens})" if opens else "none)"))
