"""Factory functions for tests: believable records with overridable fields."""
from __future__ import annotations

import functools
import itertools
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session

from engine import city as city_module, two_person
from engine.assistance_programs import DEFAULT_PROGRAM
from engine.store.assistance import AssistanceEnrolment
from engine.store.models import Business, Case, CitySettings, Customer, License, Property, UtilityAccount
from samplecity.city import city_settings_row

NOW = datetime(2026, 3, 2, 17, 0, tzinfo=timezone.utc)
_serial = itertools.count(1)


def create_customer(db: Session, **overrides: Any) -> Customer:
    """A customer with a mailing address in the sample city (`low_income=True`: enrolled in its low-income program)."""
    n = next(_serial)
    values: dict[str, Any] = dict(name=f"Test Customer {n}", mailing_street=f"{100 + n} Oak Street",
                                  mailing_city="Alder Creek", mailing_state="CA", mailing_zip="95601",
                                  language="en", phone="530-555-0100", created_at=NOW)
    low_income = overrides.pop("low_income", False)
    values.update(overrides)
    customer = Customer(**values)
    db.add(customer)
    db.flush()
    if low_income:  # enrolled in the sample city's low-income program since long before any test's day
        db.add(AssistanceEnrolment(customer_id=customer.id, program=DEFAULT_PROGRAM, starts_on=date(2000, 1, 1),
                                   ends_on=None, recorded_by="test", recorded_at=NOW))
        db.flush()
    return customer


def create_property(db: Session, owner: Customer | None = None, **overrides: Any) -> Property:
    """A parcel owned by `owner` (a new customer if none is given)."""
    n = next(_serial)
    owner = owner or create_customer(db)
    values: dict[str, Any] = dict(parcel=f"T{n:09d}", service_address=f"{200 + n} Elm Avenue", owner_id=owner.id)
    values.update(overrides)
    prop = Property(**values)
    db.add(prop)
    db.flush()
    return prop


def create_account(db: Session, customer: Customer | None = None, **overrides: Any) -> UtilityAccount:
    """An active residential water and sewer account on a 3/4 inch meter in cycle A."""
    n = next(_serial)
    customer = customer or create_customer(db)
    prop = overrides.pop("property", None) or create_property(db, owner=customer)
    values: dict[str, Any] = dict(number=f"T-{n:07d}", customer_id=customer.id, property_id=prop.id, cycle="A",
                                  meter_size='3/4"', rate_class="residential", services=["water", "sewer"],
                                  opened_on=date(2024, 1, 1))
    values.update(overrides)
    account = UtilityAccount(**values)
    db.add(account)
    db.flush()
    return account


def create_business(db: Session, owner: Customer | None = None, **overrides: Any) -> Business:
    """A retail business with three employees."""
    n = next(_serial)
    owner = owner or create_customer(db)
    values: dict[str, Any] = dict(name=f"Test Shop {n}", owner_id=owner.id, address=f"{300 + n} Main Street",
                                  category="retail", employees=3, opened_on=date(2020, 5, 1))
    values.update(overrides)
    business = Business(**values)
    db.add(business)
    db.flush()
    return business


def create_license(db: Session, business: Business | None = None, **overrides: Any) -> License:
    """An active general business license expiring at the end of 2026."""
    n = next(_serial)
    business = business or create_business(db)
    values: dict[str, Any] = dict(number=f"BL-T{n:06d}", business_id=business.id, license_type="general_business",
                                  status="active", fee_cents=15000, issued_on=date(2026, 1, 1),
                                  expires_on=date(2026, 12, 31))
    values.update(overrides)
    lic = License(**values)
    db.add(lic)
    db.flush()
    return lic


@functools.cache
def sample_version(workflow_id: str) -> int:
    """The version of a sample workflow in workflows/ (a case opened today is on it); 1 for another workflow."""
    path = Path(__file__).resolve().parent.parent / "workflows" / f"{workflow_id}.yaml"
    return int(yaml.safe_load(path.read_text(encoding="utf-8"))["version"]) if path.exists() else 1


def create_case(db: Session, **overrides: Any) -> Case:
    """An open delinquency case on a new account (on the version of workflows/ unless told)."""
    values: dict[str, Any] = dict(workflow_id="delinquency", subject_type="utility_account",
                                  state="past_due", fields={}, opened_at=NOW, opened_by="sweep:delinquency")
    values.update(overrides)
    values.setdefault("workflow_version", sample_version(values["workflow_id"]))
    if "subject_id" not in values:
        account = create_account(db)
        values.update(subject_id=account.id, account_id=account.id)
    case = Case(**values)
    db.add(case)
    db.flush()
    return case


