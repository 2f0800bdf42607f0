"""What the API's views call: an account's standing, a parcel's liens, a day's shut-offs, an online payment.

Each composes the engine's own services (ledger standing, lien-eligibility criteria, the
phone export, the payment import) and returns plain JSON-ready dicts; money as strings
("52.03"). Nothing here holds rule logic of its own.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.money.ledger import standing
from engine.money import money_text, to_cents
from engine.notices import NoticeDataError, PdfRenderError
from engine.rules.messages import shown
from engine.statements.batch import bill_of_account, statement_pdf
from engine.money.payments import DEFAULT_TENDER, PaymentRow, import_payments, transaction_key
from engine.store.models import Bill, Case, Payment, Property, UtilityAccount
from engine.sweeps.phone_export import scheduled_for_shutoff
from engine.workflow import runtime
from engine.workflow.guards import guard_holds
from engine.workflow.model import PARCEL_LIENS, Workflow
from engine.workflow.services import Catalog
from webapp.api.errors import ApiError
from webapp.api.gate import api_actor
from webapp.catalog import notice_templates

PAYMENT_FIELDS = ("account_number", "amount", "paid_on", "transaction_id")


def _account(session: Session, number: str, field: str = "account_number") -> UtilityAccount:
    """The utility account with this number, or ApiError 404 naming the field."""
    account = session.scalar(select(UtilityAccount).where(UtilityAccount.number == number))
    if account is None:
        raise ApiError(404, f"There is no utility account numbered {shown(number)!r}.", field=field)
    return account


def _owed(session: Session, account: UtilityAccount, on: date) -> dict:
    """Balance, past due and days past due of an account on a day, money as strings."""
    now = standing(session, account.id, on)
    return {"balance": money_text(now.balance_cents), "past_due": money_text(now.past_due_cents),
            "days_past_due": now.days_past_due}


def account_summary(session: Session, number: str, on: date) -> dict:
    """An account's standing on a day for the payment portal: what is owed, the last bill's due date, status."""
    account = _account(session, number)
    last_due = session.scalar(select(Bill.due_on).where(Bill.account_id == account.id)
                              .order_by(Bill.period.desc(), Bill.id.desc()).limit(1))
    return {"account_number": account.number, "as_of": on.isoformat(), **_owed(session, account, on),
            "last_bill_due_on": last_due.isoformat() if last_due else None,
            "status": account.status, "cash_only": bool(account.cash_only)}


def e_bill(session: Session, library, number: str, period: str | None) -> tuple[bytes, str, str]:
    """An account's bill statement as a PDF (its latest bill, or the period's), a file name and the bill's period;
    ApiError 404 without."""
    account = _account(session, number)
    bill = bill_of_account(session, account.id, period=period)
    if bill is None:
        raise ApiError(404, f"Account {number} has no bill" + (f" for {period}." if period else " yet."),
                       field="period" if period else "account_number")
    try:
        pdf = statement_pdf(session, library, bill.id, notice_templates())
    except (NoticeDataError, PdfRenderError) as error:
        raise ApiError(503, f"The bill could not be rendered: {error}") from None
    return pdf, f"{account.number}-bill-{bill.period}.pdf", bill.period


def _lien_case(case: Case, workflow: Workflow) -> dict:
    """What a title company needs of a lien case: its state and the fields its workflow names (the county recording,
    the pay-by day, ...), each with its label."""
    fields = case.fields or {}
    return {"state": case.state, "state_label": workflow.states[case.state].label,
            "fields": [{"name": name, "label": label, "value": fields[name]}
                       for name, label in workflow.public_fields().items() if fields.get(name) is not None]}


def _eligibility(session: Session, catalog: Catalog, workflow: Workflow, account: UtilityAccount, case: Case | None,
                 on: date) -> dict:
    """Whether the account is eligible for a lien on the day, as the lien workflow's opening guard says (with the
    lien case's holds, if it has one)."""
    guard = workflow.opening_guard()
    if guard is None:
        raise ApiError(409, f"The workflow {workflow.id} (tagged {PARCEL_LIENS}) has no first step whose `when:` asks "
                            "a criteria document, so eligibility for a lien cannot be said.")
    fields = dict(case.fields or {}) if case is not None else {}
    facts = runtime.case_facts(session, catalog.rules, workflow, account.id, fields, on, catalog.workflows)
    eligible, result = guard_holds(catalog.rules, guard, facts, on)
    return {"eligible": eligible, "rule": result["rule"], "version": result["version"],
            "reference": result["reference"]}


