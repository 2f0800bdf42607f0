"""The dashboard, the health check and the browser's /favicon.ico."""
from __future__ import annotations

from flask import current_app, render_template
from sqlalchemy import text

from webapp import clock
from webapp.auth import STAFF, public, role_required
from webapp.extensions import database
from webapp.formatting import money
from webapp.main import bp
from webapp.main.pictures import aging_picture, collections_picture
from webapp.main.summary import office_summary


@bp.route("/")
@role_required(*STAFF)
def dashboard():
    """The day at a glance: the whole-city figures as last worked out, the day's payments, cases and sweeps live."""
    today = clock.today()
    summary = office_summary(database.session, today, clock.now())
    return render_template("main/dashboard.html", summary=summary, today=today, money=money,
                           aging=aging_picture(summary), collections=collections_picture(summary))


@bp.route("/health")
@public
def health():
    """'ok' when the app can reach its database (for load balancers and monitors)."""
    database.session.execute(text("SELECT 1"))
    return {"status": "ok"}


@bp.route("/favicon.ico")
@public
def favicon():
    """The city hall icon every page links (static/favicon.svg), for browsers that ask /favicon.ico all the same."""
    return current_app.send_static_file("favicon.svg")