def save_city(session: Session) -> CitySettings:
    """The sample city's settings saved: the name, address, phone and website every notice prints."""
    city = CitySettings(**city_settings_row())
    session.add(city)
    session.flush()
    return city


def switch_off_second_approver(session: Session, *, admin: str, supervisor: str, now: datetime = NOW) -> None:
    """A city whose single administrator switched the rule-approval second person off, the two-person way.

    The administrator names the supervisor as the city's second approver (the supervisor accepts), then asks
    for rules_need_second_approver off, and the supervisor approves.
    """
    naming = two_person.ask_city_change(session, "second_approver", supervisor, actor=admin, now=now)
    two_person.approve(session, naming.id, actor=supervisor, now=now)
    switch = two_person.ask_city_change(session, "rules_need_second_approver", False, actor=admin, now=now)
    two_person.approve(session, switch.id, actor=supervisor, now=now)


def grant_duty(session: Session, duty: str, roles: list[str], *, now: datetime = NOW) -> None:
    """A city that lets these page roles do a counter duty (engine.duties), the two-person way: one administrator
    asks, a second approves (both added here when the city has no such administrators yet)."""
    from engine.store.models import User

    for name in ("duty_ada", "duty_ben"):
        if session.query(User).filter_by(username=name).one_or_none() is None:
            session.add(User(username=name, full_name=name, role="admin", password_hash="-", created_at=now))
    session.flush()
    in_force = city_module.setting_value(city_module.get_city(session), "duty_roles")
    change = two_person.ask_city_change(session, "duty_roles", {**in_force, duty: roles}, actor="duty_ada", now=now)
    two_person.approve(session, change.id, actor="duty_ben", now=now)


def pay_license_fee(db: Session, lic: License, on: date, clerk_name: str = "counter") -> None:
    """The license's unpaid fee taken at the counter in cash, on a receipt in a drawer opened for it."""
    from decimal import Decimal

    from engine.money import cash
    from engine.money.receipts import LineAsked, TenderAsked, take_receipt
    from engine.store.models import User

    clerk = db.query(User).filter_by(username=clerk_name).one_or_none()
    if clerk is None:
        clerk = User(username=clerk_name, full_name="Counter Clerk", role="clerk", password_hash="-", created_at=NOW)
        db.add(clerk)
        db.flush()
    if cash.drawer_of(db, clerk, on) is None:
        cash.open_drawer(db, clerk=clerk, business_date=on, opening=Decimal("0"), now=NOW)
    due = Decimal(lic.due_cents) / 100  # the fee and any late penalty
    take_receipt(db, [LineAsked("license", lic.number, due)], [TenderAsked("cash", due)], clerk=clerk, on=on, now=NOW)


def print_notices(db: Session, case_id: int, on: date, clerk: str = "carla") -> list[int]:
    """A clerk prints the case's notices made on the day and not yet mailed or printed, that day (rendered for real,
    each copy kept as a first print is; the sample city's details saved if none are): what lets a step that
    `requires_sent:` them go on. The ids printed."""
    from sqlalchemy import select

    from engine.notices import NoticeRenderer
    from engine.notices.kept import city_details, keep_printed
    from engine.store.models import Notice, NoticePdf

    unsent = db.scalars(select(Notice).where(Notice.case_id == case_id, Notice.created_on == on,
                                             Notice.batch_id.is_(None), ~select(NoticePdf.id).where(NoticePdf.notice_id == Notice.id).exists())
                        .order_by(Notice.id)).all()
    if not unsent:
        return []
    if db.scalar(select(CitySettings.id)) is None:
        save_city(db)  # the details every notice prints
    renderer = NoticeRenderer(Path(__file__).resolve().parents[1] / "templates" / "notices", city_details(db))
    for notice in unsent:
        pdf = renderer.render_one(notice.notice_type, notice.language, notice.data, on)
        keep_printed(db, notice.id, pdf, printed_by=clerk, now=datetime.combine(on, datetime.min.time(), timezone.utc))
    return [notice.id for notice in unsent]


def stored_revisions(url: str, model: type, key: str, actions: str) -> tuple[list[tuple[str, int, str]], list[str]]:
    """A rule store's revisions of `model` (its `key`, revision, status) and the actions of the audit rows starting
    with `actions`, read in an engine of their own: what a refused command leaves as it was."""
    from sqlalchemy import select

    from engine.store.db import make_engine, make_sessionmaker
    from engine.store.models import AuditEntry

    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as session:
            rows = [(getattr(r, key), r.revision, r.status) for r in session.scalars(
                select(model).order_by(getattr(model, key), model.revision))]
            done = list(session.scalars(select(AuditEntry.action).where(AuditEntry.action.like(f"{actions}%"))
                                        .order_by(AuditEntry.id)))
    finally:
        engine.dispose()
    return rows, done
