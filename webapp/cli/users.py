"""`ordinance users add|list|disable|password|role|changes|approve|refuse`: staff accounts from the command line.

The command line acts as the machine operator (`cli:NAME` in the audit log), or, with
`--as USERNAME`, as that administrator by name. Roles above clerk, and every role change,
wait for a second person (engine.two_person), as on the web pages. The one path without a
second person is the operator's bootstrap: `ordinance users add NAME --role admin` (or
supervisor) without `--as`, which works only while the city has no second person yet (no
administrator, or a single one and no second approver named).
"""
from __future__ import annotations

import sys

import click

from engine import two_person
from engine import users as service
from engine.store.models import ROLES
from webapp.cli.context import RECORD_ID, CityContext, acting_user, actor, pass_city


@click.group("users")
def command() -> None:
    """Staff who sign in: clerks, supervisors, administrators."""


def _password(from_stdin: bool) -> str:
    """The password from stdin's first line, or asked for twice without echo."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def _asked(session, change) -> None:
    """Say that a change waits for a second person, and who may approve it."""
    click.echo(f"{two_person.describe(change)}: waiting for a second person (change {change.id}). "
               f"{two_person.who_can_approve(session, change)}")


@command.command()
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True, help="What the user may do.")
@click.option("--name", "full_name", required=True, help="The user's full name.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
@acting_user("as_admin", required=False, help="The administrator asking (by username).")
@pass_city
def add(city: CityContext, username: str, role: str, full_name: str, password_stdin: bool,
        as_admin: str | None) -> None:
    """Add a user (asks for the password twice unless --password-stdin)."""
    password = _password(password_stdin)
    with city.transaction() as session:
        if as_admin is None:
            user, change = two_person.add_by_operator(session, username=username, full_name=full_name, role=role,
                                                      password=password, operator=actor(), now=city.now()), None
        else:
            user, change = two_person.add_staff(session, username=username, full_name=full_name, role=role,
                                                password=password, actor=as_admin, now=city.now())
        click.echo(f"Added {user.username} ({user.role}): {user.full_name}")
        if change is not None:
            _asked(session, change)


@command.command("list")
@pass_city
def list_(city: CityContext) -> None:
    """List every user with role and status."""
    with city.session() as session:
        everyone = service.list_users(session)
    if not everyone:
        click.echo("No users yet: add one with `ordinance users add USERNAME --role admin --name NAME`.")
    for user in everyone:
        status = "active" if user.active else "disabled"
        click.echo(f"{user.username:<20} {user.role:<11} {status:<9} {user.full_name}")


@command.command()
@click.argument("username")
@pass_city
def disable(city: CityContext, username: str) -> None:
    """Stop a user from signing in."""
    with city.transaction() as session:
        service.disable_user(session, username, actor=actor(), now=city.now())
    click.echo(f"Disabled {username}.")


@command.command()
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
@pass_city
def password(city: CityContext, username: str, password_stdin: bool) -> None:
    """Give a user a new password (ends their open sessions and lifts their sign-in waits)."""
    new_password = _password(password_stdin)
    with city.transaction() as session:
        service.set_password(session, username, new_password, actor=actor(), now=city.now())
    click.echo(f"New password set for {username}.")


@command.command()
@click.argument("username")
@click.argument("new_role", metavar="ROLE", type=click.Choice(ROLES))
@acting_user("as_admin", help="The administrator asking (by username).")
@pass_city
def role(city: CityContext, username: str, new_role: str, as_admin: str) -> None:
    """Ask for a user's role to change: it waits for a second person."""
    with city.transaction() as session:
        change = two_person.ask_role_change(session, username, new_role, actor=as_admin, now=city.now())
        if change is None:
            click.echo(f"{username} is already {new_role}.")
        else:
            _asked(session, change)


@command.command()
@pass_city
def changes(city: CityContext) -> None:
    """List the changes waiting for a second person, and who may approve each."""
    with city.session() as session:
        waiting = two_person.waiting(session)
        if not waiting:
            click.echo("Nothing is waiting for a second person.")
        for change in waiting:
            click.echo(f"{change.id:>4}  {two_person.describe(change)}  (asked by {change.requested_by}) "
                       f"{two_person.who_can_approve(session, change)}")


@command.command()
@click.argument("change_id", type=RECORD_ID)
@acting_user("as_user", help="The administrator or second approver deciding (by username).")
@pass_city
def approve(city: CityContext, change_id: int, as_user: str) -> None:
    """Approve a waiting change as a second person: it applies now."""
    with city.transaction() as session:
        change = two_person.approve(session, change_id, actor=as_user, now=city.now())
    click.echo(f"Approved and applied: {two_person.describe(change)}.")


@command.command()
@click.argument("change_id", type=RECORD_ID)
@acting_user("as_user", help="The administrator or second approver deciding (by username).")
@pass_city
def refuse(city: CityContext, change_id: int, as_user: str) -> None:
    """Refuse a waiting change (the one who asked withdraws it); nothing is applied."""
    with city.transaction() as session:
        change = two_person.refuse(session, change_id, actor=as_user, now=city.now())
    click.echo(f"{change.status.capitalize()}: {two_person.describe(change)}.")
