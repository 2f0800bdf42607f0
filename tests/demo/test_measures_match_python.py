"""The measures in rules/ give, on every account of the sample city, the facts Python computed before them."""
from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from engine.accounts.facts import facts_for_accounts
from engine.money.deposits import refund_facts
from engine.money.payments import returned_payments_12m_by_account
from engine.store.models import UtilityAccount
from tests.demo.conftest import AS_OF

DAYS = (AS_OF, AS_OF - timedelta(days=97), AS_OF - timedelta(days=230))


def test_every_history_fact_of_the_sample_city_is_the_same_from_its_document(city: Engine, city_rules) -> None:
    counted = Counter()
    for day in DAYS:
        counted.update(_compare(city, city_rules, day))
    assert counted["returned_payments_12m"] > 0 and counted["late_payments_12m"] > 0, counted


def _compare(city: Engine, city_rules, day) -> dict[str, int]:
    """Python's and the documents' facts on one day, every account; how many each fact counted."""
    with Session(city) as session:
        accounts = session.scalars(select(UtilityAccount).order_by(UtilityAccount.id)).all()
        ids = [account.id for account in accounts]
        measured = facts_for_accounts(session, ids, day, city_rules.rules)
        returned = returned_payments_12m_by_account(session, ids, day)
        differ = []
        for account in accounts:
            python = {**refund_facts(session, account, day), "returned_payments_12m": returned[account.id]}
            python.pop("months_of_service")
            document = {name: measured[account.id][name] for name in python}
            if document != python:
                differ.append((account.number, python, document))
        assert differ == [], day
        return {name: sum(facts[name] for facts in measured.values())
                for name in ("returned_payments_12m", "late_payments_12m", "shutoffs_12m")}
