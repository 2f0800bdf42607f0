"""Ottawa County, OH's late-penalty waiver, published as versions of late-fee and late-fee-waiver-eligibility: a
10% penalty charged by the reminder step, and one waiver of it in a one-year period, asked by a clerk at the
counter as an adjustment that reverses the fee.

Ottawa County, OH, Sanitary Engineering, "Customer Penalty Waiver": "customers contesting the 10% late penalty
charged to their accounts may be granted a one time waiver of said charge during a one year period", provided
"No prior requests have been granted for a waiver during the previous one year period".
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from engine.accounts.adjustments import NotEligible
from engine.workflow.adjustments import request_adjustment
from tests.policies.town import Town, at, cents, town

PUBLISHED = date(2026, 4, 1)
REFERENCE = "Ottawa County Sanitary Engineering: Customer Penalty Waiver"


@pytest.fixture()
def city(db) -> Town:
    """The county's 10% penalty and its one-waiver-a-year rule, published 2026-04-01."""
    city = town(db, PUBLISHED)
    city.add_version("late-fee", f"""\
  - effective: {PUBLISHED.isoformat()}
    reference: "{REFERENCE}"
    service: fees
    lines:
      - name: Late penalty (10%)
        percent: {{of: {{fact: past_due_balance}}, rate: 10}}""")
    city.add_version("late-fee-waiver-eligibility", f"""\
  - effective: {PUBLISHED.isoformat()}
    reference: "{REFERENCE}"
    hit: first
    rules:
      - name: A penalty was already waived in the previous one year period
        when: {{fact: late_fee_waivers_12m, gte: 1}}
        then: {{eligible: false, reason: waived_within_a_year}}
      - name: No penalty waived in the previous one year period
        then: {{eligible: true, reason: first_waiver}}""")
    return city


def penalty(city: Town, account_id: int, mailed: date, owed: str):
    """A bill mailed on `mailed`, due 21 days later, unpaid: the reminder step charges the penalty the next day;
    the ledger entry of that penalty, and the case."""
    due = mailed + timedelta(days=21)
    city.bill(account_id, owed, on=mailed, due_on=due)
    case = city.open_case("delinquency", account_id, due + timedelta(days=1), period=mailed.strftime("%Y-%m"))
    event = city.take(case, "mail_reminder", "sweep:delinquency", due + timedelta(days=1))
    fee = next(d for x in event.explanation for d in x.get("done", []) if d.get("action") == "fee")
    return fee["ledger_entry"], case


def waive(city: Town, account_id: int, entry_id: int, on: date):
    """carla waives the penalty at the counter."""
    return request_adjustment(city.db, city.catalog, account_id, actor="carla", on=on, now=at(on),
                              code="late_fee_waiver", fee_entry_id=entry_id, note="customer contests the penalty")


def test_one_waiver_of_the_penalty_in_a_one_year_period(city):
    account_id = city.account()
    first, case = penalty(city, account_id, date(2026, 4, 8), "120.00")
    assert city.fees(account_id) == [(date(2026, 4, 30), cents("12.00"), "Late payment penalty on utility bills")]
    done = waive(city, account_id, first, date(2026, 5, 4))
    assert (done.entry.amount_cents, done.entry.reverses_id, done.case) == (-cents("12.00"), first, None)
    city.pay(account_id, "120.00", on=date(2026, 5, 4))
    city.take(case, "paid", "sweep:delinquency", date(2026, 5, 5))
    second, _ = penalty(city, account_id, date(2026, 9, 8), "80.00")
    with pytest.raises(NotEligible) as refused:
        waive(city, account_id, second, date(2026, 10, 5))
    assert str(refused.value) == ("Late-fee waiver is not allowed: A penalty was already waived in the previous one "
                                  "year period (late-fee-waiver-eligibility)")
    assert waive(city, account_id, second, date(2027, 5, 5)).entry.amount_cents == -cents("8.00")
