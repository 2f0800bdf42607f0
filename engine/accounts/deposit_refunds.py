"""Deposits credited back by rule: the criteria a sweep document names decides on each held deposit.

The facts are the account's (engine.accounts.facts: its measures count late payments,
returned payments and shut-offs in whatever window the city publishes) and its months of
service, whole months from the day it was opened. Which accounts may be credited (the
sample city's: active ones) is the rule's to say, on the fact `account_status`. An eligible
deposit is credited to its account (engine.money.deposits.settle); nothing else changes for one kept.
The criteria is the one the city's sweep document names (`credits_deposits: {rule: ..}`, kind
sweep; the sample city's deposit-refunds names deposit-refund-eligibility), never one named here.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.accounts.facts import facts_for_account
from engine.accounts.history import ServiceOff
from engine.money import ledger
from engine.money.deposits import settle
from engine.rules.library import RuleLibrary
from engine.rules.months import whole_months
from engine.store.models import Deposit, UtilityAccount

RECORD_FACTS = ("months_of_service",)  # what refund_facts adds to the account's facts


def refund_facts(session: Session, account: UtilityAccount, as_of: date, library: RuleLibrary,
                 service_off: ServiceOff | None = None) -> dict:
    """The facts a deposit refund criteria reads: the account's, and its whole months of service (`service_off`:
    the workflows' states tagged service_off, for a measure counting shut-offs)."""
    return {**facts_for_account(session, account.id, as_of, library, service_off),
            "months_of_service": whole_months(account.opened_on, as_of)}


@dataclass(frozen=True)
class RefundDecision:
    """The rule's answer for one held deposit, and the credit posted when eligible."""

    deposit_id: int
    account_id: int
    eligible: bool
    reason: str
    entry_id: int | None


def refund_if_eligible(session: Session, deposit: Deposit, *, as_of: date, now: datetime, actor: str,
                       library: RuleLibrary, rule: str,
                       service_off: ServiceOff | None = None) -> RefundDecision:
    """Credit one held deposit back to its account when the criteria `rule` (the sweep document's) says so
    (the account's status one of the facts it reads)."""
    account = ledger.lock_account(session, deposit.account_id)
    if deposit.status != "held":
        return RefundDecision(deposit.id, account.id, False, f"deposit {deposit.status}", None)
    result = library.evaluate(rule, refund_facts(session, account, as_of, library, service_off), as_of).to_json()
    outcome = result["outcome"]
    if not outcome.get("eligible"):
        return RefundDecision(deposit.id, account.id, False, str(outcome.get("reason", "")), None)
    entry = settle(session, deposit, "refunded", on=as_of, now=now, actor=actor,
                   description="Deposit credited back after good payment", rule_id=rule,
                   rule_version=result.get("version"))
    return RefundDecision(deposit.id, account.id, True, str(outcome.get("reason", "")), entry.id)


def refund_eligible_deposits(session: Session, *, as_of: date, now: datetime, actor: str, library: RuleLibrary,
                             rule: str, account_ids: list[int] | None = None,
                             service_off: ServiceOff | None = None) -> list[RefundDecision]:
    """The nightly sweep's step: decide every held deposit (of the given accounts) and credit the eligible."""
    query = select(Deposit).where(Deposit.status == "held").order_by(Deposit.id)
    if account_ids is not None:
        query = query.where(Deposit.account_id.in_(account_ids))
    return [refund_if_eligible(session, deposit, as_of=as_of, now=now, actor=actor, library=library, rule=rule,
                              service_off=service_off)
            for deposit in session.scalars(query).all()]
