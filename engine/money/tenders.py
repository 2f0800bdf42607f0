"""What a payment may be paid with, where, and who may not pay by check; the error payments are refused with.

Shared by the counter (engine.money.payments), the payment files (engine.money.payment_files)
and their import (engine.money.payment_imports), so none of them imports another for it.
"""
from __future__ import annotations

from engine.store.models import UtilityAccount

COUNTER_TENDERS = ("cash", "check", "card", "money_order")
FILE_TENDERS = ("check", "card", "ach")
DEFAULT_TENDER = {"lockbox": "check", "online": "card"}
CHECK_TENDERS = ("check", "ach")  # what a cash-only account may not pay with
RETURNABLE = ("check", "ach", "card")


class PaymentError(ValueError):
    """A payment that is refused, with a message a clerk can read."""


def cash_only_refusal(account: UtilityAccount, tender: str) -> str | None:
    """Why this tender is refused for this account, or None when it is accepted."""
    if account.cash_only and tender in CHECK_TENDERS:
        return (f"account {account.number} is cash-only after returned payments: a {tender} is not accepted; "
                "take cash, a money order, a cashier's check or a card")
    return None
