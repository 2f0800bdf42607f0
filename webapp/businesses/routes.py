"""Business pages: thin views over the business lookups and engine.workflow.services.open_case."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from engine.store.models import Business
from engine.workflow import services
from engine.workflow.model import LICENSE_APPLICATIONS
from engine.workflow.runtime import CaseError
from webapp import clock
from webapp.auth import STAFF, role_required
from webapp.businesses import bp, lookup
from webapp.businesses.forms import OpenCaseForm
from webapp.catalog import catalog, rules
from webapp.extensions import database
from webapp.pages import not_found, record_id
from webapp.search.forms import FindForm


@bp.route("/")
@role_required(*STAFF)
def index():
    """The businesses page: the search box; what is typed is looked up by the one search."""
    if request.args.get("q"):
        return redirect(url_for("search.index", q=request.args["q"]))
    return render_template("businesses/index.html", form=FindForm())


@bp.route("/<business_id>")
@role_required(*STAFF)
def show(business_id: str):
    """The business with its licenses: status, expiry, renewal status, cases."""
    number = record_id(business_id, "business")
    business = database.session.get(Business, number)
    if business is None:
        not_found(f"There is no business {number}.")
    lines = lookup.business_page(database.session, rules(), business, clock.today(),
                                 catalog().workflows.tagged(LICENSE_APPLICATIONS))
    return render_template("businesses/show.html", business=business, lines=lines, open_form=OpenCaseForm(),
                           today=clock.today())


@bp.route("/licenses/<number>")
@role_required(*STAFF)
def license(number: str):
    """A license's place on its business's page."""
    lic = lookup.license_by_number(database.session, number)
    if lic is None:
        not_found(f"There is no license numbered {number}.")
    return redirect(url_for("businesses.show", business_id=lic.business_id, _anchor=f"license-{lic.number}"))


@bp.route("/licenses/<number>/open-case", methods=["POST"])
@role_required(*STAFF)
def open_case(number: str):
    """Open a licensing case for a license application."""
    lic = lookup.license_by_number(database.session, number)
    if lic is None:
        not_found(f"There is no license numbered {number}.")
    if not OpenCaseForm().validate_on_submit():
        flash("No case opened: the form could not be read.", "error")
        return redirect(url_for("businesses.show", business_id=lic.business_id))
    try:
        applications = catalog().workflows.the_one_tagged(LICENSE_APPLICATIONS, on=clock.today())
        case = services.open_case(database.session, catalog(), applications.id, lic.id,
                                  actor=current_user.username, on=clock.today(), now=clock.now())
    except (CaseError, LookupError) as error:
        database.session.rollback()
        flash(f"No case opened: {error}", "error")
        return redirect(url_for("businesses.show", business_id=lic.business_id, _anchor=f"license-{lic.number}"))
    database.session.commit()
    flash(f"Licensing case {case.id} opened for license {lic.number}.", "success")
    return redirect(url_for("cases.show", case_id=case.id))
