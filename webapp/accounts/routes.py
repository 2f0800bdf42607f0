"""Account pages: thin views over the account lookups and the engine's payments and cases."""
from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from engine.notices import NoticeDataError, PdfRenderError
from engine.notices.kept import KeptCopyError
from engine.accounts import assistance, customer_record
from engine.accounts.notes import notes_of
from engine.accounts.returns import return_payment
from engine.money.bill_explanation import explain_bill
from engine.statements.batch import bill_of_account, statement_pdf
from engine.money.payments import RETURNABLE, PaymentError, return_refusal
from engine.store.models import User
from engine.rules.services import service_names
from engine.workflow.model import REFUND_REQUESTS
from engine.workflow import services
from engine.workflow.model import SERVICE_OFF
from engine.workflow.runtime import CaseError
from webapp import clock
from webapp.accounts import bp, lookup
from webapp.accounts.forms import RefundRequestForm, ReturnPaymentForm
from webapp.auth import STAFF, duty_required, role_required
from webapp.catalog import catalog, notice_templates, rules, state_label
from webapp.downloads import audited_download, printed_notice
from webapp.extensions import database
from webapp.languages import printable
from webapp.pages import not_found
from webapp.search.forms import FindForm


def _account(number: str):
    """The account with this number, or a 404 page that says so."""
    account = lookup.account_by_number(database.session, number)
    if account is None:
        not_found(f"There is no utility account numbered {number}. Check the number, or search by name or address.")
    return account


def _record(account) -> dict:
    """What the account page shows of the customer record: the address in force today, phones, notes, changes."""
    session, today = database.session, clock.today()
    later = [a for a in customer_record.mailing_history(session, account.customer) if a.in_force_from > today]
    return {"mail_to": customer_record.mailing_address_on(session, account.customer, today),
            "mail_later": later[-1] if later else None,  # the soonest address to come (a forwarding address)
            "phones": customer_record.phones_of(session, account.customer),
            "notes": notes_of(session, account.id)[:3],
            "occupants": customer_record.occupants_on(session, account.property_id, today),
            "assistance": assistance.names_on(session, account.customer_id, today),
            "changes": customer_record.record_history(session, account, rows=10)}


def _may_return() -> bool:
    """Whether the signed-in person may record a returned payment (the city's returned_payments duty roles)."""
    return return_refusal(database.session, database.session.get(User, current_user.id)) is None


@bp.route("/")
@role_required(*STAFF)
def index():
    """The accounts page: the search box; what is typed is looked up by the one search."""
    if request.args.get("q"):
        return redirect(url_for("search.index", q=request.args["q"]))
    return render_template("accounts/index.html", form=FindForm())


@bp.route("/<number>")
@role_required(*STAFF)
def show(number: str):
    """The account page: standing, bills and why, ledger, payments, deposits, cases, notices."""
    account = _account(number)
    page = lookup.account_page(database.session, account, clock.today())
    return render_template("accounts/show.html", page=page, today=clock.today(), returnable=RETURNABLE,
                           service_names=service_names(rules(), clock.today(), "en"),
                           usage=lookup.usage_of_account(database.session, account), explain=explain_bill,
                           return_form=ReturnPaymentForm(), refund_form=RefundRequestForm(), state_label=state_label,
                           may_return=_may_return(), **_record(account))


