"""Service deposits of four cities: the amount by meter size (deposit-amount) when service starts, and when a
held deposit is credited back (deposit-refund-eligibility), decided by the nightly deposit step.

The city publishes on 2026-04-01. Accounts opened on 2025-03-01 have 13 whole months of service on 2026-04-06,
the night the refunds are decided; a late payment is a late fee the reminder step charged.
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from engine.accounts.deposit_refunds import refund_eligible_deposits
from engine.money.deposits import take_deposit
from engine.rulebook.revisions import published_library
from engine.store.models import Deposit
from tests.policies.town import Town, at, cents, town

REFUND_RULE = "deposit-refund-eligibility"  # the criteria the sample city's deposit-refunds sweep names

PUBLISHED, OPENED, NIGHT = date(2026, 4, 1), date(2025, 3, 1), date(2026, 4, 6)


@pytest.fixture()
def city(db) -> Town:
    """The sample city, publishing from 2026-04-01."""
    return town(db, PUBLISHED)


def test_atlanta_ga_deposits_by_meter_size(city):
    """Atlanta, GA, Code of Ordinances § 154-114(b) "Deposits for water service": "¾ $80.00, 1 to 2 140.00, 3 to 4
    300.00, 6 to 8 500.00". The sample city's meter sizes each get Atlanta's amount for their band (published
    2026-07-02, after the sample city's own 2026-07-01 amounts)."""
    city.today = date(2026, 7, 2)
    city.add_version("deposit-amount", """\
  - effective: 2026-07-02
    reference: "Atlanta Code of Ordinances § 154-114(b)"
    lines:
      - name: Service deposit
        table:
          fact: meter_size
          values: {'3/4"': 80.00, '1"': 140.00, '1-1/2"': 140.00, '2"': 140.00, '3"': 300.00, '4"': 300.00,
                   '6"': 500.00}""")
    library = published_library(city.db)
    taken = {}
    for size in ('3/4"', '1"', '1-1/2"', '2"', '3"', '4"', '6"'):
        account_id = city.account(meter_size=size)
        deposit = take_deposit(city.db, account_id, on=date(2026, 7, 3), now=at(date(2026, 7, 3)), actor="carla",
                               library=library)
        taken[size] = (deposit.amount_cents, deposit.rule_version)
    assert taken == {'3/4"': (8000, "2026-07-02"), '1"': (14000, "2026-07-02"), '1-1/2"': (14000, "2026-07-02"),
                     '2"': (14000, "2026-07-02"), '3"': (30000, "2026-07-02"), '4"': (30000, "2026-07-02"),
                     '6"': (50000, "2026-07-02")}


def eligibility(city: Town, reference: str, late_payments_allowed: int) -> None:
    """A version of deposit-refund-eligibility from the day the city publishes: 12 months of service, no shut-off
    and no returned payment in 12 months, at most `late_payments_allowed` late payments."""
    city.add_version("deposit-refund-eligibility", f"""\
  - effective: {PUBLISHED.isoformat()}
    reference: "{reference}"
    hit: first
    rules:
      - name: Less than 12 months of service
        when: {{fact: months_of_service, lt: 12}}
        then: {{eligible: false, reason: under_12_months}}
      - name: Shut off for nonpayment in the last 12 months
        when: {{fact: shutoffs_12m, gte: 1}}
        then: {{eligible: false, reason: shutoff}}
      - name: Returned payment in the last 12 months
        when: {{fact: returned_payments_12m, gte: 1}}
        then: {{eligible: false, reason: returned_payment}}
      - name: More than {late_payments_allowed} late payments in the last 12 months
        when: {{fact: late_payments_12m, gt: {late_payments_allowed}}}
        then: {{eligible: false, reason: late_payments}}
      - name: Twelve months of good payment
        then: {{eligible: true, reason: good_payment_history}}""")


def decided(city: Town, late_payments: int) -> tuple[bool, str, int]:
    """An account opened 2025-03-01 with a $160.00 deposit and `late_payments` late bills in the last year (each
    charged its late fee by the reminder step, then paid and the case resolved): whether the night credits the deposit back, why, and
    the balance after."""
    account_id = city.account(opened_on=OPENED, meter_size='5/8"')
    library = published_library(city.db)
    take_deposit(city.db, account_id, on=OPENED, now=at(OPENED), actor="carla", library=library)
    for month in range(late_payments):
        mailed = date(2025, 6 + month, 8)
        due = mailed + timedelta(days=21)
        city.bill(account_id, "80.00", on=mailed, due_on=due)
        case = city.open_case("delinquency", account_id, due + timedelta(days=1), period=mailed.strftime("%Y-%m"))
        city.take(case, "mail_reminder", "sweep:delinquency", due + timedelta(days=1))
        city.pay(account_id, "88.00", on=due + timedelta(days=3))
        city.take(case, "paid", "sweep:delinquency", due + timedelta(days=4))
    [decision] = refund_eligible_deposits(city.db, as_of=NIGHT, now=at(NIGHT), actor="sweep:deposit-refunds",
                                          library=library, rule=REFUND_RULE,
                                          account_ids=[account_id])
    deposit = city.db.query(Deposit).filter_by(account_id=account_id).one()
    return decision.eligible, decision.reason, deposit.status


@pytest.mark.parametrize("source, allowed", [
    # Cedar Park, TX, Utility Billing FAQ "When is my deposit refunded?": "After a year of good service, customers
    # in good standing with no more than 1 late payment, no disconnects, and no returned items will receive a
    # statement credit of their deposit."
    ("Cedar Park, TX: Utility Billing FAQ, deposit refunds", 1),
    # Palestine, TX, Code of Ordinances § 98-88 "Refund of deposit": one year of continuous service, "no more than
    # two late payments in the past 12 months", no disconnects, no returned checks.
    ("Palestine Code of Ordinances § 98-88", 2),
    # Corry, PA, Code of Ordinances § 52.178 "Deposit": returned "after 12 consecutive months of billing paid
    # without penalty".
    ("Corry Code of Ordinances § 52.178", 0),
])
def test_the_deposit_comes_back_after_a_year_with_no_more_late_payments_than_the_city_allows(city, source, allowed):
    """With as many late payments as the city allows the deposit is credited back that night; with one more it
    stays held, for late payments."""
    eligibility(city, source, allowed)
    assert decided(city, allowed) == (True, "good_payment_history", "refunded")
    assert decided(city, allowed + 1) == (False, "late_payments", "held")
