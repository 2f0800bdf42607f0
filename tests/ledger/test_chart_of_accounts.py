"""The chart of accounts is the city's: where payments, fees, adjustments, bill lines and the counter are booked."""
from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from engine import city
from engine.chart_of_accounts import SAMPLE, SAMPLE_CHART, ChartError, checked_chart
from engine.money import cash, ledger
from engine.money.ledger.journal import trial_balance
from engine.money.payments import post_counter_payment
from engine.store.models import AuditEntry, BillLine, LedgerEntry
from tests.factories import NOW, create_account, save_city
from tests.ledger.money_support import create_user

DAY = date(2026, 3, 4)


def a_chart(**changes) -> dict:
    """The sample chart with some keys changed."""
    return {**copy.deepcopy(SAMPLE_CHART), **changes}


def booked(rows: list[dict]) -> dict[tuple[str, str], Decimal]:
    """Debit minus credit by (fund, account) of a journal's rows."""
    return {(r["fund"], r["account"]): Decimal(r["debit"]) - Decimal(r["credit"]) for r in rows}


def test_the_sample_chart_books_as_the_city_always_has():
    assert SAMPLE.receivables == ("510", "1210") and SAMPLE.cash == ("510", "1010")
    assert SAMPLE.offset_of("fee") == ("510", "4310") and SAMPLE.offset_of("deposit") == ("510", "2210")
    assert SAMPLE.bill_line_account("Franchise fee (5%)") == ("100", "2310")
    assert SAMPLE.bill_line_account("Sewer service charge") == ("520", "4220")
    assert SAMPLE.bill_line_account("Water usage, tier 2") == ("510", "4210")
    assert checked_chart(SAMPLE_CHART) == SAMPLE_CHART


@pytest.mark.parametrize(("change", "message"), [
    ({"fees": {"fund": "510"}}, "fees needs exactly fund and account"),
    ({"fees": {"fund": "5a0", "account": "4310"}}, "fees fund '5a0' must be digits"),
    ({"write_offs": {"fund": "510", "account": "4" * 13}}, "write_offs account '4444444444444' must be digits"),
    ({"cash_account": True}, "cash_account True must be digits"),
    ({"cash_account": "１０１０"}, "cash_account '１０１０' must be digits"),
    ({"bill_lines": {"word": "sewer"}}, "bill_lines is a list"),
    ({"bill_lines": [{"word": "sewer", "fund": "520"}]}, "bill line 1 needs exactly word, fund and account"),
    ({"bill_lines": [{"word": "", "fund": "520", "account": "4220"}]}, "bill line 1: a word of 1 to 40"),
    ({"bill_lines": [{"word": "Sewer", "fund": "520", "account": "4220"},
                     {"word": "sewer", "fund": "520", "account": "4221"}]}, "bill line 2: the word 'sewer' is given"),
    ({"account_names": {"1010": ""}}, "the name of account 1010 is 1 to 80 characters"),
    ({"account_names": {"cash": "Cash"}}, "account_names code 'cash' must be digits"),
    ({"account_names": {"1010": "Cash\u202e"}}, "the name of account 1010 is 1 to 80 characters"),
    ({"ledger": {"fund": "510", "account": "1"}}, "unknown ledger"),
])
def test_a_bad_chart_is_refused_naming_what_is_wrong(change, message):
    with pytest.raises(ChartError, match=message.replace("(", r"\(")):
        checked_chart(a_chart(**change))


def test_a_chart_missing_a_key_names_it():
    chart = a_chart()
    del chart["over_short"], chart["license_fees"]
    with pytest.raises(ChartError, match="missing over_short, license_fees"):
        checked_chart(chart)
    with pytest.raises(ChartError, match="a mapping of"):
        checked_chart(["receivables"])


