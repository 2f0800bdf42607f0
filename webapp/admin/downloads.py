"""Downloads of customers' data: the audit rows `download` (webapp.downloads.audited_download), in words."""
from __future__ import annotations

from flask import render_template
from sqlalchemy import select

from engine.audit import downloads_taken
from engine.store.models import User
from webapp.admin import bp
from webapp.auth import ADMINS, role_required
from webapp.extensions import database

SHOWN = 200  # the latest rows the page shows; `ordinance audit verify` walks them all


@bp.route("/downloads")
@role_required(*ADMINS)
def downloads():
    """Who took which list of customers' names, phones, addresses or balances off the system, and when."""
    taken = downloads_taken(database.session, limit=SHOWN)
    names = dict(database.session.execute(select(User.username, User.full_name).where(
        User.username.in_({entry.actor for entry in taken}))).all())
    return render_template("admin/downloads.html", taken=taken, names=names, shown=SHOWN)
