"""Counter pages: thin views over engine.money.receipts and engine.money.cash.

The counter works in its business day: today, or, once today has been closed, the first
open day after it (a payment taken then is dated today and booked on that day).
"""
from __future__ import annotations

from datetime import date

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from engine.audit_checkpoints import CheckpointWriter
from engine.money import cash
from engine.money.ledger import standing
from engine.city import get_city
from engine.money import receipts
from engine.money.cash import DENOMINATIONS
from engine.receipt_categories import categories_of
from engine.money.receipts import ReceiptError
from engine.notices import PdfRenderError
from engine.notices.receipt_pdf import receipt_pdf as render_receipt_pdf
from engine.notices.wkhtmltopdf import PAPERS
from engine.store.models import Receipt, User, receipt_number
from webapp import clock
from webapp.auth import STAFF, SUPERVISORS, duty_required, role_required
from webapp.catalog import notice_templates
from webapp.downloads import audited_download
from webapp.languages import printable
from webapp.extensions import database
from webapp.formatting import money
from webapp.pages import day_asked, not_found
from webapp.payments import bp, lookup
from webapp.payments.forms import (TENDER_NAMES, CloseDayForm, CountDrawerForm, DayForm, OpenDrawerForm, ReceiptForm,
                                   VoidReceiptForm)


def _me() -> User:
    """The signed-in person's user row (the engine's cash and payment services take it)."""
    return database.session.get(User, current_user.id)


def _counter_day() -> date:
    """The business day the counter works in (today, unless today is already closed)."""
    return cash.counter_day(database.session, clock.today())


def _receipt_page(form: ReceiptForm, status: int = 200, problems: list[str] | None = None):
    """The counter page around a receipt form (no form when my drawer takes nothing)."""
    day = _counter_day()
    drawer = lookup.my_drawer(database.session, current_user.id, day)
    taken = lookup.receipts_in(database.session, drawer.id, limit=20) if drawer else []
    return render_template("payments/index.html", form=form, drawer=drawer, taken=taken, today=day,
                           calendar_today=clock.today(), problems=problems or []), status


def _categories():
    """The city's miscellaneous revenue categories."""
    return categories_of(get_city(database.session).receipt_categories)


@bp.route("/")
@role_required(*STAFF)
def index():
    """Take a receipt at the counter: accounts, license fees, miscellaneous items; split tender."""
    form = ReceiptForm(key=ReceiptForm.new_key()).with_choices(_categories())
    if request.args.get("account"):
        form.lines[0].form.what.data, form.lines[0].form.number.data = "account", request.args["account"]
    if request.args.get("license"):
        form.lines[0].form.what.data, form.lines[0].form.number.data = "license", request.args["license"]
    return _receipt_page(form)


def _checked(form: ReceiptForm):
    """The receipt read against the books (nothing changes), or the problems to show."""
    if not form.validate_on_submit():
        return None, form.errors_in_words() or ["The form could not be read; try again."]
    lines, tenders = form.asked()
    try:
        return receipts.review(database.session, lines, tenders, on=clock.today()), []
    except ReceiptError as error:
        return None, [f"{str(error)[0].upper()}{str(error)[1:]}."]


@bp.route("/review", methods=["POST"])
@role_required(*STAFF)
def review_receipt():
    """Show who and what the receipt pays, the amounts due and past due, the total and the change, before posting."""
    form = ReceiptForm().with_choices(_categories())
    if form.edit.data:
        return _receipt_page(form)
    reviewed, problems = _checked(form)
    if reviewed is None:
        return _receipt_page(form, 400, problems)
    return render_template("payments/review.html", form=form, reviewed=reviewed, today=_counter_day(),
                           tender_names=TENDER_NAMES)


@bp.route("/", methods=["POST"])
@role_required(*STAFF)
def post_receipt():
    """Post the reviewed receipt into my open drawer; a bad one shows its messages and posts nothing."""
    form = ReceiptForm().with_choices(_categories())
    reviewed, problems = _checked(form)
    if reviewed is None:
        return _receipt_page(form, 400, problems)
    lines, tenders = form.asked()
    try:
        receipt = receipts.take_receipt(database.session, lines, tenders, clerk=_me(), on=clock.today(),
                                        now=clock.now(), payer=form.payer.data or "", language=form.language.data,
                                        idempotency_key=f"counter:{form.key.data}" if form.key.data else None)
    except ReceiptError as error:
        database.session.rollback()
        return _receipt_page(form, 400, [f"Receipt not posted: {error}."])
    database.session.commit()
    balances = [f"Account {line['reference']} balance now "
                f"{money(standing(database.session, account_id, clock.today()).balance_cents)}."
                for line, account_id in lookup.account_lines(database.session, receipt)]
    flash(" ".join([f"Receipt {receipt.number}: received {money(receipt.total_cents)}; change due "
                    f"{money(receipt.change_cents)}.", *balances]), "success")
    return redirect(url_for("payments.show_receipt", receipt_id=receipt.id))


