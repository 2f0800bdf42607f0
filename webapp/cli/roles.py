"""`ordinance roles list|add|edit|grant|revoke`: the city's approval roles from the command line.

An approval role (city_attorney, department_head, ...) lets its holders take the workflow
steps that name it; page access stays clerk / supervisor / admin (`ordinance users`). The
command line acts as the machine operator (`cli:NAME` in the audit log) or, with `--as
USERNAME`, as that administrator. A grant waits for a second person as a role change does
(approve it with `ordinance users approve CHANGE --as USERNAME`); without `--as` the operator
grants alone only while the city has no second person yet. A revocation applies at once.
"""
from __future__ import annotations

import click

from engine import roles as service
from engine import two_person
from webapp.cli.context import CityContext, acting_user, actor, pass_city


@click.group("roles")
def command() -> None:
    """Approval roles: define them, and grant them to staff."""


@command.command("list")
@pass_city
def list_(city: CityContext) -> None:
    """List every approval role with its label and holders."""
    with city.session() as session:
        everyone, holders = service.list_roles(session), service.holders(session)
    if not everyone:
        click.echo("No approval roles yet: define one with `ordinance roles add ROLE_ID --label LABEL`.")
    for role in everyone:
        click.echo(f"{role.id:<20} {role.label:<28} held by: {', '.join(holders.get(role.id, [])) or 'nobody'}")


@command.command()
@click.argument("role_id")
@click.option("--label", required=True, help="The words people see, e.g. City Attorney.")
@click.option("--description", default="", help="What the role approves.")
@acting_user("as_admin", required=False, help="The administrator defining it (by username).")
@pass_city
def add(city: CityContext, role_id: str, label: str, description: str, as_admin: str | None) -> None:
    """Define an approval role that workflows and rule outcomes may name."""
    with city.transaction() as session:
        role = service.define_role(session, role_id, label=label, description=description,
                                   actor=as_admin or actor(), now=city.now())
        click.echo(f"Defined {role.id}: {role.label}")


@command.command()
@click.argument("role_id")
@click.option("--label", default=None, help="The new label.")
@click.option("--description", default=None, help="The new description.")
@acting_user("as_admin", required=False, help="The administrator editing it (by username).")
@pass_city
def edit(city: CityContext, role_id: str, label: str | None, description: str | None, as_admin: str | None) -> None:
    """Change an approval role's label or description (its id never changes)."""
    with city.transaction() as session:
        role = service.existing_role(session, role_id)
        role = service.edit_role(session, role.id, label=role.label if label is None else label,
                                 description=role.description if description is None else description,
                                 actor=as_admin or actor(), now=city.now())
        click.echo(f"{role.id}: {role.label}")


@command.command()
@click.argument("username")
@click.argument("role_id")
@acting_user("as_admin", required=False, help="The administrator asking (by username).")
@pass_city
def grant(city: CityContext, username: str, role_id: str, as_admin: str | None) -> None:
    """Grant a user an approval role: it waits for a second person (alone only in a city without one)."""
    with city.transaction() as session:
        if as_admin is None:
            two_person.grant_by_operator(session, username, role_id, operator=actor(), now=city.now())
            click.echo(f"Granted {role_id} to {username}.")
            return
        change = two_person.ask_grant(session, username, role_id, actor=as_admin, now=city.now())
        click.echo(f"{two_person.describe(change)}: waiting for a second person (change {change.id}). "
                   f"{two_person.who_can_approve(session, change)}")


@command.command()
@click.argument("username")
@click.argument("role_id")
@acting_user("as_admin", required=False, help="The administrator revoking it (by username).")
@pass_city
def revoke(city: CityContext, username: str, role_id: str, as_admin: str | None) -> None:
    """Take an approval role from a user at once."""
    with city.transaction() as session:
        service.revoke(session, username, role_id, actor=as_admin or actor(), now=city.now())
    click.echo(f"Revoked {role_id} from {username}.")
