"""The largest amounts a city may allow: every page and export that sums money still answers, to the cent.

A city may raise each ceiling to $10,000,000.00 and no further (the database refuses more);
docs/money.md shows why no sum of such amounts can pass 64 bits.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from engine import city
from engine.money import ledger, reports
from engine.money.amounts import LARGEST_AMOUNT_CENTS
from engine.money.bounds import CEILING_NAMES
from engine.money.ledger import standings
from engine.store.models import LedgerEntry
from tests.factories import NOW, create_account

LARGEST = Decimal(LARGEST_AMOUNT_CENTS) / 100
DAY = date(2026, 3, 2)
BILLS = 40


def _every_ceiling_at_the_largest(db) -> None:
    """The city's ceilings all raised to the most Ordinance keeps."""
    saved = city.update_city(db, actor="admin1", now=NOW, name="City of Alder Creek")
    for kind in CEILING_NAMES:
        setattr(saved, f"{kind}_ceiling_cents", LARGEST_AMOUNT_CENTS)
    db.flush()


def _largest_history(db, account) -> None:
    """Forty $10,000,000.00 bills, mostly past due, a payment, a fee and a credit adjustment of the same size."""
    for n in range(BILLS):
        ledger.post_charge(db, account.id, LARGEST, on=date(2026, 2, 1), due_on=date(2026, 2, 21), now=NOW,
                           actor="billing", description=f"Bill {n}")
    ledger.post(db, account_id=account.id, kind="payment", amount=-LARGEST, on=DAY, now=NOW, actor="t",
                description="Payment")
    ledger.post_fee(db, account.id, LARGEST, on=DAY, now=NOW, actor="t", description="Fee")
    ledger.post_adjustment(db, account.id, -LARGEST, on=DAY, now=NOW, actor="t", reason="credit")


def test_pages_reports_and_exports_sum_the_largest_amounts(app, db, supervisor):
    _every_ceiling_at_the_largest(db)
    accounts = [create_account(db) for _ in range(3)]
    for account in accounts:
        _largest_history(db, account)
    owed = (BILLS - 1) * LARGEST_AMOUNT_CENTS  # forty bills and a fee, less a payment and a credit
    assert ledger.balance_cents(db, accounts[0].id) == owed
    assert db.scalar(select(func.sum(LedgerEntry.amount_cents))) == 3 * owed

    dashboard = supervisor.get("/")
    assert dashboard.status_code == 200
    page = supervisor.get(f"/accounts/{accounts[0].number}")
    assert page.status_code == 200 and "$390,000,000.00" in page.get_data(as_text=True)
    trial = supervisor.get("/reports/trial-balance?as_of=2026-03-02")
    assert trial.status_code == 200 and "$1,170,000,000.00" in trial.get_data(as_text=True)
    export = supervisor.get("/payments/day/gl-export.csv?date=2026-03-02")
    assert export.status_code == 200 and b"30000000.00" in export.data
    assert supervisor.get("/reports/aging?as_of=2026-03-02").status_code == 200
    assert supervisor.get("/reports/daily-receipts?date=2026-03-02").status_code == 200

    total = reports.trial_balance(db, DAY)[-1]
    assert total["debit"] == total["credit"]
    assert {s.balance_cents for _, s in standings(db, DAY)} == {owed}
