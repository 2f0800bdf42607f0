"""Payments: at the counter into an open cash drawer, and returns; files from the lockbox and the portal beside.

Every payment has an idempotency key, unique in the database: a form submitted twice posts
once. A payment larger than the balance leaves a credit (a negative balance). A returned
payment is reversed, charged the returned-payment fee from the rules, and may make the
account cash-only.

Payment files are read by engine.money.payment_files and imported, all lines or none, by
engine.money.payment_imports; their names are importable from here too.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine import audit

from engine.money import ledger
from engine.rules.schedule import service_of
from engine.money.bounds import BoundError, typed_amount
from engine.money.business_days import first_open_day
from engine.money.cash import drawer_of
from engine.money.ledger.posting import lock_account
from engine.money.limits import city_limits
from engine.money import to_cents
from engine.money.payment_files import (LineProblem, PaymentFile, PaymentRow, parse_payment_file, read_payment_file,
                                        transaction_key)
from engine.money.payment_imports import (Confirmation, ImportReport, PossibleDuplicate, confirm_held_import,
                                          import_payment_file, import_payments, same_payment)
from engine.money.tenders import (CHECK_TENDERS, COUNTER_TENDERS, DEFAULT_TENDER, FILE_TENDERS, RETURNABLE,
                                  PaymentError, cash_only_refusal)
from engine.store.models import LedgerEntry, Payment, User

__all__ = ["CHECK_TENDERS", "COUNTER_TENDERS", "DEFAULT_TENDER", "FILE_TENDERS", "RETURNABLE", "Confirmation",
           "ImportReport", "LineProblem", "PaymentError", "PaymentFile", "PaymentRow", "PossibleDuplicate",
           "ReturnedPayment", "cash_only_refusal", "confirm_held_import", "import_payment_file", "import_payments",
           "parse_payment_file", "post_counter_payment", "read_payment_file", "return_payment",
           "returned_payments_12m", "same_payment", "transaction_key"]


def _insert_once(session: Session, payment: Payment) -> Payment | None:
    """Insert the payment unless its idempotency key is already taken; None when it is."""
    try:
        with session.begin_nested():
            session.add(payment)
            session.flush()
    except IntegrityError:
        return None
    return payment


def post_counter_payment(session: Session, *, account_id: int, amount, tender: str, clerk: User, on: date,
                         now: datetime, check_number: str = "", idempotency_key: str | None = None) -> Payment:
    """Take a payment at the counter into the clerk's open drawer; post its credit.

    Paid on `on`; when that day is already closed, the payment goes into the drawer of the
    first open day and is booked there (the payment keeps `on` as the day it was paid).
    """
    if tender not in COUNTER_TENDERS:
        raise PaymentError(f"tender {tender!r} is not taken at the counter; use {', '.join(COUNTER_TENDERS)}")
    try:
        value = typed_amount(amount, field="amount", ceiling=city_limits(session).ceiling("counter_payment"))
    except BoundError as bad:
        raise PaymentError(str(bad)) from None
    if value <= 0:
        raise PaymentError("amount: a payment must be more than $0.00")
    day = first_open_day(session, on)
    drawer = drawer_of(session, clerk, day)
    if drawer is None:
        raise PaymentError(f"{clerk.username} has no open cash drawer for {day}; open one first")
    account = lock_account(session, account_id)
    refusal = cash_only_refusal(account, tender)
    if refusal:
        raise PaymentError(refusal)
    key = idempotency_key or f"counter:{uuid.uuid4().hex}"
    payment = Payment(account_id=account.id, amount_cents=to_cents(value), tender=tender, source="counter",
                      received_on=on, check_number=check_number.strip(), idempotency_key=key, drawer_id=drawer.id,
                      status="posted", actor=clerk.username, posted_at=now)
    if _insert_once(session, payment) is None:
        return session.scalar(select(Payment).where(Payment.idempotency_key == key))
    ledger.post_payment(session, payment, now=now)
    return payment


# --- returned payments -----------------------------------------------------------------------


@dataclass(frozen=True)
class ReturnedPayment:
    """What returning a payment posted: the reversal, the fee, and whether the account became cash-only."""

    payment: Payment
    reversal: LedgerEntry
    fee: LedgerEntry | None
    returned_payments_12m: int
    cash_only: bool
    became_cash_only: bool


RETURNS_LOOK_BACK = timedelta(days=365)  # "the last 12 months": returned after on - 365 days, up to and on `on`
RETURNS_CHUNK = 1000  # account ids per query


# Built once: the count of returned payments by account, for ids, after `since`, up to and on `on`.
RETURNED_BY_ACCOUNT = (select(Payment.account_id, func.count(Payment.id))
                       .where(Payment.account_id.in_(bindparam("ids", expanding=True)), Payment.status == "returned",
                              Payment.returned_on > bindparam("since"), Payment.returned_on <= bindparam("on"))
                       .group_by(Payment.account_id))


def returned_payments_12m(session: Session, account_id: int, on: date) -> int:
    """How many of the account's payments were returned in the 12 months up to and including `on`."""
    return returned_payments_12m_by_account(session, [account_id], on)[account_id]


