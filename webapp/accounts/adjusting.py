"""Adjust balance and rebill: guided pages from the account page, each confirming every amount before it posts.

Thin views: engine.accounts.adjustments checks and plans an adjustment, engine.workflow.adjustments
asks for it (posted at once within the person's limit, else a case waits for another person),
engine.money.rebill cancels a bill and bills it again. Nothing is posted until the person
presses the button on the confirmation, which carries what they typed and is checked again.
"""
from __future__ import annotations

import uuid

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from engine.accounts.adjustments import AdjustmentError, eligibility_refusal, plan, reasons, waivable_fees
from engine.money.ledger.balances import standings_on
from engine.money.rebill import RebillError, plan_rebill, rebill
from engine.numerals import is_digits
from engine.roles import role_labels
from engine.store.models import Bill
from engine.workflow.adjustments import request_adjustment, within_limit
from engine.workflow.model import SERVICE_OFF
from webapp import clock
from webapp.accounts import bp, lookup
from webapp.auth import STAFF, SUPERVISORS, role_required
from webapp.catalog import catalog, rules
from webapp.extensions import database
from webapp.fields import option
from webapp.form_words import PageForm
from webapp.formatting import day, money
from webapp.pages import not_found


class AdjustForm(PageForm):
    """What a clerk asks for: a reason, credit or debit, an amount (or the fee a waiver reverses), and a note."""

    code = SelectField("Reason", choices=[])
    direction = SelectField("Credit or debit", choices=[option("credit", "Credit: the customer owes less"),
                                                        option("debit", "Debit: the customer owes more")],
                           default="credit")
    amount = StringField("Amount", validators=[Length(max=20)])
    fee = SelectField("Fee to waive", choices=[])
    note = TextAreaField("Note", validators=[DataRequired(message="Say why the account is adjusted."),
                                             Length(max=1000)])
    step = HiddenField(default="review")
    key = HiddenField()  # one per confirmation shown: the same confirmation sent twice posts once
    review = SubmitField("Review the adjustment")
    post = SubmitField("Post the adjustment")


class RebillForm(PageForm):
    """A corrected reading and the reason the bill was wrong."""

    reading = StringField("Corrected meter reading (whole CCF)",
                          validators=[DataRequired(message="Enter the corrected reading."), Length(max=12)])
    reason = TextAreaField("Why the bill is rebilled", validators=[DataRequired(message="Say why."),
                                                                    Length(max=1000)])
    step = HiddenField(default="review")
    review = SubmitField("Review the rebill")
    post = SubmitField("Cancel the bill and rebill it")


def _account(number: str):
    """The account with this number, or a 404 page that says so."""
    account = lookup.account_by_number(database.session, number)
    if account is None:
        not_found(f"There is no utility account numbered {number}. Check the number, or search by name or address.")
    return account


def _adjust_form(account) -> AdjustForm:
    """The form with the city's reasons and the account's fees that a waiver may reverse."""
    form = AdjustForm()
    found = reasons(database.session)
    form.code.choices = [option(r.code, r.label) for r in found]
    fees = []
    for reason in found:
        if reason.is_waiver:
            fees += [(reason, fee) for fee in waivable_fees(database.session, account.id, reason.waives)]
    form.fee.choices = [option("", "(not a waiver)")] + [
        option(str(fee.id), f"{fee.description} of {day(fee.effective_on)}: {money(fee.amount_cents)}")
        for _, fee in fees]
    return form


def _page(account, form, *, planned=None, within=None, status=200):
    """The adjust page: the form, or the confirmation of what would be posted."""
    found = reasons(database.session)
    service_off = catalog().workflows.states_tagged_by_version(SERVICE_OFF)
    refusals = {} if planned is not None else {
        reason.code: eligibility_refusal(database.session, rules(), account.id, reason, clock.today(), service_off)
        for reason in found if reason.eligibility}
    return render_template("accounts/adjust.html", account=account, form=form, planned=planned, within=within,
                           standing=standings_on(database.session, clock.today(), [account.id])[account.id],
                           reasons=found, refusals=refusals, role_labels=role_labels(database.session),
                           today=clock.today()), status


