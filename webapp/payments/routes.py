"""Counter pages: thin views over engine.money.payments and engine.money.cash.

The counter works in its business day: today, or, once today has been closed, the first
open day after it (a payment taken then is dated today and booked on that day).
"""
from __future__ import annotations

from datetime import date

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from engine.audit_checkpoints import CheckpointWriter
from engine.money import cash
from engine.money.ledger import standing
from engine.money.payments import PaymentError, post_counter_payment
from engine.store.models import User
from webapp import clock
from webapp.accounts.lookup import account_by_number
from webapp.auth import STAFF, SUPERVISORS, role_required
from webapp.extensions import database
from webapp.formatting import money
from webapp.payments import bp, lookup
from webapp.payments.forms import CloseDayForm, CountDrawerForm, DayForm, OpenDrawerForm, PaymentForm


def _me() -> User:
    """The signed-in person's user row (the engine's cash and payment services take it)."""
    return database.session.get(User, current_user.id)


def _counter_day() -> date:
    """The business day the counter works in (today, unless today is already closed)."""
    return cash.counter_day(database.session, clock.today())


def _payment_page(form: PaymentForm, status: int = 200):
    """The counter page around a payment form."""
    day = _counter_day()
    drawer = lookup.my_drawer(database.session, current_user.id, day)
    taken = lookup.payments_in(database.session, drawer.id, limit=20) if drawer else []
    return render_template("payments/index.html", form=form, drawer=drawer, taken=taken, today=day,
                           calendar_today=clock.today()), status


@bp.route("/")
@role_required(*STAFF)
def index():
    """Take a payment at the counter (account number, amount, tender)."""
    form = PaymentForm(account=request.args.get("account", ""), key=PaymentForm.new_key())
    return _payment_page(form)


@bp.route("/", methods=["POST"])
@role_required(*STAFF)
def post_payment():
    """Post the payment into my open drawer; a bad form shows its messages and posts nothing."""
    form = PaymentForm()
    account = account_by_number(database.session, (form.account.data or "").strip()) if form.account.data else None
    valid = form.validate_on_submit()
    if form.account.data and account is None:
        form.account.errors = [*form.account.errors, f"There is no account numbered {form.account.data.strip()}."]
        valid = False
    if not valid:
        return _payment_page(form, 400)
    try:
        payment = post_counter_payment(database.session, account_id=account.id, amount=form.amount.amount,
                                       tender=form.tender.data, clerk=_me(), on=clock.today(), now=clock.now(),
                                       check_number=form.check_number.data or "",
                                       idempotency_key=f"counter:{form.key.data}" if form.key.data else None)
    except PaymentError as error:
        database.session.rollback()
        flash(f"Payment not posted: {error}.", "error")
        return _payment_page(form, 400)
    database.session.commit()
    balance = standing(database.session, account.id, clock.today()).balance_cents
    flash(f"Received {money(payment.amount_cents)} {payment.tender} on account {account.number} "
          f"(payment {payment.id}). Balance now {money(balance)}.", "success")
    return redirect(url_for("accounts.show", number=account.number))


def _day():
    """The business day asked for (?date=), or today in the city."""
    form = DayForm(request.args)
    if not (form.validate() and form.date.data):
        form.date.data = clock.today()
    return form, form.date.data


@bp.route("/drawer")
@role_required(*STAFF)
def drawer():
    """My drawer today (open it, count it), the day's balancing report, and for supervisors the day's close."""
    day_form, day = _day()
    session = database.session
    counter_day = _counter_day()
    mine = lookup.my_drawer(session, current_user.id, counter_day)
    expected = cash.expected_by_tender(session, mine) if mine else {}
    return render_template("payments/drawer.html", mine=mine, expected=expected, day=day, day_form=day_form,
                           today=counter_day, calendar_today=clock.today(), open_form=OpenDrawerForm(),
                           count_form=CountDrawerForm(),
                           close_form=CloseDayForm(business_date=day.isoformat()),
                           drawers=lookup.drawers_of_day(session, day), lines=cash.balancing(session, day),
                           day_closed=cash.day_is_closed(session, day),
                           taken=lookup.payments_in(session, mine.id) if mine else [])


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
    """Count my open drawer by tender; it takes no more payments after this."""
    form = CountDrawerForm()
    mine = cash.drawer_of(database.session, _me(), _counter_day())
    if mine is None:
        flash("You have no open drawer today to count.", "error")
        return redirect(url_for("payments.drawer"))
    if not form.validate_on_submit():
        errors = [f"{form[name].label.text}: {' '.join(form[name].errors)}" for name in ("cash", "check", "card")
                  if form[name].errors]
        flash("Drawer not counted. " + " ".join(errors), "error")
        return redirect(url_for("payments.drawer"))
    try:
        cash.count_drawer(database.session, mine.id, {t: form[t].amount for t in ("cash", "check", "card")},
                          user=_me(), now=clock.now())
    except cash.CashError as error:
        database.session.rollback()
        flash(f"Drawer not counted: {error}.", "error")
        return redirect(url_for("payments.drawer"))
    database.session.commit()
    flash("Your drawer is counted and closed; its variance is in the balancing report below.", "success")
    return redirect(url_for("payments.drawer", _anchor="balancing"))


@bp.route("/day/close", methods=["POST"])
@role_required(*SUPERVISORS)
def close_day():
    """A supervisor closes a business day once every drawer is counted."""
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


@bp.route("/day/gl-export.csv")
@role_required(*SUPERVISORS)
def gl_export():
    """The day's general-ledger journal by fund and account code, as CSV (a closed day's as kept at its close)."""
    _, day = _day()
    return Response(cash.gl_export_csv(database.session, day), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="gl-export-{day.isoformat()}.csv"'})

