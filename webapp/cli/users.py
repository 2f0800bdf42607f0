"""`ordinance users add|list|disable|password`: staff accounts from the command line."""
from __future__ import annotations

import sys

import click

from engine import users as service
from engine.store.models import ROLES
from webapp.cli.context import CityContext, actor, pass_city


@click.group("users")
def command() -> None:
    """Staff who sign in: clerks, supervisors, administrators."""


def _password(from_stdin: bool) -> str:
    """The password from stdin's first line, or asked for twice without echo."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@command.command()
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True, help="What the user may do.")
@click.option("--name", "full_name", required=True, help="The user's full name.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
@pass_city
def add(city: CityContext, username: str, role: str, full_name: str, password_stdin: bool) -> None:
    """Add a user (asks for the password twice unless --password-stdin)."""
    password = _password(password_stdin)
    with city.transaction() as session:
        user = service.add_user(session, username=username, full_name=full_name, role=role,
                                password=password, actor=actor(), now=city.now())
        click.echo(f"Added {user.username} ({user.role}): {user.full_name}")


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