def test_a_city_s_own_chart_books_what_is_posted_from_then_on(db):
    """A payment before the change stays where it was booked; one after goes to the new cash account."""
    clerk, account = create_user(db), create_account(db)
    cash.open_drawer(db, clerk=clerk, business_date=DAY, opening=Decimal("0"), now=NOW)
    ledger.post_charge(db, account.id, Decimal("80.00"), on=DAY, due_on=date(2026, 3, 25), now=NOW, actor="b",
                       description="Water usage")
    post_counter_payment(db, account_id=account.id, amount="30.00", tender="card", clerk=clerk, on=DAY, now=NOW)
    save_city(db)
    own = a_chart(cash_account="1001", fees={"fund": "501", "account": "4301"},
                  bill_lines=[{"word": "usage", "fund": "501", "account": "4201"}],
                  account_names={**SAMPLE_CHART["account_names"], "1001": "Pooled cash"})
    city.update_city(db, actor="admin1", now=NOW, chart_of_accounts=own)
    post_counter_payment(db, account_id=account.id, amount="20.00", tender="card", clerk=clerk, on=DAY, now=NOW)
    ledger.post_fee(db, account.id, Decimal("25.00"), on=DAY, now=NOW, actor="clerk", description="Late fee")
    entries = db.scalars(select(LedgerEntry).where(LedgerEntry.account_id == account.id).order_by(LedgerEntry.id))
    assert [(e.kind, e.fund, e.gl_account) for e in entries] == [
        ("charge", "510", "4210"), ("payment", "510", "1010"), ("payment", "510", "1001"), ("fee", "501", "4301")]
    rows = cash.gl_export(db, DAY)
    assert sum(Decimal(r["debit"]) for r in rows) == sum(Decimal(r["credit"]) for r in rows)
    day = booked(rows)
    assert day[("510", "1010")] == Decimal("30.00") and day[("510", "1001")] == Decimal("20.00")
    assert day[("501", "4301")] == Decimal("-25.00")
    assert day[("510", "4210")] == Decimal("-80.00")  # a charge of no bill: where it was booked
    assert day[("510", "1210")] == Decimal("55.00")
    names = {r["account"]: r["account_name"] for r in rows}
    assert names["1001"] == "Pooled cash" and names["4301"] == ""  # a code the chart does not name
    assert booked(trial_balance(db, DAY)) == day
    change = db.scalars(select(AuditEntry).where(AuditEntry.action == "city.update").order_by(AuditEntry.id)).all()[-1]
    old, new = change.detail["chart_of_accounts"]
    assert old["cash_account"] == "1010" and new["cash_account"] == "1001"


def test_the_counter_books_license_fees_and_a_drawer_s_variance_by_the_chart(db):
    from tests.factories import create_license, pay_license_fee
    save_city(db)
    city.update_city(db, actor="admin1", now=NOW, chart_of_accounts=a_chart(
        license_fees={"fund": "101", "account": "4411"}, over_short={"fund": "101", "account": "4951"}))
    lic = create_license(db)
    pay_license_fee(db, lic, DAY)
    clerk = create_user(db)
    drawer = cash.open_drawer(db, clerk=clerk, business_date=DAY, opening=Decimal("10.00"), now=NOW)
    cash.count_drawer(db, drawer.id, {"cash": Decimal("9.00")}, user=clerk, now=NOW)
    day = booked(cash.gl_export(db, DAY))
    assert day[("101", "4411")] < 0 and day[("101", "1010")] > 0  # the fee's revenue against its fund's cash
    assert day[("101", "4951")] == Decimal("1.00")  # a dollar short


def test_a_bill_s_lines_are_booked_by_the_words_of_the_city_s_chart(db):
    """The franchise fee line to the city's own payable, the sewer line to sewer revenue, the rest to `charges`."""
    from engine.money.billing import bill_one_read
    from tests.ledger.billing_support import account_with_reads, library
    save_city(db)
    city.update_city(db, actor="admin1", now=NOW, chart_of_accounts=a_chart(
        charges={"fund": "511", "account": "4211"},
        bill_lines=[{"word": "franchise", "fund": "100", "account": "2399"}]))
    account = account_with_reads(db, [("2026-02", date(2026, 2, 2), 1000, 10)])
    bill_one_read(db, library(), account, read_on=DAY, reading=1012, billed_on=DAY, due_on=date(2026, 3, 25),
                  now=NOW, actor="test", source="test", store=True)
    lines = db.execute(select(BillLine.name, BillLine.amount_cents)).all()
    franchise = sum(cents for name, cents in lines if "franchise" in name.lower())
    assert franchise and any("sewer" in name.lower() for name, _ in lines)
    day = booked(cash.gl_export(db, DAY))
    total = sum(cents for _, cents in lines)
    assert day[("100", "2399")] == -Decimal(franchise) / 100
    assert day[("511", "4211")] == -Decimal(total - franchise) / 100  # sewer too: the city's chart names no sewer
    assert day[("510", "1210")] == Decimal(total) / 100
