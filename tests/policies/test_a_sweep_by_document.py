"""Sebring, FL's deposit balances returned at termination, as a sweep the city adds by publishing a document (and a
version of the refunds workflow carrying the tag the document reads): every closed account left with a credit of
$1.00 or more gets a refund case for all of it; one under $1.00 gets none; a second night opens nothing more.

City of Sebring, FL, Utilities, "Deposits": "Upon termination of service and payment of the final bill, any remaining
deposit shall be returned to the customer if said deposit balance is $1 or more".
"""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select

from engine.money import ledger
from engine.store.models import Case
from engine.sweeps.registry import get_sweep
from engine.sweeps.report import SweepReport
from engine.sweeps.runner import SweepContext
from tests.factories import sample_version
from tests.policies.town import WORKFLOWS, Town, at, town

PUBLISHED = date(2026, 6, 1)
SWEEP = """\
id: closed-account-balances
kind: sweep
title: Remaining balances of closed accounts returned
department: finance
versions:
  - effective: 2026-06-01
    reference: "City of Sebring Utilities: Deposits"
    subjects: {accounts_in_status: [closed]}
    workflow: credit_refunds
    opens:
      when: {fact: refundable, gte: 1}
      fields:
        amount: {fact: refundable}
        source: {value: closed_account}
"""


@pytest.fixture()
def city(db) -> Town:
    """The sweep document, then the refunds workflow's version carrying its tag, published 2026-06-01."""
    city = town(db, PUBLISHED)
    city.publish(SWEEP)
    text = (WORKFLOWS / "refunds.yaml").read_text(encoding="utf-8")
    version = sample_version("refunds")
    tagged = text.replace(f"version: {version}\ntags: [refund_requests]\n",
                          f"version: {version + 1}\neffective: 2026-06-01\ntags: [refund_requests, credit_refunds]\n", 1)
    assert tagged != text
    city.publish_workflow(tagged)
    return city


def closed_with_credit(city: Town, credit: str) -> int:
    """A closed account whose final bill of $40.00 was paid, and `credit` more besides."""
    account_id = city.account(status="closed")
    ledger.post_charge(city.db, account_id, Decimal("40.00"), on=date(2026, 4, 1), due_on=date(2026, 4, 22),
                       now=at(date(2026, 4, 1)), actor="billing", description="Final bill", service="water")
    city.pay(account_id, "40.00", on=date(2026, 4, 20))
    ledger.post(city.db, account_id=account_id, kind="payment", amount=-Decimal(credit), on=date(2026, 4, 21),
                now=at(date(2026, 4, 21)), actor="carla", description="Payment (check)", reference=f"x-{account_id}")
    return account_id


def night(city: Town, day: date) -> dict:
    """The sweep run over every subject for a night, in the test's session; its report."""
    catalog = city.catalog
    sweep = get_sweep("closed-account-balances", catalog.rules)
    ctx = SweepContext("closed-account-balances", day, datetime.combine(day, time(11, 0), tzinfo=timezone.utc),
                       SweepReport(), False, catalog)
    ids = sweep.subject_ids(city.db, ctx, 0, 10_000)
    sweep.process_chunk(city.db, ids, ctx)
    return ctx.report.to_json()


def test_closed_accounts_with_a_dollar_or_more_get_their_refund_case(city):
    dollar, cents_only, ninety = (closed_with_credit(city, "1.00"), closed_with_credit(city, "0.99"),
                                  closed_with_credit(city, "90.00"))
    assert night(city, PUBLISHED)["cases_opened"] == {"refunds": 2}
    cases = city.db.scalars(select(Case).where(Case.workflow_id == "refunds").order_by(Case.id)).all()
    assert [(c.account_id, c.fields["amount"], c.opened_by) for c in cases] == [
        (dollar, "1.00", "sweep:closed-account-balances"), (ninety, "90.00", "sweep:closed-account-balances")]
    assert cents_only not in [c.account_id for c in cases]
    assert night(city, date(2026, 6, 8))["cases_opened"] == {}