def returned_payments_12m_by_account(session: Session, account_ids: Iterable[int], on: date) -> dict[int, int]:
    """Payments returned in the 12 months up to and including `on`, by account (0 for one with none)."""
    wanted = sorted(set(account_ids))
    counts = dict.fromkeys(wanted, 0)
    for start in range(0, len(wanted), RETURNS_CHUNK):
        counts.update(session.execute(RETURNED_BY_ACCOUNT, {"ids": wanted[start:start + RETURNS_CHUNK],
                                                            "since": on - RETURNS_LOOK_BACK, "on": on}).all())
    return counts


def return_payment(session: Session, payment_id: int, *, reason: str, on: date, actor: str, now: datetime,
                   library) -> ReturnedPayment:
    """Reverse a returned payment, charge the returned-payment fee, and apply the cash-only rule."""
    payment = session.get(Payment, payment_id, with_for_update=True)
    if payment is None:
        raise PaymentError(f"no payment {payment_id}")
    if payment.status == "returned":
        raise PaymentError(f"payment {payment_id} was already returned on {payment.returned_on}")
    if payment.tender not in RETURNABLE:
        raise PaymentError(f"a {payment.tender} payment cannot be returned by the bank")
    account = lock_account(session, payment.account_id)
    entry = session.scalar(select(LedgerEntry).where(LedgerEntry.payment_id == payment.id,
                                                     LedgerEntry.kind == "payment"))
    reversal = ledger.reverse(session, entry.id, on=on, now=now, actor=actor, reason=f"returned: {reason}")
    payment.status, payment.returned_on, payment.return_reason = "returned", on, reason[:120]
    session.flush()
    count = returned_payments_12m(session, account.id, on)
    facts = {"returned_payments_12m": count}
    fee_result = library.evaluate("returned-payment-fee", facts, on)
    fee = None
    if fee_result.total > 0:
        fee = ledger.post_fee(session, account.id, fee_result.total, on=on, now=now, actor=actor,
                              description=fee_result.lines[0]["name"], reference=f"payment {payment.id}",
                              rule_id="returned-payment-fee", rule_version=fee_result.version.isoformat(),
                              service=service_of(fee_result.lines))
    status = library.evaluate("cash-only-status", facts, on).to_json()
    cash_only = bool(status["outcome"].get("cash_only"))
    became = cash_only and not account.cash_only
    if became:
        account.cash_only = True
        session.flush()
        audit.record(session, actor=actor, action="account.cash_only", subject_type="utility_account",
                     subject_id=account.id, at=now,
                     detail={"cash_only": True, "returned_payments_12m": count, "rule_id": "cash-only-status",
                             "rule_version": status.get("version"), "payment_id": payment.id})
    return ReturnedPayment(payment, reversal, fee, count, account.cash_only, became)
