"""Service pages: thin views over engine.accounts.service_start, service_stop and service_transfer.

Each is a form, then a confirmation page showing every amount (nothing written yet), then
the posting; the posting is refused when an amount changed since the confirmation.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from engine.accounts.meters import MeterError, NewMeter, exchange_meter, meter_serving, meters_on_property
from engine.accounts.service_start import NewCustomer, StartError, StartRequest, plan_start, start_service
from engine.accounts.service_stop import StopError, StopRequest, plan_stop, stop_service
from engine.accounts.service_transfer import plan_transfer, transfer_service
from engine.money.billing import rate_classes
from engine.rules.tagged import SERVICE_DEPOSIT, NoDocumentTagged, the_document_tagged
from engine.numerals import is_digits
from engine.store.models import Property, UtilityAccount
from engine.workflow.move_out_refunds import MoveOutRefunds
from webapp import clock
from webapp.auth import STAFF, role_required
from webapp.catalog import catalog, rules
from webapp.extensions import database
from webapp.fields import option
from webapp.formatting import money
from webapp.pages import not_found
from webapp.search.finder import properties
from webapp.service import bp
from webapp.service.forms import ExchangeForm, FindPropertyForm, StartForm, StopForm, TransferForm
from webapp.languages import with_choices

FIGURES = ("bill", "deposit", "balance", "transfer", "refund")


def _account(number: str) -> UtilityAccount:
    """The account with this number, or a 404 page that says so."""
    account = database.session.scalar(select(UtilityAccount).where(UtilityAccount.number == number))
    if account is None:
        not_found(f"There is no utility account numbered {number}. Check the number, or search by name or address.")
    return account


def _property(parcel: str) -> Property:
    """The property with this parcel number, or a 404 page that says so."""
    found = database.session.scalar(select(Property).where(Property.parcel == parcel))
    if found is None:
        not_found(f"There is no property with parcel number {parcel}.")
    return found


def _problem(error: Exception) -> str:
    """An engine refusal as a sentence."""
    text = str(error)
    return f"{text[:1].upper()}{text[1:]}."


# --- stop ---------------------------------------------------------------------------------------


def _stop_choices(form: StopForm, account: UtilityAccount) -> StopForm:
    """The customer's other active accounts, for a transfer."""
    others = database.session.scalars(select(UtilityAccount).where(
        UtilityAccount.customer_id == account.customer_id, UtilityAccount.id != account.id,
        UtilityAccount.status == "active").order_by(UtilityAccount.number)).all()
    form.transfer_to.choices = [option("", "No other account")] + [
        option(other.number, f"{other.number}, {other.property.service_address}") for other in others]
    return form


def _stop_request(form: StopForm, account: UtilityAccount) -> StopRequest:
    """The engine's request from a valid stop form."""
    return StopRequest(account.id, move_out_on=form.move_out_on.data, final_reading=form.final_reading.data,
                       billed_on=clock.today(), settle_by=form.settle_by.data, transfer_to=form.transfer_to.data or "")


def _seen(text: str | None) -> dict[str, int] | None:
    """The figures a confirmation carried (bill=6570;deposit=18500;...), or None when absent or altered."""
    try:
        pairs = dict(part.split("=", 1) for part in (text or "").split(";"))
        return {name: int(pairs[name]) for name in FIGURES}
    except (ValueError, KeyError):
        return None


def _stop_page(form: StopForm, account: UtilityAccount, status: int = 200, problems: list[str] | None = None):
    """The stop form, with any problems."""
    return render_template("service/stop.html", form=form, account=account, problems=problems or [],
                           today=clock.today()), status


@bp.route("/stop/<number>")
@role_required(*STAFF)
def stop(number: str):
    """Stop service: the move-out day, the final reading, and where a balance goes."""
    account = _account(number)
    form = _stop_choices(StopForm(move_out_on=clock.today()), account)
    return _stop_page(form, account)


@bp.route("/stop/<number>/review", methods=["POST"])
@role_required(*STAFF)
def review_stop(number: str):
    """The final bill's lines, the deposit applied and the refund or transfer, before anything is posted."""
    account = _account(number)
    form = _stop_choices(StopForm(), account)
    if form.edit.data or not form.validate_on_submit():
        return _stop_page(form, account, 200 if form.edit.data else 400)
    try:
        plan = plan_stop(database.session, rules(), _stop_request(form, account), now=clock.now(),
                         actor=current_user.username)
    except StopError as error:
        database.session.rollback()
        return _stop_page(form, account, 400, [_problem(error)])
    form.seen.data = ";".join(f"{name}={cents}" for name, cents in plan.figures().items())
    return render_template("service/stop_review.html", form=form, account=account, plan=plan)