@bp.route("/<number>/usage.svg")
@role_required(*STAFF)
def usage_picture(number: str):
    """The account's water use, last 12 bills, as an SVG picture: the account page shows it beside its words.

    Drawn apart from the page, so the page comes at once and the picture as soon as it is drawn.
    Its address names the numbers it shows (`v`): a browser keeps it until a new bill changes them.
    """
    usage = lookup.usage_of_account(database.session, _account(number))
    if usage is None:
        not_found(f"Account {number} has no bills yet, so no water use to draw.")
    response = Response(str(usage.chart()), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, max-age=86400" if request.args.get("v") == usage.version \
        else "private, no-cache"
    return response


@bp.route("/<number>/payments/<int:payment_id>/return", methods=["POST"])
@duty_required("returned_payments")
def return_a_payment(number: str, payment_id: int):
    """Record a payment the bank returned: reversal, returned-payment fee, cash-only by rule (whom the city lets)."""
    account = _account(number)
    if lookup.payment_of_account(database.session, account, payment_id) is None:
        not_found(f"Account {number} has no payment {payment_id}.")
    refusal = return_refusal(database.session, database.session.get(User, current_user.id))
    if refusal:
        flash(f"Payment not returned: {refusal}.", "error")
        return redirect(url_for("accounts.show", number=number, _anchor="payments")), 403
    form = ReturnPaymentForm()
    if not form.validate_on_submit():
        flash("Payment not returned: " + " ".join(form.reason.errors or ["the form could not be read."]), "error")
        return redirect(url_for("accounts.show", number=number, _anchor="payments"))
    try:
        returned = return_payment(database.session, payment_id, reason=form.reason.data, on=clock.today(),
                                  actor=current_user.username, now=clock.now(), library=rules(),
                                  service_off=catalog().workflows.states_tagged_by_version(SERVICE_OFF))
    except PaymentError as error:
        database.session.rollback()
        flash(f"Payment not returned: {error}", "error")
        return redirect(url_for("accounts.show", number=number, _anchor="payments"))
    database.session.commit()
    flash(f"Payment {payment_id} returned." + (" A returned-payment fee was charged." if returned.fee else "")
          + (" The account is now cash-only." if returned.became_cash_only else ""), "success")
    return redirect(url_for("accounts.show", number=number, _anchor="payments"))


@bp.route("/<number>/refund", methods=["POST"])
@role_required(*STAFF)
def request_refund(number: str):
    """Open a refund case for part or all of the account's credit."""
    account = _account(number)
    form = RefundRequestForm()
    if not form.validate_on_submit():
        page = lookup.account_page(database.session, account, clock.today())
        return render_template("accounts/show.html", page=page, today=clock.today(), returnable=RETURNABLE,
                               service_names=service_names(rules(), clock.today(), "en"),
                               usage=lookup.usage_of_account(database.session, account), explain=explain_bill,
                               return_form=ReturnPaymentForm(), refund_form=form, state_label=state_label,
                               may_return=_may_return(), **_record(account)), 400
    try:
        refunds = catalog().workflows.the_one_tagged(REFUND_REQUESTS, on=clock.today())
        case = services.open_case(database.session, catalog(), refunds.id, account.id, actor=current_user.username,
                                  on=clock.today(), now=clock.now(),
                                  fields={"amount": str(form.amount.amount), "source": form.source.data})
    except (CaseError, LookupError) as error:
        database.session.rollback()
        flash(f"Refund not requested: {error}", "error")
        return redirect(url_for("accounts.show", number=number, _anchor="cases"))
    database.session.commit()
    flash(f"Refund requested: case {case.id}.", "success")
    return redirect(url_for("cases.show", case_id=case.id))


@bp.route("/<number>/notices/<int:notice_id>.pdf")
@role_required(*STAFF)
def notice_pdf(number: str, notice_id: int):
    """One notice of the account as a PDF: the copy kept when it was mailed or first printed."""
    account = _account(number)
    notice = lookup.notice_of_account(database.session, account, notice_id)
    if notice is None:
        not_found(f"Account {number} has no notice {notice_id}.")
    try:
        pdf = printed_notice(notice.id)
    except (NoticeDataError, PdfRenderError, KeptCopyError) as error:
        flash(f"The notice could not be printed: {error}", "error")
        return redirect(url_for("accounts.show", number=number, _anchor="notices"))
    return audited_download(pdf, f"{account.number}-{notice.notice_type}-{notice.id}.pdf", what="A notice of an account",
                            filters={"account": account.number, "notice": notice.id}, rows=1, mimetype="application/pdf")


@bp.route("/<number>/bills/<int:bill_id>/statement.pdf")
@role_required(*STAFF)
def statement_pdf_of_bill(number: str, bill_id: int):
    """A reprint of one bill's statement: the sheet that was mailed, rendered again from the stored bill; with
    ?language=en, a Spanish (or other) bill's English twin."""
    account = _account(number)
    language = request.args.get("language")
    if language is not None and language not in printable().printable:
        not_found(f"There is no {language!r} version of a bill; bills are printed in "
                  f"{', '.join(printable().codes)}.")
    bill = bill_of_account(database.session, account.id, bill_id=bill_id)
    if bill is None:
        not_found(f"Account {number} has no bill {bill_id}.")
    try:
        pdf = statement_pdf(database.session, rules(), bill.id, notice_templates(), language=language)
    except (NoticeDataError, PdfRenderError) as error:
        flash(f"The bill could not be printed: {error}", "error")
        return redirect(url_for("accounts.show", number=number, _anchor="bills"))
    return audited_download(pdf, f"{account.number}-bill-{bill.period}{'-' + language if language else ''}.pdf",
                            what="A bill's statement (reprint)", mimetype="application/pdf",
                            filters={"account": account.number, "period": bill.period, "language": language}, rows=1)
