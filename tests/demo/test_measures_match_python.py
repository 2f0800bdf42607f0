"""The measures in rules/ give, on every account of the sample city, the facts Python computed before them.

The Python is gone (engine.money.payments.returned_payments_12m_by_account and
engine.money.deposits.refund_facts counted them); what it computed is kept here as a naive
reference: returned payments, late fees and reconnection fees not reversed, dated after the
day 365 days before and on or before the day.
"""
from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from engine.accounts.facts import facts_for_accounts
from engine.store.models import LedgerEntry, Payment, UtilityAccount
from tests.demo.conftest import AS_OF

DAYS = (AS_OF, AS_OF - timedelta(days=97), AS_OF - timedelta(days=230))
LOOK_BACK = timedelta(days=365)  # "the last 12 months", as the Python had it


def python_returned_payments_12m(session: Session, account_id: int, on: date) -> int:
    """Payments returned in the 365 days up to and including `on` (the removed Python's count)."""
    return len(session.scalars(select(Payment.id).where(
        Payment.account_id == account_id, Payment.status == "returned", Payment.returned_on > on - LOOK_BACK,
        Payment.returned_on <= on)).all())


def python_fees_12m(session: Session, account_id: int, rule_id: str, on: date) -> int:
    """Fees of one rule posted in the 365 days up to and including `on`, less any reversed (the removed Python's)."""
    reversed_ids = set(session.scalars(select(LedgerEntry.reverses_id).where(LedgerEntry.reverses_id.is_not(None))))
    fees = session.scalars(select(LedgerEntry.id).where(
        LedgerEntry.account_id == account_id, LedgerEntry.kind == "fee", LedgerEntry.rule_id == rule_id,
        LedgerEntry.effective_on > on - LOOK_BACK, LedgerEntry.effective_on <= on)).all()
    return len([fee for fee in fees if fee not in reversed_ids])


def python_facts(session: Session, account_id: int, on: date) -> dict[str, int]:
    """What Python gave the returned-payment fee, cash-only status and deposit refund before the measures."""
    return {"returned_payments_12m": python_returned_payments_12m(session, account_id, on),
            "late_payments_12m": python_fees_12m(session, account_id, "late-fee", on),
            "shutoffs_12m": python_fees_12m(session, account_id, "reconnection-fee", on)}


def test_every_history_fact_of_the_sample_city_is_the_same_from_its_document(city: Engine, city_rules) -> None:
    counted = Counter()
    for day in DAYS:
        counted.update(_compare(city, city_rules, day))
    assert counted["returned_payments_12m"] > 0 and counted["late_payments_12m"] > 0, counted


def _compare(city: Engine, city_rules, day: date) -> dict[str, int]:
    """Python's and the documents' facts on one day, every account; how many each fact counted."""
    with Session(city) as session:
        ids = session.scalars(select(UtilityAccount.id).order_by(UtilityAccount.id)).all()
        measured = facts_for_accounts(session, ids, day, city_rules.rules)
        differ = []
        for account_id in ids:
            python = python_facts(session, account_id, day)
            document = {name: measured[account_id][name] for name in python}
            if document != python:
                differ.append((account_id, python, document))
        assert differ == [], day
        return {name: sum(facts[name] for facts in measured.values())
                for name in ("returned_payments_12m", "late_payments_12m", "shutoffs_12m")}
