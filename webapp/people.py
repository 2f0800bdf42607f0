"""Who did something, as staff read it: a person by name, a night's sweep, a billing run, a file, another system.

Rows keep who acted as the system writes it (engine.audit's `actor`): a username, `sweep:` and
the sweep, `billing:` and the cycle and month, `import:` and the file, `api:` and a token's
name, `cli:` and the system user, `demo` for the sample city's history. Pages show it through
the `who` filter: one place turns it into words. The staff's names are read once a request.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping

from flask import g
from sqlalchemy import select

from engine.rules.months import period_words
from engine.store.models import User
from webapp.catalog import sweep_in_words
from webapp.extensions import database

FIXED = {"demo": "the sample city's history", "sign-in": "sign-in", "meter-reads rules": "the meter-read rules",
         "sweep:preview": "the impact preview"}  # engine.workflow.preview


def in_words(actor: str | None, names: Mapping[str, str], sweep_words: Callable[[str], str]) -> str:
    """An actor in words, given the staff's full names by username and what a sweep's signature says by its id
    (webapp.catalog.sweep_in_words)."""
    if not actor:
        return ""
    if actor in names:
        return names[actor]
    if actor in FIXED or actor.startswith("demo:"):
        return FIXED.get(actor, FIXED["demo"])
    kind, _, rest = actor.partition(":")
    if kind == "sweep" and rest:
        return sweep_words(rest)
    if kind == "billing" and rest:
        cycle, period = (rest[:-8], rest[-7:]) if len(rest) > 8 and rest[-8] == "-" else (rest, "")
        return f"the billing run of cycle {cycle}, {period_words(period)}" if period else f"the billing run {rest}"
    if kind == "import" and rest.startswith("api:"):
        return f"another system, with the API token {rest[4:]}"
    if kind == "api" and rest:
        return f"another system, with the API token {rest}"
    if kind == "import" and rest:
        return f"the import of {rest}"
    if kind == "cli":
        person = names.get(rest)
        return f"{person} at the command line" if person else (
            f"the command line, as the system user {rest}" if rest else "the command line")
    return actor


def staff_names() -> dict[str, str]:
    """Every user's full name by username, read once a request."""
    if "staff_names" not in g:
        g.staff_names = dict(database.session.execute(select(User.username, User.full_name)).all())
    return g.staff_names


def who(actor: str | None) -> str:
    """The `who` filter: an actor in words on a page."""
    return in_words(actor, staff_names(), sweep_in_words)