@bp.route("/stop/<number>", methods=["POST"])
@role_required(*STAFF)
def post_stop(number: str):
    """Post the final bill, close the account, apply the deposit, open the refund or move the balance."""
    account = _account(number)
    form = _stop_choices(StopForm(), account)
    if not form.validate_on_submit():
        return _stop_page(form, account, 400)
    seen = _seen(form.seen.data)
    if seen is None:
        return _stop_page(form, account, 400, ["Review the final bill before posting it."])
    try:
        done = stop_service(database.session, rules(), _stop_request(form, account), refunds=MoveOutRefunds(catalog()),
                            now=clock.now(), actor=current_user.username, seen=seen)
    except StopError as error:
        database.session.rollback()
        return _stop_page(form, account, 400, [f"Service not stopped: {_problem(error)}"])
    database.session.commit()
    plan = done.plan
    settled = (f" A refund of {money(plan.refund_cents)} was requested (case {done.refund_case_id})."
               if done.refund_case_id else
               f" {money(plan.transfer_cents)} moved to account {plan.transfer_account}." if plan.transfer_cents else
               f" {money(plan.owed_cents)} is still owed." if plan.owed_cents else "")
    flash(f"Service stopped at {plan.service_address}: final bill {money(plan.bill_cents)}, deposit applied "
          f"{money(plan.deposit_cents)}.{settled}", "success")
    return redirect(url_for("accounts.show", number=account.number))


# --- start --------------------------------------------------------------------------------------


@bp.route("/start")
@role_required(*STAFF)
def find_property():
    """Start service: find the property by its parcel number or service address."""
    form = FindPropertyForm(request.args)
    found = []
    if request.args and form.validate():
        found = properties(database.session, form.where.data)
        if len(found) == 1:
            return redirect(url_for("service.start", parcel=found[0].parcel))
    return render_template("service/find.html", form=form, found=found, searched=bool(request.args))


def _meter_sizes() -> list[str]:
    """The meter sizes the deposit schedule knows (every size the city bills; none without one: starting service
    then says the schedule is missing)."""
    try:
        document = the_document_tagged(rules(), SERVICE_DEPOSIT)
    except NoDocumentTagged:
        return []
    spec = document.inputs.get("meter_size")
    return list(spec.values or []) if spec is not None else []


def _start_choices(form, prop: Property):
    """The meters on the property that serve no one now, a new meter; the rate classes; the sizes."""
    meters = [m for m in meters_on_property(database.session, prop.id)
              if m.account is None or m.account.status != "active"]
    form.meter.choices = [option(str(m.id), f"{m.number}, {m.size}, {m.location or 'location not noted'}")
                          for m in meters] + [option("new", "A new meter (give its number and size below)")]
    form.rate_class.choices = [option(name, name.capitalize()) for name in rate_classes(rules(), clock.today())]
    with_choices(form.language)
    if hasattr(form, "new_meter_size"):
        form.new_meter_size.choices = [option(size, size) for size in _meter_sizes()]
    return form


def _customer(form) -> tuple[int | None, NewCustomer | None]:
    """An existing customer (by one of their account numbers) or a new one from the form's fields."""
    number = (form.customer_account.data or "").strip()
    if number:
        account = database.session.scalar(select(UtilityAccount).where(UtilityAccount.number == number))
        if account is None:
            raise StartError(f"customer: there is no account numbered {number}")
        return account.customer_id, None
    return None, NewCustomer(name=form.name.data or "", mailing_street=form.mailing_street.data or "",
                             mailing_city=form.mailing_city.data or "", mailing_state=form.mailing_state.data or "",
                             mailing_zip=form.mailing_zip.data or "", mailing_unit=form.mailing_unit.data or "",
                             phone=form.phone.data or "", email=form.email.data or "",
                             language=form.language.data or "en")


def _start_request(form: StartForm, prop: Property) -> StartRequest:
    """The engine's request from a valid start form."""
    customer_id, new_customer = _customer(form)
    meter_id = new_meter = None
    if form.meter.data == "new":
        new_meter = NewMeter(number=(form.new_meter_number.data or "").strip(), size=form.new_meter_size.data or "",
                             dials=form.new_meter_dials.data or 4, location=form.new_meter_location.data or "",
                             route=form.new_meter_route.data or "")
    elif is_digits(form.meter.data):
        meter_id = int(form.meter.data)
    return StartRequest(property_id=prop.id, start_on=form.start_on.data, start_reading=form.start_reading.data,
                        rate_class=form.rate_class.data or "",
                        services=("water", "sewer") if form.sewer.data else ("water",), customer_id=customer_id,
                        new_customer=new_customer, meter_id=meter_id, new_meter=new_meter,
                        take_deposit=bool(form.take_deposit.data), today=clock.today())


