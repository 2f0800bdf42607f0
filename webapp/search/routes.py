"""The results page of the one search box."""
from __future__ import annotations

from flask import redirect, render_template, request, url_for

from webapp import clock
from webapp.accounts.lookup import standings_today
from webapp.auth import STAFF, role_required
from webapp.extensions import database
from webapp.search import bp, finder
from webapp.search.forms import FindForm


def page_of(found: finder.Found) -> str:
    """The address of a result's page: the account's or the business's."""
    if found.account is not None:
        return url_for("accounts.show", number=found.account.number)
    return url_for("businesses.show", business_id=found.business.id)


@bp.route("/")
@role_required(*STAFF)
def index():
    """Accounts and businesses by name, street, phone, e-mail, account, license or parcel number; one exact number opens."""
    form = FindForm(request.args)
    results = finder.find(database.session, form.q.data) if form.q.data and form.validate() else None
    if results is not None and results.straight_to is not None:
        return redirect(page_of(results.straight_to))
    accounts = [found.account for found in results.found if found.account] if results else []
    standings = standings_today(database.session, accounts, clock.today()) if accounts else {}
    return render_template("search/index.html", form=form, results=results, page_of=page_of, page=finder.PAGE,
                           standings=standings)
