"""Downloads of customers' data: the audit rows `download` (engine.audit.record_download), in words.

A row is taken by a member of staff on a page (their username), by another system through the API (`api:` and its
token's name, webapp.api.gate.api_actor) or on the command line (`cli:` and the system user,
webapp.cli.context.actor)."""
from __future__ import annotations

from collections.abc import Mapping

from flask import render_template
from sqlalchemy import select

from engine.audit import downloads_taken
from engine.store.models import User
from webapp.admin import bp
from webapp.auth import ADMINS, role_required
from webapp.catalog import sweep_in_words
from webapp.extensions import database
from webapp.formatting import dates, month_name, words
from webapp.languages import language_name
from webapp.people import in_words

SHOWN = 200  # the latest rows the page shows; `ordinance audit verify` walks them all


def taken_by(actor: str, names: Mapping[str, str]) -> str:
    """Who took a download, in words (webapp.people): a person's name with their username, another system by its API
    token, or the command line."""
    said = in_words(actor, names, sweep_in_words)
    return f"{said} ({actor})" if actor in names else said[:1].upper() + said[1:]


def filters_in_words(filters: Mapping[str, object]) -> str:
    """A download's filters as the page says them: "as of Mar 2, 2026; period Jan 2026; language Spanish"."""
    def value_in_words(key: str, value: object) -> str:
        if key == "period":
            return month_name(str(value))
        if key == "language":
            return language_name(str(value))
        return dates(value)
    return "; ".join(f"{words(key)} {value_in_words(key, value)}" for key, value in filters.items()
                     if value is not None)


@bp.route("/downloads")
@role_required(*ADMINS)
def downloads():
    """Who took which list of customers' names, phones, addresses or balances off the system, and when."""
    taken = downloads_taken(database.session, limit=SHOWN)
    names = dict(database.session.execute(select(User.username, User.full_name).where(
        User.username.in_({entry.actor for entry in taken}))).all())
    return render_template("admin/downloads.html", taken=taken, names=names, shown=SHOWN, taken_by=taken_by,
                           filters_in_words=filters_in_words)
