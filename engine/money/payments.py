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
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.money import ledger
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
from engine.store.models import Payment, User

__all__ = ["CHECK_TENDERS", "COUNTER_TENDERS", "DEFAULT_TENDER", "FILE_TENDERS", "RETURNABLE", "Confirmation",
           "ImportReport", "LineProblem", "PaymentError", "PaymentFile", "PaymentRow", "PossibleDuplicate",
           "cash_only_refusal", "confirm_held_import", "import_payment_file", "import_payments",
           "parse_payment_file", "post_counter_payment", "read_payment_file", "same_payment", "transaction_key"]


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
