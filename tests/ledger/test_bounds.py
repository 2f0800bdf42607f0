"""Bounds where money and dates enter: the two readers, the city's ceilings, the paid-on window, gate, database."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from engine import city
from engine.money import ledger, parse_money, parse_plain_money
from engine.money.amounts import LARGEST_AMOUNT_CENTS
from engine.money.bounds import (LARGEST, BoundError, MoneyLimits, check_limits, check_paid_on, machine_amount,
                                 typed_amount)
from engine.money.gate import NEW_BOOKS, Books, LedgerError, Posting, admit_all
from engine.money.limits import city_limits
from engine.store.models import DEFAULT_CEILINGS, DEFAULT_PAID_ON_DAYS_BACK, LONGEST_PAID_ON_WINDOW, LedgerEntry
from engine.money import bounds
from tests.factories import NOW, create_account

DAY = date(2026, 3, 2)
API = MoneyLimits().ceiling("api_payment")


@pytest.mark.parametrize("typed, amount", [("52.03", "52.03"), ("$1,234.50", "1234.50"), (" 7 ", "7.00"),
                                           ("-$25.00", "-25.00"), (".50", "0.50"), ("1,000,000", "1000000.00")])
def test_a_person_may_type_dollars_with_a_sign_and_thousands_commas(typed, amount):
    assert parse_money(typed) == Decimal(amount)


@pytest.mark.parametrize("typed", ["1e3", "NaN", "Infinity", "١٠٠", "1,00", "12,34.00", "52.", "$", "", "  ",
                                   "1 000", "5-", "0x10", "+5"])
def test_a_person_may_not_type_anything_else(typed):
    with pytest.raises(ValueError, match="is not an amount of money"):
        parse_money(typed)


@pytest.mark.parametrize("sent", ["1e3", "$10", "1,000.00", " 52.03", "52.03\n", "١٠٠", "NaN", "-Infinity", "+5",
                                  ".5", "5.", Decimal("1E+3"), True, 52.03, None])
def test_a_machine_sends_plain_digits_or_is_refused(sent):
    with pytest.raises(ValueError, match="is not an amount of money"):
        parse_plain_money(sent)


@pytest.mark.parametrize("sent, amount", [("52.03", "52.03"), ("-5", "-5.00"), (100, "100.00"),
                                          (Decimal("19.99"), "19.99"), ("007.5", "7.50")])
def test_plain_digits_are_read_exactly(sent, amount):
    assert parse_plain_money(sent) == Decimal(amount)


@pytest.mark.parametrize("reader", [machine_amount, typed_amount])
def test_a_refusal_names_the_field_and_the_limit(reader):
    with pytest.raises(BoundError, match=r"^amount: at most \$100,000.00 for an API payment$"):
        reader("100000.01", field="amount", ceiling=API)
    with pytest.raises(BoundError, match=r"^amount: at most \$100,000.00 for an API payment$"):
        reader("9" * 400, field="amount", ceiling=API)  # no 500, no arithmetic on 400 digits
    with pytest.raises(BoundError, match=r"^amount: '0.001' has more than two decimals$"):
        reader("0.001", field="amount", ceiling=API)
    assert reader("100000.00", field="amount", ceiling=API) == Decimal("100000.00")
    assert reader("-100000.00", field="amount", ceiling=API) == Decimal("-100000.00")


def test_the_paid_on_window_names_the_field_and_the_limit():
    assert check_paid_on(date(2025, 12, 2), field="paid_on", business_day=DAY, days_back=90) == date(2025, 12, 2)
    with pytest.raises(BoundError, match=r"^paid_on: 2026-03-03 is after today \(2026-03-02\)"):
        check_paid_on(date(2026, 3, 3), field="paid_on", business_day=DAY, days_back=90)
    with pytest.raises(BoundError, match=r"^paid_on: 1900-01-01 is more than 90 days before the business day "
                                         r"2026-03-02 \(the earliest is 2025-12-02\)$"):
        check_paid_on(date(1900, 1, 1), field="paid_on", business_day=DAY, days_back=90)


def test_a_new_city_has_the_default_limits_and_the_city_page_columns_agree():
    assert MoneyLimits() == MoneyLimits(**DEFAULT_CEILINGS, paid_on_days_back=DEFAULT_PAID_ON_DAYS_BACK)
    assert bounds.LONGEST_PAID_ON_WINDOW == LONGEST_PAID_ON_WINDOW
    limits = MoneyLimits()
    assert (limits.api_payment, limits.rule_amount, limits.paid_on_days_back) == (10_000_000, 100_000_000, 90)
    assert limits.largest().cents == 100_000_000 <= LARGEST_AMOUNT_CENTS


def test_the_city_s_limits_are_read_from_its_settings(db):
    assert city_limits(db) == MoneyLimits()  # not saved yet: the defaults
    saved = city.update_city(db, actor="admin1", now=NOW, name="City of Alder Creek")
    saved.api_payment_ceiling_cents = 2_500_000
    db.flush()
    assert city_limits(db).ceiling("api_payment").refusal() == "at most $25,000.00 for an API payment"


@pytest.mark.parametrize("changes, field", [({"refund": 0}, "refund"), ({"api_payment": LARGEST_AMOUNT_CENTS + 1},
                                                                        "api_payment"),
                                            ({"paid_on_days_back": -1}, "paid_on_days_back")])
def test_limits_out_of_range_are_refused_by_name(changes, field):
    with pytest.raises(BoundError, match=f"^{field}: "):
        check_limits(MoneyLimits(**changes))


def test_the_database_refuses_a_ceiling_beyond_the_largest(db):
    saved = city.update_city(db, actor="admin1", now=NOW, name="City of Alder Creek")
    with pytest.raises(IntegrityError):
        with db.begin_nested():
            saved.counter_payment_ceiling_cents = LARGEST_AMOUNT_CENTS + 1
            db.flush()


# --- the gate --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind, cents, words", [
    ("charge", 100_000_001, r"at most \$1,000,000.00 for an amount from the rules .*this charge is \$1,000,000.01"),
    ("fee", 100_000_001, r"at most \$1,000,000.00 for an amount from the rules"),
    ("payment", -10_000_001, r"at most \$100,000.00 for a payment; this payment is \$100,000.01"),
    ("refund", 10_000_001, r"at most \$100,000.00 for a refund"),
    ("adjustment", -10_000_001, r"at most \$100,000.00 for an adjustment"),
    ("write_off", -100_000_001, r"at most \$1,000,000.00 for any entry"),
])
def test_the_gate_refuses_an_entry_beyond_its_kind_s_ceiling(kind, cents, words):
    with pytest.raises(LedgerError, match=f"^amount: {words}"):
        admit_all([Posting(1, kind, cents, DAY)], NEW_BOOKS)
    [within] = admit_all([Posting(1, kind, cents - (1 if cents > 0 else -1), DAY)], NEW_BOOKS)
    assert within.on == DAY and within.dated_on is None


def test_a_payment_may_be_as_large_as_the_highest_payment_ceiling():
    generous_counter = Books(MoneyLimits(counter_payment=50_000_000))
    [admitted] = admit_all([Posting(1, "payment", -50_000_000, DAY)], generous_counter)
    assert admitted.cents == -50_000_000


def test_a_reversal_may_undo_an_entry_up_to_the_largest_amount():
    from engine.money.gate import Reversed
    big = Reversed(entry_id=9, cents=LARGEST.cents, fund="510", gl_account="4210")
    [admitted] = admit_all([Posting(1, "reversal", -LARGEST.cents, DAY, big)], NEW_BOOKS)
    assert admitted.cents == -LARGEST.cents


def test_an_entry_dated_on_a_closed_day_is_booked_on_the_next_open_day():
    books = Books(MoneyLimits(), closed_through=date(2026, 3, 2))
    early, closed, open_ = admit_all([Posting(1, "fee", 2500, date(2026, 2, 1)), Posting(1, "fee", 2500, DAY),
                                      Posting(1, "fee", 2500, date(2026, 3, 4))], books)
    assert (early.on, early.dated_on) == (date(2026, 3, 3), date(2026, 2, 1))
    assert (closed.on, closed.dated_on) == (date(2026, 3, 3), DAY)
    assert (open_.on, open_.dated_on) == (date(2026, 3, 4), None)


def test_an_oversized_fee_posts_nothing(db):
    account = create_account(db)
    with pytest.raises(LedgerError, match=r"at most \$1,000,000.00"):
        ledger.post_fee(db, account.id, Decimal("1000000.01"), on=DAY, now=NOW, actor="t", description="Fee")
    assert ledger.balance_cents(db, account.id) == 0


# --- the database ------------------------------------------------------------------------------


@pytest.mark.parametrize("cents", [LARGEST_AMOUNT_CENTS + 1, -LARGEST_AMOUNT_CENTS - 1, 10**16, -9 * 10**16])
def test_the_database_refuses_a_ledger_amount_beyond_the_largest(db, cents):
    account = create_account(db)
    with pytest.raises(IntegrityError):
        with db.begin_nested():
            db.add(LedgerEntry(account_id=account.id, kind="charge", amount_cents=cents, effective_on=DAY,
                               posted_at=NOW, actor="test", description="x"))
            db.flush()


@pytest.mark.parametrize("table, column", [("payments", "amount_cents"), ("bills", "total_cents"),
                                           ("bill_lines", "amount_cents"), ("deposits", "amount_cents"),
                                           ("cash_drawers", "opening_cents"), ("ledger_entries", "amount_cents")])
def test_every_money_column_carries_the_bound(db, table, column):
    dialect = db.get_bind().dialect.name
    if dialect == "sqlite":
        sql = db.scalar(text("SELECT sql FROM sqlite_master WHERE name = :t"), {"t": table})
    else:
        sql = " ".join(db.scalars(text("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = "
                                       "CAST(:t AS regclass) AND contype = 'c'"), {"t": table}))
    assert f"{column}" in sql and str(LARGEST_AMOUNT_CENTS) in sql
