"""Security deposits: taken and held per account, applied to the final bill, or credited back by rule.

A deposit held is the city's liability, not a payment on the account, so taking one posts
nothing to the account's ledger (the GL export books it as cash against deposits held); it
is bounded as the gate bounds an amount from the rules, and taken on a closed day it is
received on the next open day, so the closed day's export never changes.
Applying it to a final bill, or crediting it back when deposit-refund-eligibility says the
customer has earned it (engine.accounts.deposit_refunds, on the account's facts), posts a
`deposit` credit to the ledger; a credit left over is paid back with a refund.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit

from engine.money import ledger
from engine.money import format_money, from_cents, money_text, to_cents
from engine.money.business_days import books
from engine.rules.tagged import SERVICE_DEPOSIT, NoDocumentTagged, the_document_tagged
from engine.store.models import Deposit, LedgerEntry


class DepositError(ValueError):
    """A deposit action that is refused, with a message a clerk can read."""


def take_deposit(session: Session, account_id: int, *, on: date, now: datetime, actor: str, library,
                 amount: Decimal | None = None) -> Deposit:
    """Hold a deposit for the account: the given amount, or the deposit schedule's for its meter."""
    account = ledger.lock_account(session, account_id)
    rule_id = rule_version = None
    if amount is None:
        result = deposit_due(library, account.meter_size, on)
        amount, rule_id, rule_version = result.total, result.rule, result.version.isoformat()
    if amount <= 0:
        raise DepositError("a deposit must be more than $0.00")
    open_books = books(session)
    ceiling = open_books.ceiling("deposit")
    if to_cents(amount) > ceiling.cents:
        raise DepositError(f"amount: {ceiling.refusal()}; this deposit is {format_money(amount)}")
    received_on = open_books.booking_day(on)
    deposit = Deposit(account_id=account.id, amount_cents=to_cents(amount), received_on=received_on, status="held",
                      rule_id=rule_id, rule_version=rule_version)
    session.add(deposit)
    session.flush()
    audit.record(session, actor=actor, action="deposit.received", subject_type="utility_account",
                 subject_id=account.id, at=now,
                 detail={"deposit_id": deposit.id, "amount": money_text(amount), "rule_version": rule_version,
                         **({"dated_on": on.isoformat()} if received_on != on else {})})
    return deposit


def deposit_due(library, meter_size: str, on: date):
    """The deposit schedule's result for a meter size on a day (the rule document tagged service_deposit): its
    total, lines, version and reference; a DepositError when the city has no such document."""
    try:
        schedule = the_document_tagged(library, SERVICE_DEPOSIT)
    except NoDocumentTagged as missing:
        raise DepositError(str(missing)) from None
    return library.evaluate(schedule.id, {"meter_size": meter_size}, on)


def held_deposits(session: Session, account_id: int) -> list[Deposit]:
    """The account's deposits still held."""
    return list(session.scalars(select(Deposit).where(Deposit.account_id == account_id, Deposit.status == "held")
                                .order_by(Deposit.id).with_for_update()))


def settle(session: Session, deposit: Deposit, status: str, *, on: date, now: datetime, actor: str,
            description: str, rule_id: str | None = None, rule_version: str | None = None) -> LedgerEntry:
    """Credit a held deposit to its account and mark it applied or refunded."""
    entry = ledger.post_deposit_credit(session, deposit.account_id, from_cents(deposit.amount_cents), on=on, now=now,
                                       actor=actor, description=description, reference=f"deposit {deposit.id}",
                                       rule_id=rule_id, rule_version=rule_version)
    deposit.status, deposit.settled_on = status, on
    if rule_id:
        deposit.rule_id, deposit.rule_version = rule_id, rule_version
    session.flush()
    return entry


def apply_to_final_bill(session: Session, account_id: int, *, on: date, now: datetime, actor: str) -> list[LedgerEntry]:
    """At closing, credit every held deposit against the final bill (a credit left is refunded separately)."""
    account = ledger.lock_account(session, account_id)
    if account.status != "closed":
        raise DepositError(f"account {account.number} is {account.status}; deposits are applied when it closes")
    return [settle(session, d, "applied", on=on, now=now, actor=actor, description="Deposit applied to final bill")
            for d in held_deposits(session, account_id)]
