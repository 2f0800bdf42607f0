"""What a payment may be paid with, where, and who may not pay by check; the error payments are refused with.

Shared by the counter (engine.money.payments), the payment files (engine.money.payment_files)
and their import (engine.money.payment_imports), so none of them imports another for it.
Which tenders a cash-only account may not use is a city setting (`cash_only_refused_tenders`,
engine.city; the sample city's, checks and electronic checks, until an administrator saves its own).
"""
from __future__ import annotations

from engine.city import get_city
from engine.store.models import SAMPLE_CASH_ONLY_REFUSED, TENDERS, UtilityAccount

COUNTER_TENDERS = ("cash", "check", "card", "money_order")
FILE_TENDERS = ("check", "card", "ach")
DEFAULT_TENDER = {"lockbox": "check", "online": "card"}
TENDER_WORDS = {"cash": "cash", "check": "a check", "card": "a card", "money_order": "a money order",
                "ach": "an electronic check (ACH)"}
RETURNABLE = ("check", "ach", "card")


class PaymentError(ValueError):
    """A payment that is refused, with a message a clerk can read."""


def cash_only_refusal(account: UtilityAccount, tender: str, refused: tuple[str, ...] | list[str]) -> str | None:
    """Why this tender is refused for this account (a cash-only account, a tender among `refused`), or None."""
    if account.cash_only and tender in refused:
        accepted = [TENDER_WORDS[t] for t in TENDERS if t not in refused]
        take = (", ".join(accepted[:-1]) + " or " + accepted[-1]) if len(accepted) > 1 else "".join(accepted)
        return (f"account {account.number} is cash-only after returned payments: a {tender} is not accepted"
                + (f"; take {take}" if take else ""))
    return None


def cash_only_refused(session) -> tuple[str, ...]:
    """The tenders a cash-only account may not use: the city's setting, or the sample city's until it is saved."""
    refused = get_city(session).cash_only_refused_tenders  # the row read once a transaction
    return tuple(refused) if refused is not None else SAMPLE_CASH_ONLY_REFUSED