def _start_page(form: StartForm, prop: Property, status: int = 200, problems: list[str] | None = None):
    """The start form, with any problems."""
    return render_template("service/start.html", form=form, prop=prop, problems=problems or []), status


def _money_seen(text: str | None) -> Decimal | None:
    """The deposit a confirmation showed, or None."""
    try:
        return Decimal(text) if text else None
    except InvalidOperation:
        return None


@bp.route("/start/<parcel>")
@role_required(*STAFF)
def start(parcel: str):
    """Start service at a property: the customer, the meter, the rate class, the day and reading, the deposit."""
    prop = _property(parcel)
    return _start_page(_start_choices(StartForm(start_on=clock.today()), prop), prop)


@bp.route("/start/<parcel>/review", methods=["POST"])
@role_required(*STAFF)
def review_start(parcel: str):
    """The new account, its meter and the deposit the rule asks (with the rule's explanation), nothing written."""
    prop = _property(parcel)
    form = _start_choices(StartForm(), prop)
    if form.edit.data or not form.validate_on_submit():
        return _start_page(form, prop, 200 if form.edit.data else 400)
    try:
        plan = plan_start(database.session, rules(), _start_request(form, prop))
    except StartError as error:
        database.session.rollback()
        return _start_page(form, prop, 400, [_problem(error)])
    form.seen_deposit.data = str(plan.deposit)
    return render_template("service/start_review.html", form=form, prop=prop, plan=plan)


@bp.route("/start/<parcel>", methods=["POST"])
@role_required(*STAFF)
def post_start(parcel: str):
    """Start service as reviewed: customer, meter, account, start read and deposit."""
    prop = _property(parcel)
    form = _start_choices(StartForm(), prop)
    if not form.validate_on_submit():
        return _start_page(form, prop, 400)
    seen = _money_seen(form.seen_deposit.data)
    if seen is None:
        return _start_page(form, prop, 400, ["Review the start of service before posting it."])
    try:
        started = start_service(database.session, rules(), _start_request(form, prop), now=clock.now(),
                                actor=current_user.username, seen_deposit=seen)
    except StartError as error:
        database.session.rollback()
        return _start_page(form, prop, 400, [f"Service not started: {_problem(error)}"])
    database.session.commit()
    deposit = f" Deposit held: {money(started.deposit_cents)}." if started.deposit_cents else " No deposit taken."
    flash(f"Service started at {prop.service_address}: account {started.account.number} on meter "
          f"{started.meter.number}.{deposit}", "success")
    return redirect(url_for("accounts.show", number=started.account.number))


# --- transfer -----------------------------------------------------------------------------------


def _transfer_requests(form: TransferForm, account: UtilityAccount) -> tuple[StopRequest, StartRequest]:
    """The stop of the one leaving and the start of the one arriving (property, meter and day from the stop)."""
    customer_id, new_customer = _customer(form)
    return (_stop_request(form, account),
            StartRequest(property_id=account.property_id, start_on=form.move_out_on.data, start_reading=0,
                         rate_class=form.rate_class.data or "",
                         services=("water", "sewer") if form.sewer.data else ("water",), customer_id=customer_id,
                         new_customer=new_customer, take_deposit=bool(form.take_deposit.data), today=clock.today()))


def _transfer_page(form: TransferForm, account: UtilityAccount, status: int = 200,
                   problems: list[str] | None = None):
    """The transfer form, with any problems."""
    return render_template("service/transfer.html", form=form, account=account, problems=problems or []), status


def _transfer_form(account: UtilityAccount, **defaults) -> TransferForm:
    """The transfer form with its choices."""
    form = _stop_choices(TransferForm(**defaults), account)
    form.rate_class.choices = [option(name, name.capitalize()) for name in rate_classes(rules(), clock.today())]
    with_choices(form.language)
    return form


@bp.route("/transfer/<number>")
@role_required(*STAFF)
def transfer(number: str):
    """Transfer service at the account's address: the one leaving, the one arriving the next day."""
    account = _account(number)
    return _transfer_page(_transfer_form(account, move_out_on=clock.today(), rate_class=account.rate_class),
                          account)