def _receipt(receipt_id: int) -> Receipt:
    """The receipt, or a 404 page that says so."""
    receipt = database.session.get(Receipt, receipt_id)
    if receipt is None:
        not_found(f"There is no receipt {receipt_number(receipt_id)}.")
    return receipt


@bp.route("/receipts/<int:receipt_id>")
@role_required(*STAFF)
def show_receipt(receipt_id: int):
    """A receipt: what it paid, how, the change, its ledger entries and GL lines; print it; void it (supervisor)."""
    receipt = _receipt(receipt_id)
    return render_template("payments/receipt.html", receipt=receipt, void_form=VoidReceiptForm(),
                           taken_by=lookup.staff_name(database.session, receipt.actor),
                           voided_by=lookup.staff_name(database.session, receipt.voided_by),
                           entries=lookup.entries_of_receipt(database.session, receipt), tender_names=TENDER_NAMES,
                           voidable=receipt.status == "posted" and receipt.business_date == _counter_day())


@bp.route("/receipts/<int:receipt_id>.pdf")
@role_required(*STAFF)
def receipt_pdf(receipt_id: int):
    """The printed receipt: ?paper=receipt (80 mm) or letter, ?language= a language the templates print (default: the
    receipt's)."""
    receipt = _receipt(receipt_id)
    paper = request.args.get("paper", "receipt")
    language = request.args.get("language", receipt.language)
    if paper not in PAPERS or language not in printable().printable:
        not_found(f"A receipt prints on {' or '.join(PAPERS)} paper, in {' or '.join(printable().codes)}.")
    city = get_city(database.session)
    clerk = lookup.staff_name(database.session, receipt.actor)
    data = receipts.receipt_data(receipt, city={"name": city.name, "address": city.payment_address or "",
                                                "phone": city.phone or ""}, clerk=clerk, timezone=city.timezone)
    try:
        pdf = render_receipt_pdf(notice_templates(), data, language, paper)
    except PdfRenderError as error:
        return Response(f"The receipt could not be printed: {error}", status=503, mimetype="text/plain")
    return audited_download(pdf, f"{receipt.number}-{paper}-{language}.pdf", what="A counter receipt",
                            filters={"receipt": receipt.number, "paper": paper, "language": language}, rows=1,
                            mimetype="application/pdf", inline=True)


@bp.route("/receipts/<int:receipt_id>/void", methods=["POST"])
@role_required(*SUPERVISORS)
def void_receipt(receipt_id: int):
    """A supervisor voids a receipt the same day: every entry reversed."""
    receipt = _receipt(receipt_id)
    form = VoidReceiptForm()
    if not form.validate_on_submit():
        flash("Receipt not voided: " + " ".join(form.reason.errors or ["the form could not be read."]), "error")
        return redirect(url_for("payments.show_receipt", receipt_id=receipt.id))
    try:
        receipts.void_receipt(database.session, receipt.id, user=_me(), reason=form.reason.data, today=clock.today(),
                              now=clock.now())
    except ReceiptError as error:
        database.session.rollback()
        flash(f"Receipt not voided: {error}.", "error")
        return redirect(url_for("payments.show_receipt", receipt_id=receipt.id))
    database.session.commit()
    flash(f"Receipt {receipt.number} voided: {money(receipt.total_cents)} reversed.", "success")
    return redirect(url_for("payments.show_receipt", receipt_id=receipt.id))


def _day(*, download: bool = False):
    """The business day asked for (?date=), or today in the city (a download asked for no day: 400)."""
    form = DayForm(request.args)
    form.date.data = day_asked(form, form.date, download=download)
    return form, form.date.data


@bp.route("/drawer")
@role_required(*STAFF)
def drawer():
    """My drawer today (open it, count it), the day's balancing report, and for supervisors the day's close."""
    day_form, day = _day()
    session = database.session
    counter_day = _counter_day()
    mine = lookup.my_drawer(session, current_user.id, counter_day)
    return render_template("payments/drawer.html", mine=mine, day=day, day_form=day_form, denominations=DENOMINATIONS,
                           today=counter_day, calendar_today=clock.today(), open_form=OpenDrawerForm(),
                           count_form=CountDrawerForm(),
                           close_form=CloseDayForm(business_date=day.isoformat()),
                           drawers=lookup.drawers_of_day(session, day), lines=cash.balancing(session, day),
                           day_closed=cash.day_is_closed(session, day),
                           taken=lookup.receipts_in(session, mine.id) if mine else [])


