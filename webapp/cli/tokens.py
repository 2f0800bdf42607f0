"""`ordinance tokens add|list|revoke`: bearer tokens of the JSON API for other systems."""
from __future__ import annotations

import click

from engine import api_tokens as service
from webapp.cli.context import CityContext, actor, pass_city


@click.group("tokens")
def command() -> None:
    """Tokens other systems (payment portal, phone vendor, title companies) call the JSON API with."""


@command.command()
@click.argument("name")
@click.option("--scopes", required=True,
              help=f"Comma-separated, among: {', '.join(service.SCOPES)}.")
@pass_city
def add(city: CityContext, name: str, scopes: str) -> None:
    """Add a token and print it once: only its SHA-256 is kept, so it cannot be shown again."""
    with city.transaction() as session:
        row, token = service.add_token(session, name=name, scopes=scopes.split(","), actor=actor(), now=city.now())
        granted = ", ".join(row.scopes)
    click.echo(f"Added token {name.strip().lower()} ({granted}). Copy it now: it is shown only this once.", err=True)
    click.echo(token)


@command.command("list")
@pass_city
def list_(city: CityContext) -> None:
    """List every token: name, scopes, status, who added it and when, when it was last used."""
    with city.session() as session:
        rows = service.list_tokens(session)
    if not rows:
        click.echo("No API tokens yet: add one with `ordinance tokens add NAME --scopes accounts:read`.")
    for row in rows:
        status = f"revoked {row.revoked_at:%Y-%m-%d %H:%M} UTC" if row.revoked_at else "active"
        used = f"{row.last_used_at:%Y-%m-%d %H:%M} UTC" if row.last_used_at else "never"
        click.echo(f"{row.name:<24} {status:<28} added {row.created_at:%Y-%m-%d} by {row.created_by:<16} "
                   f"last used {used:<20} {','.join(row.scopes)}")


@command.command()
@click.argument("name")
@pass_city
def revoke(city: CityContext, name: str) -> None:
    """Revoke a token: every call made with it is refused from now on."""
    with city.transaction() as session:
        service.revoke_token(session, name, actor=actor(), now=city.now())
    click.echo(f"Revoked {name.strip().lower()}.")