def lien_search(session: Session, catalog: Catalog, parcel: str, on: date) -> dict:
    """A parcel's utility accounts for a title company: amounts owed, open liens, lien eligibility; no names."""
    prop = session.scalar(select(Property).where(Property.parcel == parcel))
    if prop is None:
        raise ApiError(404, f"There is no parcel {shown(parcel)!r}.", field="parcel")
    try:
        liens = catalog.workflows.the_one_tagged(PARCEL_LIENS, on=on)
    except LookupError as missing:
        raise ApiError(409, f"The city's liens cannot be searched: {missing}.") from None
    accounts = []
    for account in session.scalars(select(UtilityAccount).where(UtilityAccount.property_id == prop.id)
                                   .order_by(UtilityAccount.number)):
        cases = list(session.scalars(select(Case).where(Case.workflow_id == liens.id,
                                                        Case.account_id == account.id, Case.closed_at.is_(None))
                                     .order_by(Case.id)))
        versions = {case.id: runtime.workflow_of(catalog.workflows, case) for case in cases}
        latest = cases[-1] if cases else None
        accounts.append({"account_number": account.number, "status": account.status,
                         **_owed(session, account, on),
                         "lien_eligibility": _eligibility(session, catalog, versions[latest.id] if latest else liens,
                                                          account, latest, on),
                         "open_liens": [_lien_case(case, versions[case.id]) for case in cases]})
    return {"parcel": prop.parcel, "service_address": prop.service_address, "as_of": on.isoformat(),
            "accounts": accounts}


def shutoffs_on(session: Session, catalog: Catalog, day: date) -> dict:
    """The accounts whose shut-off day is the day, as the phone export lists them (amount past due that day)."""
    wanted = day.isoformat()
    rows = [row for row in scheduled_for_shutoff(session, catalog, day) if row["shutoff_on"] == wanted]
    return {"date": wanted, "count": len(rows), "accounts": rows}


@dataclass(frozen=True)
class OnlinePayment:
    """A payment the portal received, keyed by the online source and the portal's transaction id."""

    account_number: str
    amount: Decimal
    paid_on: date
    transaction_id: str

    @property
    def idempotency_key(self) -> str:
        """The same key a payment file's line with this transaction id gets, so either posts it once."""
        return transaction_key("online", self.transaction_id)


def _posted(payment: Payment, number: str, duplicate: bool) -> dict:
    """The JSON of a posted payment."""
    return {"payment_id": payment.id, "duplicate": duplicate, "account_number": number,
            "amount": money_text(payment.amount_cents), "paid_on": payment.received_on.isoformat(),
            "tender": payment.tender, "status": payment.status}


def post_online_payment(sessions: sessionmaker[Session], payment: OnlinePayment, *, caller: str,
                        now: datetime) -> dict:
    """Post the payment through the payment import (source online): 409 for a transaction id posted as another."""
    with sessions() as session:
        _account(session, payment.account_number)
    row = PaymentRow(line=1, account_number=payment.account_number, amount_cents=to_cents(payment.amount),
                     paid_on=payment.paid_on, tender=DEFAULT_TENDER["online"], check_number="",
                     transaction_id=payment.transaction_id)
    report = import_payments(sessions, [row], source="online", file_name=api_actor(caller), now=now,
                             ceiling="api_payment")
    for problem in report.problems:
        if problem.earlier_payment_id is not None:
            raise ApiError(409, f"transaction_id {payment.transaction_id!r} was already posted as payment "
                                f"{problem.earlier_payment_id} with another account, amount or date; "
                                "nothing was posted.", field="transaction_id")
    if report.problems:
        first = report.problems[0]
        raise ApiError(422, f"The payment was refused: {first.message}.",
                       field=first.field if first.field in PAYMENT_FIELDS else None)
    with sessions() as session:
        posted = session.get(Payment, report.payment_ids[row.line])
        return _posted(posted, payment.account_number, duplicate=report.already_posted > 0)