@bp.route("/drawer/open", methods=["POST"])
@role_required(*STAFF)
def open_drawer():
    """Open my drawer for the counter's business day with its starting cash."""
    form = OpenDrawerForm()
    if not form.validate_on_submit():
        flash("Drawer not opened: " + " ".join(form.opening.errors), "error")
        return redirect(url_for("payments.drawer"))
    day = _counter_day()
    try:
        cash.open_drawer(database.session, clerk=_me(), business_date=day, opening=form.opening.amount,
                         now=clock.now())
    except cash.CashError as error:
        database.session.rollback()
        flash(f"Drawer not opened: {error}.", "error")
        return redirect(url_for("payments.drawer"))
    database.session.commit()
    flash(f"Your drawer is open for {day.isoformat()} with {money(form.opening.amount)}.", "success")
    return redirect(url_for("payments.drawer"))


@bp.route("/drawer/count", methods=["POST"])
@role_required(*STAFF)
def count_drawer():
    """Count my open drawer blind (bills and coins, each check, card slips, money orders); then see the variance."""
    form = CountDrawerForm()
    mine = cash.drawer_of(database.session, _me(), _counter_day())
    if mine is None:
        flash("You have no open drawer today to count.", "error")
        return redirect(url_for("payments.drawer"))
    if not form.validate_on_submit():
        flash("Drawer not counted. " + " ".join(form.errors_in_words()), "error")
        return redirect(url_for("payments.drawer"))
    try:
        cash.count_blind(database.session, mine.id, form.blind_count(), user=_me(), now=clock.now())
    except cash.CashError as error:
        database.session.rollback()
        flash(f"Drawer not counted: {error}.", "error")
        return redirect(url_for("payments.drawer"))
    database.session.commit()
    flash("Your drawer is counted and closed; what it should have held and the variance are in the balancing report "
          "below.", "success")
    return redirect(url_for("payments.drawer", _anchor="balancing"))


@bp.route("/day/close", methods=["POST"])
@duty_required("day_close")
def close_day():
    """Whom the city lets (its day_close duty) closes a business day once every drawer is counted."""
    form = CloseDayForm()
    try:
        day = date.fromisoformat(form.business_date.data or "")
    except ValueError:
        flash("The day to close could not be read.", "error")
        return redirect(url_for("payments.drawer"))
    if not form.validate_on_submit():
        flash("The day was not closed: the form could not be read.", "error")
        return redirect(url_for("payments.drawer", date=day.isoformat()))
    try:
        drawers = cash.close_day(database.session, day, user=_me(), now=clock.now(),
                                 checkpoint=CheckpointWriter(current_app.config["AUDIT_KEY"]))
    except cash.CashError as error:
        database.session.rollback()
        flash(f"The day was not closed: {error}.", "error")
        return redirect(url_for("payments.drawer", date=day.isoformat()))
    database.session.commit()
    flash(f"Business day {day.isoformat()} closed ({len(drawers)} drawer{'s' if len(drawers) != 1 else ''}).", "success")
    return redirect(url_for("payments.drawer", date=day.isoformat()))


def _day_csv(data: bytes, name: str, day: date) -> Response:
    """A day's CSV bytes as a download named for the day."""
    return Response(data, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}-{day.isoformat()}.csv"'})


@bp.route("/day/gl-export.csv")
@duty_required("gl_export")
def gl_export():
    """The day's general-ledger journal by fund and account code, as CSV (a closed day's as kept at its close).

    Taken as `ordinance reports gl-export --as` takes it (engine.money.cash.export_gl): the audit row
    `cash.gl_export` names the signed-in person and the SHA-256 of the bytes downloaded."""
    _, day = _day(download=True)
    try:
        data = cash.export_gl(database.session, day, user=_me(), now=clock.now())
    except cash.CashError as refused:
        database.session.rollback()
        abort(403, f"The GL export was not taken: {refused}.")
    database.session.commit()
    return _day_csv(data, "gl-export", day)


@bp.route("/day/counter-journal.csv")
@duty_required("gl_export")
def counter_journal():
    """The day's counter in GL lines by receipt number (each receipt's payments, fees and items; over/short), as CSV."""
    _, day = _day(download=True)
    return _day_csv(cash.counter_journal_csv(database.session, day), "counter-journal", day)
