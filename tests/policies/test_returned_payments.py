"""Returned-payment fees and cash-only rules of six cities, published as versions of returned-payment-fee and
cash-only-status, then applied when the bank returns a check taken at the counter.

The city publishes on 2026-04-01; each check is taken at the counter and returned by the bank five days
later, as the payments clerk records it.
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from engine.accounts.returns import return_payment
from engine.money import cash
from engine.money.payments import post_counter_payment
from engine.rulebook.revisions import published_library
from engine.store.models import User
from tests.policies.town import Town, at, cents, town

PUBLISHED = date(2026, 4, 1)


@pytest.fixture()
def city(db) -> Town:
    """The sample city, publishing from 2026-04-01."""
    return town(db, PUBLISHED)


def fee_version(city: Town, reference: str, lines: str) -> None:
    """A version of returned-payment-fee from the day the city publishes."""
    city.add_version("returned-payment-fee", f"""\
  - effective: {PUBLISHED.isoformat()}
    reference: "{reference}"
    service: fees
    lines:
{lines}""")


def cash_only_after(city: Town, reference: str, returns: int) -> None:
    """A version of cash-only-status from the day the city publishes: cash only from the `returns`-th return
    counted in 12 months."""
    city.add_version("cash-only-status", f"""\
  - effective: {PUBLISHED.isoformat()}
    reference: "{reference}"
    hit: first
    rules:
      - name: {returns} or more returned payments in 12 months
        when: {{fact: returned_payments_12m, gte: {returns}}}
        then: {{cash_only: true}}
      - name: Otherwise
        then: {{cash_only: false}}""")


def returned_check(city: Town, account_id: int, amount: str, returned_on: date):
    """A check for `amount` taken at the counter five days before `returned_on` and returned by the bank then."""
    paid_on = returned_on - timedelta(days=5)
    clerk = city.db.query(User).filter_by(username="carla").one()
    if cash.drawer_of(city.db, clerk, paid_on) is None:
        cash.open_drawer(city.db, clerk=clerk, business_date=paid_on, opening=Decimal("0"), now=at(paid_on))
    payment = post_counter_payment(city.db, account_id=account_id, amount=amount, tender="check", clerk=clerk,
                                   on=paid_on, now=at(paid_on), check_number="1042")
    return return_payment(city.db, payment.id, reason="NSF", on=returned_on, actor="sam", now=at(returned_on),
                          library=published_library(city.db))


def fees_and_standing(city: Town, returns: list[date], amount: str = "60.00") -> tuple[list[tuple[date, int]], bool]:
    """An account whose checks come back on the given days: the fees posted and whether it ends cash-only."""
    account_id = city.account()
    cash_only = False
    for day in returns:
        cash_only = returned_check(city, account_id, amount, day).cash_only
    return [(day, amount) for day, amount, _ in city.fees(account_id)], cash_only


def test_marysville_wa_forty_dollars_a_returned_check(city):
    """City of Marysville, WA, "Late Fees & Returned Payments": repayment "along with a $40 returned-check fee"."""
    fee_version(city, "Marysville, WA: Late Fees & Returned Payments", """\
      - name: Returned-check fee
        amount: 40.00""")
    fees, _ = fees_and_standing(city, [date(2026, 5, 4)])
    assert fees == [(date(2026, 5, 4), cents("40.00"))]


def test_eden_id_twenty_five_dollars_for_each_returned_check(city):
    """Eden, ID, City Code 7-1-4: a check returned for a closed account or insufficient funds is "assessed an
    additional fee of twenty five dollars ($25.00) per each returned check" — the second too."""
    fee_version(city, "Eden City Code 7-1-4 (Ord. 2012-1)", """\
      - name: Returned check fee
        amount: 25.00""")
    fees, _ = fees_and_standing(city, [date(2026, 5, 4), date(2026, 6, 8)])
    assert fees == [(date(2026, 5, 4), cents("25.00")), (date(2026, 6, 8), cents("25.00"))]


