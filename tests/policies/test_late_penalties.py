"""Late payment penalties of seven cities, published as versions of the late-fee document (and, where the
city waits some days before charging it, a version of the delinquency workflow), then charged by the
nightly step that mails the past-due reminder.

Every account owes one water bill mailed 2026-04-08; the due date is the city's own (its days to pay).
The city publishes its policy on 2026-04-01, effective that day.
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from engine.workflow.runtime import StepRefused
from tests.policies.town import Town, cents, town

PUBLISHED, MAILED = date(2026, 4, 1), date(2026, 4, 8)
REMINDER = "mail_reminder"


@pytest.fixture()
def city(db) -> Town:
    """The sample city, publishing from 2026-04-01."""
    return town(db, PUBLISHED)


def late_fee(city: Town, reference: str, lines: str) -> None:
    """A version of late-fee from the day the city publishes, with the city's own lines."""
    city.add_version("late-fee", f"""\
  - effective: {PUBLISHED.isoformat()}
    reference: "{reference}"
    service: fees
    lines:
{lines}""")


def wait_days(city: Town, days: int) -> None:
    """A delinquency workflow version whose reminder (and late fee) waits until the bill is `days` days past due."""
    city.revise_workflow("delinquency", ("    when: {fact: days_past_due, gte: 1}\n    actions:\n      - fee: late-fee",
                                         f"    when: {{fact: days_past_due, gte: {days}}}\n    actions:\n"
                                         "      - fee: late-fee"))


def charged(city: Town, owed: str, due: date, on: date, *, service: str = "water") -> list[tuple[date, int]]:
    """A bill of `owed` due on `due`, unpaid: the case the sweep opens the day after, the reminder taken on `on`;
    the late fees posted (day, cents)."""
    account_id = city.account()
    city.bill(account_id, owed, on=MAILED, due_on=due, service=service)
    case = city.open_case("delinquency", account_id, due + timedelta(days=1), period="2026-04")
    city.take(case, REMINDER, "sweep:delinquency", on)
    return [(day, amount) for day, amount, _ in city.fees(account_id)]


def refused_on(city: Town, owed: str, due: date, on: date) -> list[str]:
    """Why the reminder (and its fee) is not taken on `on`."""
    account_id = city.account()
    city.bill(account_id, owed, on=MAILED, due_on=due)
    case = city.open_case("delinquency", account_id, due + timedelta(days=1), period="2026-04")
    with pytest.raises(StepRefused) as refused:
        city.take(case, REMINDER, "sweep:delinquency", on)
    assert city.fees(case.subject_id) == []
    return refused.value.reasons


def test_marysville_wa_five_percent_of_the_amount_past_due(city):
    """City of Marysville, WA, Utility Billing, "Late Fees & Returned Payments": "the city will assess a late
    fee equal to 5% of the amount past due". $120.00 past due: $6.00; $1,234.56: $61.73 (61.728 rounded)."""
    late_fee(city, "Marysville, WA: Late Fees & Returned Payments", """\
      - name: Late fee (5% of the amount past due)
        percent: {of: {fact: past_due_balance}, rate: 5}""")
    due = date(2026, 4, 29)
    assert charged(city, "120.00", due, due + timedelta(days=1)) == [(date(2026, 4, 30), cents("6.00"))]
    assert charged(city, "1234.56", due, due + timedelta(days=1)) == [(date(2026, 4, 30), cents("61.73"))]


def test_indio_ca_five_percent_once_five_days_have_passed(city):
    """Indio, CA, Code of Ordinances § 54.127 "Penalty for delinquency in payment of bill": when the delinquency
    "continues for a period of five days after the final date for payment of the bill a penalty of 5% of the
    unpaid current balance shall be added". Due 2026-04-29: not on 2026-05-04 (the fifth day), $6.00 on 05-05."""
    late_fee(city, "Indio Municipal Code § 54.127", """\
      - name: Penalty for delinquency (5% of the unpaid balance)
        percent: {of: {fact: past_due_balance}, rate: 5}""")
    wait_days(city, 6)
    due = date(2026, 4, 29)
    assert refused_on(city, "120.00", due, date(2026, 5, 4)) == [
        "the conditions are not met: days_past_due = 5 >= 6: no"]
    assert charged(city, "120.00", due, date(2026, 5, 5)) == [(date(2026, 5, 5), cents("6.00"))]


