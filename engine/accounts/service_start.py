"""Start service: a new or existing customer takes water at a property, on a meter, in a rate class.

`plan_start` checks a request and works out what starting would do without writing
anything (the confirmation page shows it: the account number, the meter, the deposit the
city's deposit schedule asks with its explanation); `start_service` does it: the customer (when
new), the meter (when new), the account, the start read that the first bill counts from, and
the deposit held. Each writes an audit row. A deposit held is the city's liability, not a
payment on the account (engine.money.deposits): it posts nothing to the ledger until it is
applied to the final bill or credited back. Services flush and never commit.

The start read closes the period before service: it is dated the day before service starts
(the first bill then covers the start day onward) and stored under the month before the start's
month, so the cycle's read of the start month is the first bill's.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from engine.accounts.customer_record import NewCustomer, add_customer, new_customer_problems
from engine.accounts.record_days import day_problem
from engine.city import offered
from engine.accounts.meters import MeterError, NewMeter, check_new_meter, install_meter
from engine.money.billing import BillingError, rate_classes
from engine.money.deposits import DepositError, deposit_due, take_deposit
from engine.money.amounts import money_text
from engine.numerals import is_digits
from engine.rules.months import first_of_month
from engine.store.meters import Meter
from engine.store.models import Customer, MeterRead, Property, UtilityAccount

START_READ_SOURCE = "service start"


class StartError(ValueError):
    """A start of service that is refused, with a message naming what and where."""


@dataclass(frozen=True)
class StartRequest:
    """What a clerk asks: who, where, which meter (one on the property, or a new one), how billed, from when."""

    property_id: int
    start_on: date
    start_reading: int
    rate_class: str
    services: tuple[str, ...]
    customer_id: int | None = None
    new_customer: NewCustomer | None = None
    meter_id: int | None = None
    new_meter: NewMeter | None = None
    cycle: str | None = None
    take_deposit: bool = True
    today: date | None = None  # the city's date it is asked on: the start is a day of the years a record holds


@dataclass(frozen=True)
class DepositLine:
    """One line of the deposit rule's result, as the confirmation shows it."""

    name: str
    amount: Decimal
    detail: str


@dataclass
class StartPlan:
    """What starting service will do, every figure worked out, nothing written."""

    request: StartRequest
    customer_name: str
    service_address: str
    account_number: str
    cycle: str
    meter_number: str
    meter_size: str
    deposit: Decimal = Decimal(0)
    deposit_lines: list[DepositLine] = field(default_factory=list)
    deposit_rule: str = ""
    deposit_version: str = ""
    deposit_reference: str = ""


@dataclass(frozen=True)
class Started:
    """What start_service wrote."""

    account: UtilityAccount
    meter: Meter
    deposit_id: int | None
    deposit_cents: int


def _customer_name(session: Session, request: StartRequest) -> str:
    """The customer's name, checking an existing one exists or a new one is complete."""
    if request.customer_id is not None:
        customer = session.get(Customer, request.customer_id)
        if customer is None:
            raise StartError(f"customer: there is no customer {request.customer_id}")
        return customer.name
    new = request.new_customer
    if new is None:
        raise StartError("customer: choose an existing customer or give a new one's name and mailing address")
    problems = new_customer_problems(new, offered(session))
    if problems:
        raise StartError(f"new customer: {problems[0]}")
    return new.name.strip()


def _meter(session: Session, request: StartRequest, prop: Property, replacing: int | None) -> tuple[str, str]:
    """(number, size) of the meter the account will be served by, checking it."""
    if request.meter_id is not None:
        meter = session.get(Meter, request.meter_id)
        if meter is None or meter.property_id != prop.id or meter.removed_on is not None:
            raise StartError(f"meter: meter {request.meter_id} is not in service at {prop.service_address}")
        if meter.account_id is not None:
            serving = session.get(UtilityAccount, meter.account_id)
            if serving is not None and serving.status == "active" and serving.id != replacing:
                raise StartError(f"meter: meter {meter.number} still serves account {serving.number}; "
                                 "stop that service first (or transfer it)")
        return meter.number, meter.size
    if request.new_meter is None:
        raise StartError("meter: choose a meter at the property or give a new meter's number and size")
    try:
        check_new_meter(session, request.new_meter)
    except MeterError as bad:
        raise StartError(f"new meter: {bad}") from None
    return request.new_meter.number, request.new_meter.size


def _cycle(session: Session, request: StartRequest, prop: Property) -> str:
    """The billing cycle: the one asked for, else the one the property was last billed in."""
    if request.cycle:
        return request.cycle
    found = session.scalar(select(UtilityAccount.cycle).where(UtilityAccount.property_id == prop.id)
                           .order_by(UtilityAccount.id.desc()).limit(1))
    if found is None:
        raise StartError(f"cycle: no account was ever billed at {prop.service_address}; choose its billing cycle")
    return found


