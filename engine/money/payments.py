"""Payments: at the counter into an open cash drawer (engine.money.receipts), and returns; files beside.

Every payment has an idempotency key, unique in the database: a form submitted twice posts
once. A payment larger than the balance leaves a credit (a negative balance). A returned
payment is reversed, charged the returned-payment fee from the rules, and may make the
account cash-only.

Payment files are read by engine.money.payment_files and imported, all lines or none, by
engine.money.payment_imports; their names are importable from here too.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from engine.city import duty_refusal
from engine.money.payment_files import (LineProblem, PaymentFile, PaymentRow, parse_payment_file, read_payment_file,
                                        transaction_key)
from engine.money.payment_imports import (Confirmation, ImportReport, PossibleDuplicate, confirm_held_import,
                                          import_payment_file, import_payments, same_payment)
from engine.money.receipts import post_counter_payment
from engine.money.tenders import (COUNTER_TENDERS, DEFAULT_TENDER, FILE_TENDERS, RETURNABLE,
                                  PaymentError, cash_only_refusal, cash_only_refused)
from engine.store.models import User

__all__ = ["COUNTER_TENDERS", "DEFAULT_TENDER", "FILE_TENDERS", "RETURNABLE", "Confirmation",
           "ImportReport", "LineProblem", "PaymentError", "PaymentFile", "PaymentRow", "PossibleDuplicate",
           "cash_only_refusal", "cash_only_refused", "confirm_held_import", "import_payment_file", "import_payments",
           "parse_payment_file", "post_counter_payment", "read_payment_file", "return_refusal", "same_payment",
           "transaction_key"]


def return_refusal(session: Session, user: User) -> str | None:
    """Why this person may not record a returned payment, or None: the city's `returned_payments` duty roles
    (supervisors and administrators unless the city says otherwise, engine.duties)."""
    return duty_refusal(session, role=user.role, username=user.username, duty="returned_payments")
