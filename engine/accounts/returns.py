"""A payment the bank returned: reversed, the returned-payment fee charged, and the cash-only status by rule.

A cash-only status decided by a rule with a duration keeps the day it ends (engine.accounts.cash_only).

The fee (the rule document tagged returned_payment_fee) and the status (the one tagged
cash_only_status, engine.rules.tagged) are decided on the account's facts on the day the
payment is returned (engine.accounts.facts, measures included, so the returned payment
itself is counted): which facts they read is the documents' to say.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.accounts import cash_only as status_of_account
from engine.accounts.facts import facts_for_account
from engine.accounts.history import ServiceOff
from engine.money import ledger
from engine.rules.schedule import service_of
from engine.money.ledger.posting import lock_account
from engine.money.tenders import RETURNABLE, PaymentError
from engine.rules.library import RuleLibrary
from engine.rules.tagged import CASH_ONLY_STATUS, RETURNED_PAYMENT_FEE, NoDocumentTagged, the_document_tagged
from engine.store.models import LedgerEntry, Payment


@dataclass(frozen=True)
class ReturnedPayment:
    """What returning a payment posted: the reversal, the fee, and whether the account became cash-only."""

    payment: Payment
    reversal: LedgerEntry
    fee: LedgerEntry | None
    facts: dict[str, object]  # the facts the fee and the status rule read, as they stood
    cash_only: bool
    became_cash_only: bool


def read_facts(library: RuleLibrary, document_id: str, facts: dict[str, object]) -> dict[str, object]:
    """The facts a document declares, as they stand (for an audit row)."""
    return {name: facts[name] for name in library.get(document_id).inputs if name in facts}


def return_payment(session: Session, payment_id: int, *, reason: str, on: date, actor: str, now: datetime,
                   library: RuleLibrary, service_off: ServiceOff | None = None) -> ReturnedPayment:
    """Reverse a returned payment, charge the returned-payment fee, and apply the cash-only rule (`service_off`: the
    workflows' states tagged service_off, for a measure of the rules counting shut-offs)."""
    payment = session.get(Payment, payment_id, with_for_update=True)
    if payment is None:
        raise PaymentError(f"no payment {payment_id}")
    if payment.status == "returned":
        raise PaymentError(f"payment {payment_id} was already returned on {payment.returned_on}")
    if payment.status == "voided":
        raise PaymentError(f"payment {payment_id} was voided with its receipt; there is nothing to return")
    if payment.tender not in RETURNABLE:
        raise PaymentError(f"a {payment.tender} payment cannot be returned by the bank")
    try:  # before anything is written: a city without the documents changes nothing
        fee_rule = the_document_tagged(library, RETURNED_PAYMENT_FEE).id
        status_rule = the_document_tagged(library, CASH_ONLY_STATUS).id
    except NoDocumentTagged as missing:
        raise PaymentError(f"the payment cannot be returned: {missing}") from None
    account = lock_account(session, payment.account_id)
    entry = session.scalar(select(LedgerEntry).where(LedgerEntry.payment_id == payment.id,
                                                     LedgerEntry.kind == "payment"))
    reversal = ledger.reverse(session, entry.id, on=on, now=now, actor=actor, reason=f"returned: {reason}")
    payment.status, payment.returned_on, payment.return_reason = "returned", on, reason[:120]
    session.flush()
    facts = facts_for_account(session, account.id, on, library, service_off)
    fee_result = library.evaluate(fee_rule, facts, on)
    fee = None
    if fee_result.total > 0:
        fee = ledger.post_fee(session, account.id, fee_result.total, on=on, now=now, actor=actor,
                              description=fee_result.lines[0]["name"], reference=f"payment {payment.id}",
                              rule_id=fee_rule, rule_version=fee_result.version.isoformat(),
                              service=service_of(fee_result.lines))
    status = library.evaluate(status_rule, facts, on).to_json()
    cash_only = bool(status["outcome"].get("cash_only"))
    became = cash_only and not account.cash_only
    read = {**read_facts(library, fee_rule, facts), **read_facts(library, status_rule, facts)}
    if cash_only:  # set, or extended to a later day by this return
        status_of_account.apply_decision(session, account, status, actor=actor, now=now,
                                         detail={**read, "payment_id": payment.id})
    return ReturnedPayment(payment, reversal, fee, read, account.cash_only, became)
