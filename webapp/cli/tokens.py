"""`ordinance tokens add|list|revoke`: bearer tokens of the JSON API for other systems."""
from __future__ import annotations

import click

from engine import api_tokens as service
from webapp.cli.context import actor, fail, now, open_database, require_schema


@click.group("tokens")
def command() -> None:
    """Tokens other systems (payment portal, phone vendor, title companies) call the JSON API with."""


@command.command()
@click.argument("name")
@click.option("--scopes", required=True,
              help=f"Comma-separated, among: {', '.join(service.SCOPES)}.")
def add(name: str, scopes: str) -> None:
    """Add a token and print it once: only its SHA-256 is kept, so it cannot be shown again."""
    db = open_database()
    require_schema(db)
    try:
        with db.transaction() as session:
            row, token = service.add_token(session, name=name, scopes=scopes.split(","), actor=actor(), now=now())
            granted = ", ".join(row.scopes)
    except service.TokenError as error:
        fail(str(error))
    click.echo(f"Added token {name.strip().lower()} ({granted}). Copy it now: it is shown only this once.", err=True)
    click.echo(token)


@command.command("list")
def list_() -> None:
    """List every token: name, scopes, status, who added it and when, when it was last used."""
    db = open_database()
    require_schema(db)
    with db.sessions() as session:
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
def revoke(name: str) -> None:
    """Revoke a token: every call made with it is refused from now on."""
    db = open_database()
    require_schema(db)
    try:
        with db.transaction() as session:
            service.revoke_token(session, name, actor=actor(), now=now())
    except service.TokenError as error:
        fail(str(error))
    click.echo(f"Revoked {name.strip().lower()}.")