@bp.route("/<number>/adjust", methods=["GET", "POST"])
@role_required(*STAFF)
def adjust(number: str):
    """Adjust balance: the form, then a confirmation with every amount, then post (or send for approval)."""
    account = _account(number)
    form = _adjust_form(account)
    if request.method == "GET":
        return _page(account, form)
    if not form.validate_on_submit():
        return _page(account, form, status=400)
    given = dict(code=form.code.data, note=form.note.data, amount=(form.amount.data or "").strip() or None,
                 direction=form.direction.data or "credit",
                 fee_entry_id=int(form.fee.data) if is_digits(form.fee.data) else None)
    try:
        planned = plan(database.session, rules(), account.id, on=clock.today(), **given,
                       service_off=catalog().workflows.states_tagged_by_version(SERVICE_OFF))
        within = within_limit(database.session, planned, current_user.username)
    except AdjustmentError as error:
        database.session.rollback()
        form.note.errors = list(form.note.errors) + [str(error)]
        return _page(account, form, status=400)
    if form.step.data != "post":
        form.step.data, form.key.data = "post", uuid.uuid4().hex
        return _page(account, form, planned=planned, within=within)
    try:
        done = request_adjustment(database.session, catalog(), account.id, actor=current_user.username,
                                  on=clock.today(), now=clock.now(), request_key=(form.key.data or "")[:64] or None,
                                  **given)
    except AdjustmentError as error:
        database.session.rollback()
        flash(f"Adjustment not posted: {error}", "error")
        return redirect(url_for("accounts.adjust", number=number))
    database.session.commit()
    if done.case is not None:
        flash(f"Adjustment {done.adjustment.id} is over your limit: case {done.case.id} waits for approval.",
              "success")
        return redirect(url_for("cases.show", case_id=done.case.id))
    flash(f"Adjustment {done.adjustment.id} posted.", "success")
    return redirect(url_for("accounts.show", number=number, _anchor="adjustments"))


def _bill(account, bill_id: int) -> Bill:
    """The account's bill, or a 404 page that says so."""
    bill = database.session.get(Bill, bill_id)
    if bill is None or bill.account_id != account.id:
        not_found(f"Account {account.number} has no bill {bill_id}.")
    return bill


@bp.route("/<number>/bills/<int:bill_id>/rebill", methods=["GET", "POST"])
@role_required(*SUPERVISORS)
def rebill_bill(number: str, bill_id: int):
    """Rebill: a corrected reading, then a confirmation of the old and new bill, then cancel and rebill."""
    account = _account(number)
    bill = _bill(account, bill_id)
    form = RebillForm()

    def page(planned=None, status=200):
        return render_template("accounts/rebill.html", account=account, bill=bill, form=form, planned=planned,
                               today=clock.today()), status
    if request.method == "GET":
        return page()
    if not form.validate_on_submit():
        return page(status=400)
    try:
        planned = plan_rebill(database.session, rules(), bill.id, reading=form.reading.data, reason=form.reason.data)
    except RebillError as error:
        database.session.rollback()
        form.reading.errors = list(form.reading.errors) + [str(error)]
        return page(status=400)
    if form.step.data != "post":
        form.step.data = "post"
        return page(planned)
    try:
        done = rebill(database.session, rules(), bill.id, reading=form.reading.data, reason=form.reason.data,
                      on=clock.today(), now=clock.now(), actor=current_user.username)
    except RebillError as error:
        database.session.rollback()
        flash(f"Bill not rebilled: {error}", "error")
        return redirect(url_for("accounts.rebill_bill", number=number, bill_id=bill_id))
    database.session.commit()
    flash(f"Bill {bill_id} cancelled and rebilled as bill {done.new_bill_id}.", "success")
    return redirect(url_for("accounts.show", number=number, _anchor="bills"))