@bp.route("/transfer/<number>/review", methods=["POST"])
@role_required(*STAFF)
def review_transfer(number: str):
    """The final bill of the one leaving and the new account and deposit of the one arriving, before posting."""
    account = _account(number)
    form = _transfer_form(account)
    if form.edit.data or not form.validate_on_submit():
        return _transfer_page(form, account, 200 if form.edit.data else 400)
    try:
        stop_request, start_request = _transfer_requests(form, account)
        plan = plan_transfer(database.session, rules(), stop_request, start_request, now=clock.now(),
                             actor=current_user.username)
    except (StopError, StartError) as error:
        database.session.rollback()
        return _transfer_page(form, account, 400, [_problem(error)])
    form.seen.data = ";".join(f"{name}={cents}" for name, cents in plan.stop.figures().items())
    form.seen_deposit.data = str(plan.start.deposit)
    return render_template("service/transfer_review.html", form=form, account=account, plan=plan)


@bp.route("/transfer/<number>", methods=["POST"])
@role_required(*STAFF)
def post_transfer(number: str):
    """Post the transfer: the final bill and stop for the one, the new account and deposit for the other."""
    account = _account(number)
    form = _transfer_form(account)
    if not form.validate_on_submit():
        return _transfer_page(form, account, 400)
    seen, seen_deposit = _seen(form.seen.data), _money_seen(form.seen_deposit.data)
    if seen is None or seen_deposit is None:
        return _transfer_page(form, account, 400, ["Review the transfer before posting it."])
    try:
        stop_request, start_request = _transfer_requests(form, account)
        stopped, started = transfer_service(database.session, rules(), stop_request, start_request,
                                            refunds=MoveOutRefunds(catalog()), now=clock.now(),
                                            actor=current_user.username, seen=seen, seen_deposit=seen_deposit)
    except (StopError, StartError) as error:
        database.session.rollback()
        return _transfer_page(form, account, 400, [f"Service not transferred: {_problem(error)}"])
    database.session.commit()
    flash(f"Service transferred at {stopped.plan.service_address}: final bill {money(stopped.plan.bill_cents)} "
          f"on account {account.number}; new account {started.account.number}"
          f"{f', deposit held {money(started.deposit_cents)}' if started.deposit_cents else ''}.", "success")
    return redirect(url_for("accounts.show", number=started.account.number))


# --- meter exchange -----------------------------------------------------------------------------


def _exchange_page(form: ExchangeForm, account: UtilityAccount, status: int = 200,
                   problems: list[str] | None = None):
    """The meter exchange form, with the meter in service now and any problems."""
    form.new_meter_size.choices = [option(size, size) for size in _meter_sizes()]
    return render_template("service/exchange.html", form=form, account=account, problems=problems or [],
                           meter=meter_serving(database.session, account.id)), status


@bp.route("/meter/<number>")
@role_required(*STAFF)
def exchange(number: str):
    """Exchange the account's meter: the old one's final read, the new one's number, size and first register."""
    account = _account(number)
    return _exchange_page(ExchangeForm(exchanged_on=clock.today(), new_meter_size=account.meter_size), account)


@bp.route("/meter/<number>", methods=["POST"])
@role_required(*STAFF)
def post_exchange(number: str):
    """Record the exchange; the cycle's bill then charges both meters' use."""
    account = _account(number)
    form = ExchangeForm()
    form.new_meter_size.choices = [option(size, size) for size in _meter_sizes()]
    if not form.validate_on_submit():
        return _exchange_page(form, account, 400)
    try:
        done = exchange_meter(database.session, account.id, on=form.exchanged_on.data,
                              old_final_reading=form.old_final_reading.data,
                              new_meter=NewMeter(form.new_meter_number.data.strip(), form.new_meter_size.data,
                                                 form.new_meter_dials.data, form.new_meter_location.data or "",
                                                 form.new_meter_route.data or ""),
                              new_first_reading=form.new_first_reading.data, now=clock.now(),
                              actor=current_user.username)
    except MeterError as error:
        database.session.rollback()
        return _exchange_page(form, account, 400, [f"Meter not exchanged: {_problem(error)}"])
    database.session.commit()
    flash(f"Meter {done.old_meter.number} (final reading {done.old_final_reading}) replaced by "
          f"{done.new_meter.number} (first reading {done.new_first_reading}); the next bill charges both.", "success")
    return redirect(url_for("accounts.show", number=account.number))
