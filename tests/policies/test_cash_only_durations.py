"""Nags Head, NC's returned checks: after two returned in 18 months, guaranteed funds only for the next 24 months —
a measure of returns over 18 months and a cash-only-status version with `for: {months: 24}`, published through the
store; the nightly cash-only review keeps the status through the day before its end and clears it on the day.

Town of Nags Head, NC, "Returned Checks": "After two returned checks within an 18-month period, the account will be
required to be paid by guaranteed funds for the next twenty four months."
"""
from __future__ import annotations

from datetime import date, datetime, time, timezone

import pytest

from engine.store.models import UtilityAccount
from engine.sweeps.cash_only_review import CashOnlyReviewSweep
from engine.sweeps.report import SweepReport
from engine.sweeps.runner import SweepContext
from tests.policies.test_returned_payments import returned_check
from tests.policies.town import Town, town

PUBLISHED = date(2026, 4, 1)
REFERENCE = "Town of Nags Head: Returned Checks"


@pytest.fixture()
def city(db) -> Town:
    """Returns counted over 18 months, and two of them making an account cash-only for 24 months."""
    city = town(db, PUBLISHED)
    city.publish(f"""\
id: returned-payments-18m
kind: measure
title: Payments returned in the last 18 months
department: finance
subject: account
provides: returned_payments_18m
versions:
  - effective: {PUBLISHED.isoformat()}
    reference: "{REFERENCE}"
    count:
      of: returned_payments
      within: {{months: 18}}
""")
    city.add_version("cash-only-status", f"""\
  - effective: {PUBLISHED.isoformat()}
    reference: "{REFERENCE}"
    hit: first
    rules:
      - name: Two returned checks within 18 months
        when: {{fact: returned_payments_18m, gte: 2}}
        then: {{cash_only: true}}
        for: {{months: 24}}
      - name: Otherwise
        then: {{cash_only: false}}""", inputs={"returned_payments_18m": "{type: integer, min: 0, required: false}"})
    return city


def review(city: Town, account_id: int, night: date) -> bool:
    """The nightly cash-only review of the account on a night; whether it is still cash-only after."""
    now = datetime.combine(night, time(10, 0), tzinfo=timezone.utc)
    ctx = SweepContext("cash-only-review", night, now, SweepReport(), False, city.catalog)
    CashOnlyReviewSweep().process_chunk(city.db, [account_id], ctx)
    return city.db.get(UtilityAccount, account_id).cash_only


def test_two_returns_in_18_months_mean_guaranteed_funds_for_24_months_to_the_day(city):
    account_id = city.account()
    assert returned_check(city, account_id, "60.00", date(2026, 5, 4)).cash_only is False
    second = returned_check(city, account_id, "60.00", date(2027, 9, 1))  # 16 months later: within 18
    assert second.cash_only is True
    account = city.db.get(UtilityAccount, account_id)
    assert account.cash_only_until == date(2029, 9, 1)
    # By the trailing count the status would lapse in March 2029 (18 months after the second return); it holds.
    assert review(city, account_id, date(2029, 3, 2)) is True
    assert review(city, account_id, date(2029, 8, 31)) is True
    assert review(city, account_id, date(2029, 9, 1)) is False


def test_returns_19_months_apart_are_not_two_within_18_months(city):
    account_id = city.account()
    returned_check(city, account_id, "60.00", date(2026, 5, 4))
    assert returned_check(city, account_id, "60.00", date(2027, 12, 6)).cash_only is False
