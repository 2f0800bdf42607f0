"""A new business's license application at the counter, and the public check of a certificate's code.

Thin views over engine.licenses.intake and engine.workflow.license_codes.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from engine.workflow import license_codes as certificates
from engine.accounts.customer_record import NewCustomer
from engine.licenses.intake import Application, IntakeError, categories, check, license_types, take_application
from engine.workflow.facts import license_type_name
from webapp import clock
from webapp.auth import STAFF, public, role_required
from webapp.businesses import bp
from webapp.businesses.forms import NewBusinessForm, VerifyForm
from webapp.catalog import catalog
from webapp.extensions import database
from webapp.fields import option
from webapp.languages import with_choices


def _form() -> NewBusinessForm:
    """The form with the categories the city's fee schedules know and the licenses its deadlines define."""
    form = NewBusinessForm()
    with_choices(form.owner_language)
    form.category.choices = [option(c, c.replace("_", " ").capitalize()) for c in categories(catalog(), clock.today())]
    form.license_type.choices = [option(t, name) for t, name in license_types(catalog(), clock.today())]
    return form


def _asked(form: NewBusinessForm) -> Application:
    """What the form says, as the intake reads it."""
    new_owner = None if form.owner_account.data else NewCustomer(
        name=form.owner_name.data or "", mailing_street=form.owner_street.data or "",
        mailing_city=form.owner_city.data or "", mailing_state=(form.owner_state.data or "").upper(),
        mailing_zip=form.owner_zip.data or "", phone=form.owner_phone.data or "", email=form.owner_email.data or "",
        language=form.owner_language.data or "en")
    return Application(business_name=form.business_name.data or "", address=form.address.data or "",
                       category=form.category.data or "", employees=form.employees.data or 0,
                       gross_receipts=form.gross_receipts.data or "", license_type=form.license_type.data or "",
                       owner_account=(form.owner_account.data or "").strip(), new_owner=new_owner)


@bp.route("/new", methods=["GET", "POST"])
@role_required(*STAFF)
def new():
    """The application form; then a review of what will be recorded; then the records and the case."""
    form = _form()
    if request.method == "GET" or form.edit.data:
        return render_template("businesses/new.html", form=form, problems=[])
    if not form.validate_on_submit():
        return render_template("businesses/new.html", form=form, problems=[]), 400
    asked = _asked(form)
    owner, problems = check(database.session, catalog(), asked, clock.today())
    if problems:
        return render_template("businesses/new.html", form=form, problems=problems), 400
    if not form.confirm.data:
        return render_template("businesses/review.html", form=form, asked=asked, owner=owner,
                               license_name=license_type_name(catalog().rules, asked.license_type))
    try:
        taken = take_application(database.session, catalog(), asked, on=clock.today(), now=clock.now(),
                                 actor=current_user.username)
    except IntakeError as refused:
        database.session.rollback()
        return render_template("businesses/new.html", form=form, problems=refused.problems), 400
    database.session.commit()
    flash(f"Application taken: license {taken.license.number} for {taken.business.name}; its case {taken.case.id} "
          "is open. Start the review, then assess the fee.", "success")
    return redirect(url_for("cases.show", case_id=taken.case.id))


@bp.route("/verify")
@public
def verify():
    """Anyone checks a certificate's code: the license it belongs to and whether it is in force today."""
    form = VerifyForm(request.args)
    answer = certificates.verify(database.session, form.code.data, clock.today()) if form.code.data else None
    return render_template("businesses/verify.html", form=form, answer=answer, today=clock.today())
