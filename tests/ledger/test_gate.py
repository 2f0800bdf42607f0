"""The posting gate: what every ledger entry must be, and every way of posting passes through it."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from engine.money import cash, gate, ledger
from engine.money.bounds import MoneyLimits
from engine.money.gate import (NEW_BOOKS, Admitted, Books, LedgerError, Posting, Reversed, admit_all, admit_many,
                               cents_of)
from engine.money.ledger.bulk import NewCharge, post_charges
from engine.money.payments import post_counter_payment
from engine.store.models import Bill, LedgerEntry
from tests.factories import NOW, create_account
from tests.ledger.money_support import create_user

DAY = date(2026, 3, 2)


def test_a_charge_is_booked_to_water_sales_and_a_payment_to_cash():
    charge, payment = admit_all([Posting(1, "charge", 5203, DAY), Posting(1, "payment", -5203, DAY)], NEW_BOOKS)
    assert (charge.cents, charge.fund, charge.gl_account) == (5203, "510", "4210")
    assert (payment.cents, payment.fund, payment.gl_account) == (-5203, "510", "1010")


@pytest.mark.parametrize("kind, cents, message", [
    ("charge", -100, "a charge is a positive amount"),
    ("fee", -2500, "a fee is a positive amount"),
    ("payment", 100, "a payment is a negative amount"),
    ("write_off", 100, "a write_off is a negative amount"),
    ("adjustment", 0, r"a adjustment of \$0.00 posts nothing"),
    ("bonus", 100, "unknown kind of ledger entry 'bonus'"),
])
def test_an_entry_whose_sign_or_kind_does_not_fit_is_refused(kind, cents, message):
    with pytest.raises(LedgerError, match=message):
        admit_all([Posting(1, kind, cents, DAY)], NEW_BOOKS)


def test_one_bad_posting_refuses_the_whole_list():
    with pytest.raises(LedgerError, match="a fee is a positive amount"):
        admit_all([Posting(1, "charge", 100, DAY), Posting(2, "fee", -100, DAY)], NEW_BOOKS)


def test_a_reversal_mirrors_its_entry_and_is_booked_where_it_was():
    late_fee = Reversed(entry_id=7, cents=2500, fund="510", gl_account="4310")
    [admitted] = admit_all([Posting(1, "reversal", -2500, DAY, late_fee)], NEW_BOOKS)
    assert (admitted.fund, admitted.gl_account) == ("510", "4310")
    for wrong in (Posting(1, "reversal", -2400, DAY, late_fee), Posting(1, "reversal", -2500, DAY)):
        with pytest.raises(LedgerError, match="exact opposite amount"):
            admit_all([wrong], NEW_BOOKS)


@pytest.mark.parametrize("amount", ["52.035", "Infinity", "NaN"])
def test_fractions_of_a_cent_and_non_numbers_are_refused(amount):
    with pytest.raises(LedgerError, match="fractions of a cent"):
        cents_of(Decimal(amount))


def test_cents_must_be_whole():
    with pytest.raises(LedgerError, match="not a whole number of cents"):
        admit_all([Posting(1, "charge", Decimal("52.03"), DAY)], NEW_BOOKS)  # type: ignore[arg-type]


def _admitted_or_refused(admit):
    """What the gate gives: its answer, or the words of its refusal."""
    try:
        return admit()
    except LedgerError as refused:
        return str(refused)


@given(kind=st.sampled_from(["charge", "fee", "payment", "adjustment", "write_off", "deposit", "refund", "reversal",
                             "bonus"]),
       postings=st.lists(st.tuples(st.integers(1, 5),
                                   st.one_of(st.integers(-2_000_000, 2_000_000), st.sampled_from([0, 1, -1]),
                                             st.integers(-10**12, 10**12), st.just(True)),
                                   st.dates(date(2026, 2, 25), date(2026, 3, 5))), max_size=6),
       closed=st.one_of(st.none(), st.dates(date(2026, 2, 25), date(2026, 3, 5))))
def test_the_bulk_entry_admits_and_refuses_as_one_posting_at_a_time_does(kind, postings, closed):
    """admit_many of columns gives each posting's cents, booking and dates as admit_all, or its very refusal."""
    books = Books(MoneyLimits(rule_amount=1_000_000, adjustment=500_000), closed)
    ids, cents, days = [p[0] for p in postings], [p[1] for p in postings], [p[2] for p in postings]
    one_at_a_time = _admitted_or_refused(lambda: admit_all([Posting(*p[:1], kind, *p[1:]) for p in postings], books))
    many = _admitted_or_refused(lambda: admit_many(kind, ids, cents, days, books))
    if isinstance(one_at_a_time, str) or isinstance(many, str):
        assert many == one_at_a_time
    else:
        assert many.cents == [a.cents for a in one_at_a_time] and many.on == [a.on for a in one_at_a_time]
        assert many.dated_on == [a.dated_on for a in one_at_a_time]
        assert all((many.fund, many.gl_account) == (a.fund, a.gl_account) for a in one_at_a_time)


