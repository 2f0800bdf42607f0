"""A new business at the counter: its owner, the business, the license applied for, and the application's case.

The owner is a customer the city knows (found by a utility account number) or a new one. The
license gets the next number of its year (`BL-2026-00042`) and the status `applied`; the case is
opened in the workflow tagged `license_applications`, which takes it through review, the fee
(computed and explained by the fee schedule its step names), payment at the counter and issue.
Everything is written in the caller's transaction, with one audit row per record made.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import audit
from engine.accounts.customer_record import NewCustomer, add_customer, new_customer_problems, one_line_problem
from engine import city
from engine.money import parse_money, to_cents
from engine.numerals import is_digits
from engine.rules.errors import NoVersionInForce
from engine.rules.kinds.deadline import KIND as DEADLINE
from engine.rules.versions import version_in_force
from engine.store.models import Business, Case, Customer, License, UtilityAccount
from engine.workflow import services
from engine.workflow.facts import license_type_name
from engine.workflow.model import LICENSE_APPLICATIONS
from engine.workflow.services import Catalog

MAX_EMPLOYEES = 100_000


class IntakeError(ValueError):
    """An application that cannot be taken, with every reason in words (nothing was written)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Application:
    """What the clerk typed: whose business, what it is, which license."""

    business_name: str
    address: str
    category: str
    employees: int
    gross_receipts: str  # dollars as typed; "" for none
    license_type: str
    owner_account: str = ""  # an owner who has a utility account: its number
    new_owner: NewCustomer | None = None

    def receipts(self) -> Decimal | None:
        """The gross receipts typed, in dollars (250,000 or $250,000.00), or None when none were given; text that is
        not money as a person types it raises ValueError (the one reader, parse_money: Decimal() took "١٢٣", "1e3"
        and "0.001")."""
        typed = self.gross_receipts.strip()
        return parse_money(typed) if typed else None


@dataclass(frozen=True)
class Taken:
    """The records the application made."""

    business: Business
    license: License
    case: Case
    owner: Customer


def categories(catalog: Catalog, on: date) -> tuple[str, ...]:
    """The business categories the city's fee schedules know (the values of their `category` input)."""
    found: list[str] = []
    for doc in catalog.rules:
        spec = doc.inputs.get("category") if doc.kind == "schedule" else None
        if spec is not None and spec.values:
            found += [value for value in spec.values if value not in found]
    return tuple(found)


def license_types(catalog: Catalog, on: date) -> tuple[tuple[str, str], ...]:
    """The license types a clerk may choose, with the names their certificates print: those the city's deadline
    documents in force on the day define (each one's `license_types`, then any other type its `license_names`
    names), in the documents' order by id. A city licenses a new kind of business by publishing them there."""
    found: dict[str, str] = {}
    for doc in sorted((d for d in catalog.rules if d.kind == DEADLINE.name), key=lambda d: d.id):
        try:
            version_in_force(doc, on)
        except NoVersionInForce:
            continue
        names = doc.header.get("license_names")
        listed = list(doc.header.get("license_types") or ()) + list(names if isinstance(names, dict) else ())
        for license_type in listed:
            found.setdefault(str(license_type), license_type_name(catalog.rules, str(license_type)))
    return tuple(found.items())


def check(session: Session, catalog: Catalog, asked: Application, on: date) -> tuple[Customer | None, list[str]]:
    """The owner found (None for a new one) and every problem of the application, in the form's order."""
    problems: list[str] = []
    owner = None
    if not asked.business_name.strip():
        problems.append("Business name: give the name the business trades under.")
    if not asked.address.strip():
        problems.append("Business location: give the street address where the business operates.")
    problems += [problem for problem in (one_line_problem(asked.business_name.strip(), "Business name"),
                                         one_line_problem(asked.address.strip(), "Business location")) if problem]
    known = categories(catalog, on)
    if asked.category not in known:
        problems.append(f"Category: choose one of {', '.join(c.replace('_', ' ') for c in known)}.")
    if not 0 <= asked.employees <= MAX_EMPLOYEES:
        problems.append(f"Employees: a whole number from 0 to {MAX_EMPLOYEES:,}.")
    try:
        receipts = asked.receipts()
        if receipts is not None and (receipts < 0 or receipts > Decimal("1000000000")):
            problems.append("Gross receipts: an amount from $0.00 to $1,000,000,000.00.")
    except ValueError:
        problems.append("Gross receipts: an amount in dollars, such as 125000.00.")
    offered = license_types(catalog, on)
    if asked.license_type not in dict(offered):
        problems.append(f"License: the city's published documents define no license {asked.license_type!r}; "
                        f"choose one of {', '.join(name for _, name in offered) or 'none (publish one first)'}.")
    if asked.owner_account.strip():
        account = session.scalar(select(UtilityAccount).where(UtilityAccount.number == asked.owner_account.strip()))
        if account is None:
            problems.append(f"Owner: there is no utility account numbered {asked.owner_account.strip()}.")
        else:
            owner = account.customer
    elif asked.new_owner is None or not asked.new_owner.name.strip():
        problems.append("Owner: give the owner's utility account number, or the new owner's name and mailing address.")
    else:
        problems += [f"New owner: {problem}."
                     for problem in new_customer_problems(asked.new_owner, city.offered(session))]
    return owner, problems


def next_license_number(session: Session, on: date) -> str:
    """The next license number of the year: BL-YYYY-NNNNN."""
    prefix = f"BL-{on.year}-"
    taken = session.scalar(select(func.max(License.number)).where(License.number.like(f"{prefix}%")))
    last = int(taken[len(prefix):]) if taken and is_digits(taken[len(prefix):]) else 0
    return f"{prefix}{last + 1:05d}"


def take_application(session: Session, catalog: Catalog, asked: Application, *, on: date, now: datetime,
                     actor: str) -> Taken:
    """Record the owner (when new), the business, the license applied for, and open its application case."""
    owner, problems = check(session, catalog, asked, on)
    if problems:
        raise IntakeError(problems)
    if owner is None:
        assert asked.new_owner is not None  # check() refused an application without one
        owner = add_customer(session, asked.new_owner, actor=actor, now=now, purpose="business license application")
    receipts = asked.receipts()
    business = Business(name=asked.business_name.strip(), owner_id=owner.id, address=asked.address.strip(),
                        category=asked.category, employees=asked.employees,
                        gross_receipts_cents=to_cents(receipts) if receipts is not None else 0, opened_on=on)
    session.add(business)
    session.flush()
    lic = License(number=next_license_number(session, on), business_id=business.id, license_type=asked.license_type,
                  status="applied", fee_cents=0, fee_paid_cents=0)
    session.add(lic)
    session.flush()
    audit.record(session, actor=actor, action="license.apply", subject_type="license", subject_id=lic.id, at=now,
                 detail={"license_number": lic.number, "business": business.name, "business_id": business.id,
                         "owner_id": owner.id, "category": business.category, "employees": business.employees,
                         "license_type": lic.license_type})
    workflow = catalog.workflows.the_one_tagged(LICENSE_APPLICATIONS, on=on)
    case = services.open_case(session, catalog, workflow.id, lic.id, actor=actor, on=on, now=now)
    return Taken(business, lic, case, owner)
