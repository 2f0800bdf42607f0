"""Read review pages: thin views over engine.reads.review."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from engine.accounts.read_letters import accept_read
from engine.notices import NoticeDataError, NoticeRenderer, PdfRenderError
from engine.notices.kept import city_details
from engine.reads import review
from engine.store.models import MeterRead, UtilityAccount
from webapp import clock
from webapp.auth import STAFF, role_required
from webapp.catalog import notice_templates, rules
from webapp.downloads import audited_download
from webapp.extensions import database
from webapp.pages import not_found, record_id
from webapp.reads import bp
from webapp.reads.forms import DecisionForm, EstimateMissingForm, ShowForm

SHOWN = 500  # rows the review page shows; a cycle at a time narrows the rest
DONE = {"accept": "Accepted the read of {number}: it will be billed.",
        "reread": "Sent the read of {number} back to the field: it is on the reread list.",
        "estimate": "Estimated the read of {number}: {reason}"}


def _month_and_cycle(form) -> tuple[str, str | None]:
    """The month shown (this month when none is asked or it does not read) and the cycle (None: all)."""
    valid = form.validate()
    period = form.period.data if valid and form.period.data else clock.today().strftime("%Y-%m")
    cycle = (form.cycle.data or "").strip().upper() or None if valid else None
    form.period.data, form.cycle.data = period, cycle or ""
    return period, cycle


@bp.route("/review")
@role_required(*STAFF)
def review_page():
    """The month's reads waiting for a decision and its missing reads, each with its reason in words."""
    form = ShowForm(request.args)
    period, cycle = _month_and_cycle(form)
    found = review.exceptions(database.session, period, cycle)
    return render_template("reads/review.html", form=form, period=period, cycle=cycle, exceptions=found[:SHOWN],
                           count=len(found),
                           words=review.STATUS_WORDS, decision_form=DecisionForm(), missing_form=EstimateMissingForm(),
                           leak_letters=len(review.leak_letters_of(database.session, period)))


def _back(period: str | None, cycle: str | None):
    """Back to the review page of the month."""
    return redirect(url_for("reads.review_page", period=period or None, cycle=cycle or None))


def _refused(form):
    """Back to the review page with what was wrong with the form."""
    flash("; ".join(m for messages in form.errors.values() for m in messages), "error")
    return _back(form.period.data, form.cycle.data)


@bp.route("/<read_id>/decide", methods=["POST"])
@role_required(*STAFF)
def decide(read_id: str):
    """Accept a waiting read, send it to reread, or estimate it by the rule."""
    number = record_id(read_id, "meter read")
    form = DecisionForm()
    if not form.validate_on_submit():
        return _refused(form)
    read = database.session.get(MeterRead, number)
    if read is None:
        not_found(f"There is no meter read {number}.")
    account = read.account_id
    try:
        if form.decision.data == "accept":
            done, _ = accept_read(database.session, rules(), number, actor=current_user.username, now=clock.now(),
                                  today=clock.today())
        elif form.decision.data == "reread":
            done = review.send_to_reread(database.session, number, actor=current_user.username, now=clock.now())
        else:
            done = review.estimate(database.session, rules(), number, actor=current_user.username, now=clock.now())
    except review.ReadError as refused:
        database.session.rollback()
        flash(f"Not done: {refused}", "error")
    else:
        database.session.commit()
        name = database.session.get(UtilityAccount, account).number
        flash(DONE[form.decision.data].format(number=name, reason=done.review_reason or ""), "success")
    return _back(form.period.data, form.cycle.data)


@bp.route("/missing/<account_id>/estimate", methods=["POST"])
@role_required(*STAFF)
def estimate_missing(account_id: str):
    """Estimate the missing read of one account for the month, by the rule."""
    number = record_id(account_id, "account")
    form = EstimateMissingForm()
    if not form.validate_on_submit():
        return _refused(form)
    account = database.session.get(UtilityAccount, number)
    if account is None:
        not_found(f"There is no account {number}.")
    try:
        read = review.estimate_missing(database.session, rules(), number, form.period.data,
                                       actor=current_user.username, now=clock.now())
    except review.ReadError as refused:
        database.session.rollback()
        flash(f"Not done: {refused}", "error")
    else:
        database.session.commit()
        flash(f"Estimated the read of {account.number}: {read.review_reason}", "success")
    return _back(form.period.data, form.cycle.data)


@bp.route("/rereads")
@role_required(*STAFF)
def rereads():
    """The reads sent back to the field, by route (or cycle), to print and carry."""
    form = ShowForm(request.args)
    form.validate()
    period = form.period.data or None
    return render_template("reads/rereads.html", form=form, period=period,
                           groups=review.reread_list(database.session, period), printed=clock.now())


@bp.route("/leak-letters.pdf")
@role_required(*STAFF)
def leak_letters():
    """The month's leak letters, each in its customer's language, as one PDF to print and mail."""
    form = ShowForm(request.args)
    period, _ = _month_and_cycle(form)
    letters = review.leak_letters_of(database.session, period)
    if not letters:
        not_found(f"There are no leak letters for {period}.")
    try:
        renderer = NoticeRenderer(notice_templates(), city_details(database.session))
        pdf = renderer.render_batch([(n.notice_type, n.language, n.data) for n in letters])
    except (NoticeDataError, PdfRenderError) as error:
        flash(f"The leak letters could not be printed: {error}", "error")
        return _back(period, None)
    return audited_download(pdf, f"leak-letters-{period}.pdf", what="Leak letters", mimetype="application/pdf",
                            filters={"period": period}, rows=len(letters))