def next_account_number(session: Session, prop: Property) -> str:
    """The property's next account number: its accounts' prefix, the next suffix as wide (000123-04); else id-01."""
    numbers = session.scalars(select(UtilityAccount.number).where(UtilityAccount.property_id == prop.id)).all()
    prefix, suffix, width = f"{prop.id:06d}", 0, 2
    for number in numbers:
        head, _, tail = number.rpartition("-")
        if head and is_digits(tail) and int(tail) >= suffix:
            prefix, suffix, width = head, int(tail), len(tail)
    while True:
        suffix += 1
        candidate = f"{prefix}-{suffix:0{width}d}"
        if session.scalar(select(UtilityAccount.id).where(UtilityAccount.number == candidate)) is None:
            return candidate


def plan_start(session: Session, library, request: StartRequest, *, replacing: int | None = None) -> StartPlan:
    """Check a start request and work out every figure it will write; a StartError says what is wrong.

    `replacing` is the account whose service stops as this one starts (a transfer): its meter may be taken.
    Asked on a day (`today`), the start is not before 1900 nor more than a year ahead (engine.accounts.record_days).
    """
    prop = session.get(Property, request.property_id)
    if prop is None:
        raise StartError(f"property: there is no property {request.property_id}")
    problem = day_problem(request.start_on, "service starts on", today=request.today) if request.today else None
    if problem:  # 9999-12-31 opened an account, and took its deposit, in a year no move-out could follow
        raise StartError(problem.rstrip("."))
    try:
        classes = rate_classes(library, request.start_on)
    except BillingError as missing:
        raise StartError(f"rate class: {missing}") from None
    if request.rate_class not in classes:
        raise StartError(f"rate class: {request.rate_class!r} is not one of {', '.join(classes)}")
    if "water" not in request.services:
        raise StartError("services: water service is what an account starts; sewer goes with it")
    if request.start_reading < 0:
        raise StartError(f"start reading: {request.start_reading} is not a whole number of CCF (0 or more)")
    name = _customer_name(session, request)
    meter_number, meter_size = _meter(session, request, prop, replacing)
    plan = StartPlan(request, name, prop.service_address, next_account_number(session, prop),
                     _cycle(session, request, prop), meter_number, meter_size)
    if request.take_deposit:
        try:
            result = deposit_due(library, meter_size, request.start_on)
        except DepositError as missing:
            raise StartError(f"deposit: {missing}") from None
        plan.deposit = result.total
        plan.deposit_lines = [DepositLine(line["name"], line["amount"], line.get("detail", ""))
                              for line in result.lines]
        plan.deposit_rule, plan.deposit_version = result.rule, result.version.isoformat()
        plan.deposit_reference = result.reference or ""
    return plan


def start_read_period(start_on: date) -> str:
    """The month a start read is stored under: the month before the start's (see the module's note)."""
    return first_of_month(start_on, -1).strftime("%Y-%m")


def start_service(session: Session, library, request: StartRequest, *, now: datetime, actor: str,
                  seen_deposit: Decimal | None = None, replacing: int | None = None) -> Started:
    """Start service as planned: customer, meter, account, start read, deposit; each audited.

    `seen_deposit` is the deposit the confirmation showed: if the rule now asks another amount,
    nothing is written and a StartError says so.
    """
    plan = plan_start(session, library, request, replacing=replacing)
    if seen_deposit is not None and plan.deposit != seen_deposit:
        raise StartError(f"deposit: the rule now asks {money_text(plan.deposit)}, not the "
                         f"{money_text(seen_deposit)} shown; look at the confirmation again")
    customer_id = request.customer_id
    if customer_id is None:
        customer_id = add_customer(session, request.new_customer, actor=actor, now=now,
                                   purpose="start of service").id
    account = UtilityAccount(number=plan.account_number, customer_id=customer_id, property_id=request.property_id,
                             cycle=plan.cycle, meter_size=plan.meter_size, rate_class=request.rate_class,
                             services=list(request.services), status="active", cash_only=False,
                             opened_on=request.start_on)
    session.add(account)
    session.flush()
    if request.meter_id is not None:
        meter = session.get(Meter, request.meter_id)
        meter.account_id = account.id
    else:
        meter = install_meter(session, request.new_meter, property_id=request.property_id, account_id=account.id,
                              on=request.start_on, now=now, actor=actor)
    read = MeterRead(account_id=account.id, period=start_read_period(request.start_on),
                     read_on=request.start_on - timedelta(days=1), reading=request.start_reading, consumption_ccf=0,
                     source=START_READ_SOURCE, meter_id=meter.id)
    session.add(read)
    session.flush()
    audit.record(session, actor=actor, action="account.opened", subject_type="utility_account", subject_id=account.id,
                 at=now, detail={"number": account.number, "customer_id": customer_id,
                                 "property_id": request.property_id, "meter": meter.number,
                                 "rate_class": account.rate_class, "services": account.services,
                                 "cycle": account.cycle, "start_on": request.start_on.isoformat(),
                                 "start_reading": request.start_reading, "read_id": read.id})
    deposit = None
    if request.take_deposit and plan.deposit > 0:
        deposit = take_deposit(session, account.id, on=request.start_on, now=now, actor=actor, library=library)
    return Started(account, meter, deposit.id if deposit else None, deposit.amount_cents if deposit else 0)
