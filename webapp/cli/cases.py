"""`ordinance cases open|show|steps|take`: cases from the command line, for scripting and support.

    ordinance cases open delinquency --subject 42 --field period=2026-04 [--as carla]
    ordinance cases show 7 [--json]
    ordinance cases steps 7 --as sam
    ordinance cases take 7 arrange_plan --as carla --field installments=6 --field first_due=2026-05-15 --version 3

`--on DATE` acts as of another day (default: today in the city). A refused step prints each
reason and exits 1; a case changed since `--version` exits 1 with the conflict.
"""
from __future__ import annotations

import json
from datetime import date

import click

from engine.rulebook.catalog_source import catalog_of_database
from engine.rules.errors import DocumentErrors
from engine.workflow import services
from webapp.cli.context import (RECORD_ID, USAGE_ERROR, CityContext, acting_user, actor, city_date_option, fail,
                                pass_city)


def _fields(pairs: tuple[str, ...]) -> dict[str, str]:
    """`--field k=v` options as a mapping."""
    found = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            fail(f"--field {pair!r}: write it as NAME=VALUE", USAGE_ERROR)
        found[name.strip()] = value
    return found


def _catalog(city: CityContext, rules_dir: str, workflows_dir: str) -> services.Catalog:
    """The published rules (the folder's while none are) and the workflows, or exit 1 naming every error."""
    try:
        return catalog_of_database(city.db.sessions, rules_dir, workflows_dir)
    except DocumentErrors as bad:
        fail(f"the rules or workflows do not load:\n{bad}")


def _common(function):
    """The options every cases command shares: the folders and the day."""
    function = click.option("--workflows-dir", default="workflows", show_default=True,
                            help="The workflow definitions while the rule store has none published.")(function)
    function = click.option("--rules-dir", default="rules", show_default=True,
                            help="The rule documents while the rule store has none published.")(function)
    return city_date_option("--on", "on", help="Act as of this day")(function)


def _shown(value) -> str:
    """A value as YAML and the rules write it: true/false, text as is."""
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


@click.group("cases")
def command() -> None:
    """Cases: delinquencies, licenses, refunds and liens."""


@command.command("open")
@click.argument("workflow_id")
@click.option("--subject", "subject_id", type=RECORD_ID, required=True, help="The account id (or license id).")
@acting_user("user", required=False, help="The username, or sweep:NAME (default: cli:YOU).")
@click.option("--field", "pairs", multiple=True, help="An opening field, NAME=VALUE (repeatable).")
@_common
@pass_city
def open_command(city: CityContext, workflow_id: str, subject_id: int, user: str, pairs: tuple[str, ...], on: date,
                 rules_dir: str, workflows_dir: str) -> None:
    """Open a case of WORKFLOW_ID on a subject."""
    catalog = _catalog(city, rules_dir, workflows_dir)
    with city.transaction() as session:
        case = services.open_case(session, catalog, workflow_id, subject_id, actor=user or actor(), on=on,
                                  now=city.now(), fields=_fields(pairs))
        click.echo(f"Opened case {case.id}: {case.workflow_id} v{case.workflow_version}, {case.state} "
                   f"(version {case.version})")


@command.command("show")
@click.argument("case_id", type=RECORD_ID)
@click.option("--json", "as_json", is_flag=True, help="Print the case as JSON.")
@_common
@pass_city
def show_command(city: CityContext, case_id: int, as_json: bool, on: date, rules_dir: str, workflows_dir: str) -> None:
    """Show a case: state, fields, facts on the day, history and notices."""
    catalog = _catalog(city, rules_dir, workflows_dir)
    with city.session() as session:
        view = services.show_case(session, catalog, case_id, on=on)
    if as_json:
        click.echo(json.dumps(view, indent=2, default=str))
        return
    click.echo(f"Case {view['id']}: {view['title']} (v{view['workflow_version']}), "
               f"{view['subject_type']} {view['subject_id']}")
    click.echo(f"State: {view['state']} ({view['state_label']}), version {view['version']}")
    if view["shutoff"]:
        _shutoff_line(view["shutoff"])
    click.echo("Fields:")
    for name, value in view["fields"].items():
        click.echo(f"  {name} = {_shown(value)}")
    click.echo(f"Facts on {view['as_of']}:")
    for fact in view["facts"]:
        click.echo(f"  {fact['name']} = {_shown(fact['value'])}  ({fact['type']}: {fact['meaning']})")
    click.echo("History:")
    for event in view["history"]:
        click.echo(f"  {event['on']} {event['actor']}: {event['step']} {event['from'] or '-'} -> {event['to']}")
        for rule in event["rules"]:
            click.echo(f"      rule {rule['rule']} version {rule['version']}")
    for notice in view["notices"]:
        click.echo(f"Notice {notice['id']}: {notice['type']} ({notice['language']}) {notice['created_on']}")


def _shutoff_line(shutoff: dict) -> None:
    """The case's shut-off day as the shut-off lists give it, and why it is later than the notices said."""
    today = ", may be shut off today" if shutoff["today"] else ""
    click.echo(f"Shut-off day: {shutoff['shutoff_on']}{today}")
    if shutoff["reasons"]:
        click.echo(f"  the notices said {shutoff['printed_on']}: {'; '.join(shutoff['reasons'])}")


@command.command("steps")
@click.argument("case_id", type=RECORD_ID)
@acting_user("user", help="The username, or sweep:NAME.")
@_common
@pass_city
def steps_command(city: CityContext, case_id: int, user: str, on: date, rules_dir: str, workflows_dir: str) -> None:
    """The steps a user (or sweep) may take on a case now, and why the others are refused."""
    catalog = _catalog(city, rules_dir, workflows_dir)
    with city.session() as session:
        options = services.steps_for(session, catalog, case_id, user=user, on=on)
    if not options:
        click.echo("No steps leave this state.")
    for option in options:
        mark = "yes" if option.allowed else "no "
        click.echo(f"[{mark}] {option.id} -> {option.to}: {option.label}")
        for reason in option.reasons:
            click.echo(f"      {reason}")
        for field in option.form:
            click.echo(f"      --field {field['name']}=<{field['type']}>{' (required)' if field['required'] else ''}")


@command.command("take")
@click.argument("case_id", type=RECORD_ID)
@click.argument("step_id")
@acting_user("user", help="The username, or sweep:NAME.")
@click.option("--field", "pairs", multiple=True, help="A form value, NAME=VALUE (repeatable).")
@click.option("--version", "version", type=int, default=None,
              help="The case version you saw; refused if the case changed since.")
@_common
@pass_city
def take_command(city: CityContext, case_id: int, step_id: str, user: str, pairs: tuple[str, ...],
                 version: int | None, on: date, rules_dir: str, workflows_dir: str) -> None:
    """Take STEP_ID on a case."""
    catalog = _catalog(city, rules_dir, workflows_dir)
    with city.transaction() as session:
        event = services.take_step(session, catalog, case_id, step_id, user=user, on=on, now=city.now(),
                                   form=_fields(pairs), version=version)
        click.echo(f"Case {case_id}: {event.from_state} -> {event.to_state} ({step_id} by {event.actor})")