def test_ashland_ky_thirty_five_dollars_and_cash_only_after_the_second_in_twelve_months(city):
    """Ashland, KY, Code of Ordinances, utility charges (C) "Returned payment fee": "a fee of $35", and "after the
    second such occurrence within a 12-month period, the city may require payment by cash, cashier's check or
    money order". Returns on 2026-05-04 and 2027-05-03 (within 12 months): cash-only; on 2026-05-04 and
    2027-05-04 (12 months and a day): not."""
    fee_version(city, "Ashland Code of Ordinances, utility charges (C)", """\
      - name: Returned payment fee
        amount: 35.00""")
    cash_only_after(city, "Ashland Code of Ordinances, utility charges (C)", 2)
    fees, cash_only = fees_and_standing(city, [date(2026, 5, 4), date(2027, 5, 3)])
    assert fees == [(date(2026, 5, 4), cents("35.00")), (date(2027, 5, 3), cents("35.00"))]
    assert cash_only is True
    assert fees_and_standing(city, [date(2026, 5, 4), date(2027, 5, 4)])[1] is False


def test_banning_ca_twenty_five_then_thirty_five_and_cash_only_at_two_in_twelve_months(city):
    """City of Banning, CA, Utility Billing FAQ "returned check": "First-time occurrences are subject to a $25
    returned check fee ..., second occurrences will be $35. If an account has two returned checks within a
    12-month period, the account will be placed on a 'Cash Only' status"."""
    fee_version(city, "Banning, CA: Utility Billing FAQ, returned checks", """\
      - name: Returned check fee (first)
        when: {fact: returned_payments_12m, lte: 1}
        amount: 25.00
      - name: Returned check fee (second or later)
        when: {fact: returned_payments_12m, gte: 2}
        amount: 35.00""")
    cash_only_after(city, "Banning, CA: Utility Billing FAQ, returned checks", 2)
    fees, cash_only = fees_and_standing(city, [date(2026, 5, 4), date(2026, 9, 14)])
    assert fees == [(date(2026, 5, 4), cents("25.00")), (date(2026, 9, 14), cents("35.00"))]
    assert cash_only is True


def test_danville_va_fifty_dollars_and_cash_only_with_two_returned_checks(city):
    """City of Danville, VA, Central Collections, "Returned Checks Policies": "A $50 processing fee is charged on
    all returned checks" and "Accounts with two returned checks will be placed on 'Cash Only' status". One
    return: not cash-only; the second: cash-only."""
    fee_version(city, "Danville, VA: Central Collections, Returned Checks Policies", """\
      - name: Returned check processing fee
        amount: 50.00""")
    cash_only_after(city, "Danville, VA: Central Collections, Returned Checks Policies", 2)
    fees, cash_only = fees_and_standing(city, [date(2026, 5, 4)])
    assert (fees, cash_only) == ([(date(2026, 5, 4), cents("50.00"))], False)
    fees, cash_only = fees_and_standing(city, [date(2026, 5, 4), date(2026, 7, 20)])
    assert (fees[-1], cash_only) == ((date(2026, 7, 20), cents("50.00")), True)


def test_benton_county_tn_cash_only_from_the_third_bad_check_in_twelve_months(city):
    """Benton County Electric System, TN, Service Policies, "Returned Checks": "a Forty Dollar ($40.00) charge ...
    for each check returned" and "Any customer presenting three bad checks within a 12-month period will be
    required to pay their account by credit card or cash only". Two returns: not cash-only; the third: cash-only."""
    fee_version(city, "Benton County Electric System: Service Policies, Returned Checks", """\
      - name: Returned check charge
        amount: 40.00""")
    cash_only_after(city, "Benton County Electric System: Service Policies, Returned Checks", 3)
    fees, cash_only = fees_and_standing(city, [date(2026, 5, 4), date(2026, 6, 8)])
    assert (len(fees), cash_only) == (2, False)
    fees, cash_only = fees_and_standing(city, [date(2026, 5, 4), date(2026, 6, 8), date(2026, 8, 10)])
    assert fees == [(date(2026, 5, 4), 4000), (date(2026, 6, 8), 4000), (date(2026, 8, 10), 4000)]
    assert cash_only is True
