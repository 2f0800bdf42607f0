"""The same seed and as-of date give the same city, row for row; another seed gives another city."""
from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from samplecity.loader import DemoRefused, load_demo
from engine.store.models import Bill, Customer, LedgerEntry, License, Payment
from tests.demo.conftest import ACCOUNTS, AS_OF, LICENSES, NOW, load


def fingerprint(engine: Engine) -> dict[str, str]:
    """A digest of each table that matters, in id order (independent of when the load ran)."""
    queries = {
        "customers": select(Customer.id, Customer.name, Customer.language, Customer.mailing_zip, Customer.phone),
        "bills": select(Bill.id, Bill.account_id, Bill.period, Bill.total_cents, Bill.due_on),
        "ledger": select(LedgerEntry.id, LedgerEntry.account_id, LedgerEntry.kind, LedgerEntry.amount_cents,
                         LedgerEntry.effective_on, LedgerEntry.reverses_id),
        "payments": select(Payment.id, Payment.idempotency_key, Payment.amount_cents, Payment.status),
        "licenses": select(License.id, License.number, License.status, License.fee_cents),
    }
    with Session(engine) as session:
        return {name: hashlib.sha256(repr(session.execute(query.order_by(query.selected_columns[0])).all())
                                     .encode()).hexdigest() for name, query in queries.items()}


def test_the_same_seed_gives_the_same_city_and_another_seed_another(
        city: Engine, empty_database: Callable[[], Engine], city_rules) -> None:
    again = empty_database()
    load(again, city_rules)
    assert fingerprint(again) == fingerprint(city)
    other = empty_database()
    load(other, city_rules, seed=2027)
    different = fingerprint(other)
    assert all(different[table] != digest for table, digest in fingerprint(city).items())


def test_a_second_load_into_a_city_is_refused_and_changes_nothing(city: Engine, city_rules) -> None:
    before = fingerprint(city)
    with pytest.raises(DemoRefused, match="already holds a city"):
        load(city, city_rules, seed=99)
    assert fingerprint(city) == before


def test_an_as_of_date_before_the_rates_reach_is_refused(empty_database: Callable[[], Engine], city_rules) -> None:
    engine = empty_database()
    with pytest.raises(DemoRefused, match="no version in force"):
        load_demo(engine, city_rules, accounts=ACCOUNTS, licenses=LICENSES, seed=1, as_of=AS_OF.replace(year=2024),
                  now=NOW)
    with Session(engine) as session:
        assert session.scalars(select(Customer)).first() is None