@pytest.fixture()
def refusing_gate(monkeypatch):
    """A gate that refuses every posting and counts what reached it."""
    seen: list[Posting] = []

    def refuse(posting: Posting, chart=None) -> Admitted:
        seen.append(posting)
        raise LedgerError("the gate is closed")

    def refuse_columns(kind, account_ids, cents, days, books):
        """The bulk entry (admit_many): the first posting of the columns is what reached the gate."""
        refuse(Posting(account_ids[0], kind, cents[0], days[0]))

    monkeypatch.setattr(gate, "_admit", refuse)
    monkeypatch.setattr(gate, "_admit_columns", refuse_columns)
    return seen


def _entries(db) -> int:
    return db.scalar(select(func.count()).select_from(LedgerEntry))


def test_every_way_of_posting_goes_through_the_gate(db, refusing_gate):
    """A single posting, a bulk charge, a counter payment and a reversal are each refused by a closed gate."""
    clerk, account = create_user(db), create_account(db)
    cash.open_drawer(db, clerk=clerk, business_date=DAY, opening=Decimal("100.00"), now=NOW)
    before = _entries(db)
    with pytest.raises(LedgerError):
        ledger.post_fee(db, account.id, Decimal("25.00"), on=DAY, now=NOW, actor="t", description="Late fee")
    with pytest.raises(LedgerError):
        post_counter_payment(db, account_id=account.id, amount="10.00", tender="cash", clerk=clerk, on=DAY,
                             now=NOW)
    bill = Bill(account_id=account.id, cycle="A", period="2026-02", service_from=date(2026, 1, 1),
                service_to=date(2026, 1, 31), billed_on=date(2026, 2, 1), due_on=date(2026, 2, 21),
                consumption_ccf=12, total_cents=5203, rule_id="water-rates-residential", rule_version="2026-01-01", explanation={})
    db.add(bill)
    db.flush()
    with pytest.raises(LedgerError):
        post_charges(db, [NewCharge(account.id, 5203, date(2026, 2, 1), date(2026, 2, 21), "Water", "A-2026-02",
                                    "water-rates-residential", "2026-01-01", bill.id)], now=NOW, actor="billing")
    assert [p.kind for p in refusing_gate] == ["fee", "payment", "charge"]
    assert _entries(db) == before


def test_a_reversal_goes_through_the_gate(db, monkeypatch):
    account = create_account(db)
    fee = ledger.post_fee(db, account.id, Decimal("25.00"), on=DAY, now=NOW, actor="t", description="Late fee")
    seen = []
    admit = gate._admit
    monkeypatch.setattr(gate, "_admit", lambda posting, chart: seen.append(posting) or admit(posting, chart))
    ledger.reverse(db, fee.id, on=DAY, now=NOW, actor="t", reason="waived")
    assert [(p.kind, p.cents, p.reverses.entry_id) for p in seen] == [("reversal", -2500, fee.id)]