def test_eden_id_five_dollars_when_unpaid_thirty_days_after_mailing(city):
    """Eden, ID, City Code 7-1-3: a bill "not paid within thirty (30) days of the date it is mailed, shall cause
    the customer to be assessed a late fee of five dollars ($5.00)". Mailed 2026-04-08: due 2026-05-08, the
    $5.00 fee on 2026-05-09, whatever the amount."""
    late_fee(city, "Eden City Code 7-1-3 (Ord. 2012-1)", """\
      - name: Late fee
        amount: 5.00""")
    due = MAILED + timedelta(days=30)
    assert due == date(2026, 5, 8)
    assert charged(city, "120.00", due, date(2026, 5, 9)) == [(date(2026, 5, 9), cents("5.00"))]
    assert charged(city, "9.99", due, date(2026, 5, 9)) == [(date(2026, 5, 9), cents("5.00"))]


def test_ashland_ky_ten_percent_never_less_than_five_dollars(city):
    """Ashland, KY, Code of Ordinances, utility charges (A) "Penalties and interest": "a penalty of 10%" and "No
    such penalty ... shall be less than $5". $30.00 past due: $5.00 (not $3.00); $120.00: $12.00; $1,000.00:
    $100.00 (no cap, unlike the sample city's $75.00)."""
    late_fee(city, "Ashland Code of Ordinances, utility penalties and interest (A)", """\
      - name: Penalty (10%, at least $5.00)
        percent: {of: {fact: past_due_balance}, rate: 10}
        min: 5.00""")
    due = date(2026, 4, 29)
    for owed, fee in (("30.00", "5.00"), ("120.00", "12.00"), ("1000.00", "100.00")):
        assert charged(city, owed, due, due + timedelta(days=1)) == [(date(2026, 4, 30), cents(fee))]


def test_streetsboro_oh_twenty_eight_days_to_pay_then_ten_percent(city):
    """Streetsboro, OH, Codified Ordinances 925.13(a): customers have "not less than twenty-eight (28) days to pay
    water bills, from the date such bills are mailed"; unpaid as of the due date, "a penalty of ten percent
    (10%) of the bill". Mailed 2026-04-08, due 2026-05-06; a $250.00 bill: $25.00 on 2026-05-07."""
    late_fee(city, "Streetsboro Codified Ordinances 925.13 (Ord. 2017-131)", """\
      - name: Penalty (10% of the bill)
        percent: {of: {fact: past_due_balance}, rate: 10}""")
    due = MAILED + timedelta(days=28)
    assert charged(city, "250.00", due, due + timedelta(days=1)) == [(date(2026, 5, 7), cents("25.00"))]


def test_columbia_il_five_percent_of_the_sewer_bill(city):
    """Columbia, IL, Municipal Code 13.20.050 "Delinquent payment charge": a sewer bill unpaid "on or before the
    fifteenth day of the month following the period" carries "a delayed payment charge in the amount of five
    percent of the amount of the bill". The April sewer bill of $86.40, due 2026-05-15: $4.32 on 2026-05-16."""
    late_fee(city, "Columbia Municipal Code 13.20.050", """\
      - name: Delayed payment charge (5%)
        percent: {of: {fact: past_due_balance}, rate: 5}""")
    due = date(2026, 5, 15)
    assert charged(city, "86.40", due, due + timedelta(days=1), service="sewer") == [
        (date(2026, 5, 16), cents("4.32"))]


def test_greendale_in_ten_percent_of_the_first_three_dollars_and_three_percent_of_the_rest(city):
    """Greendale, IN, Code of Ordinances, water rates (A): bills "not paid within ten days from the due date" are
    "subject to a collection or deferred payment charge of 10% on the first $3, and 3% on the excess over $3"
    (tiers over the amount owed). Due 2026-04-29: nothing on 2026-05-09 (the tenth day), and on 2026-05-10 for
    $120.00: 0.30 + 3% of 117.00 = $3.81; for $2.00: $0.20."""
    late_fee(city, "Greendale Code of Ordinances, water service charges (A) (Ord. 2006-1)", """\
      - name: Collection charge (10% of the first $3, 3% of the rest)
        tiers:
          fact: past_due_balance
          blocks:
            - {upto: 3.00, rate: 0.10}
            - {rate: 0.03}""")
    wait_days(city, 11)
    due = date(2026, 4, 29)
    assert refused_on(city, "120.00", due, date(2026, 5, 9)) == [
        "the conditions are not met: days_past_due = 10 >= 11: no"]
    assert charged(city, "120.00", due, date(2026, 5, 10)) == [(date(2026, 5, 10), cents("3.81"))]
    assert charged(city, "2.00", due, date(2026, 5, 10)) == [(date(2026, 5, 10), cents("0.20"))]
