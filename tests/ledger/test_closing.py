"""Closed means closed: days close in order; a later posting dated on a closed day is booked on the next open day."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from engine.money import cash, ledger, reports
from engine.money.billing import parse_reads, run_billing
from engine.money.business_days import books, closed_through
from engine.money.cash import CashError
from engine.money.deposits import take_deposit
from engine.money.payments import post_counter_payment
from engine.store.models import ClosedDay, LedgerEntry, Payment
from tests.factories import NOW, create_account
from tests.ledger.billing_support import account_with_reads, library, reads_file
from tests.ledger.money_support import create_user

MONDAY, TUESDAY, WEDNESDAY, THURSDAY = date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4), date(2026, 3, 5)


def _counter_day(db, clerk, account, day, amount="40.00"):
    """A drawer opened, one cash payment taken and the drawer counted, on a day."""
    drawer = cash.open_drawer(db, clerk=clerk, business_date=day, opening=Decimal("0"), now=NOW)
    post_counter_payment(db, account_id=account.id, amount=amount, tender="cash", clerk=clerk, on=day, now=NOW)
    cash.count_drawer(db, drawer.id, {"cash": Decimal(amount)}, user=clerk, now=NOW)
    return drawer


def test_the_first_close_closes_the_books_through_that_day(db):
    supervisor, account = create_user(db, "supervisor"), create_account(db)
    ledger.post_fee(db, account.id, Decimal("25.00"), on=date(2025, 6, 1), now=NOW, actor="t", description="old")
    cash.close_day(db, MONDAY, user=supervisor, now=NOW)
    assert closed_through(db) == MONDAY
    assert cash.day_is_closed(db, date(2025, 6, 1)) and cash.day_is_closed(db, MONDAY)
    assert not cash.day_is_closed(db, TUESDAY)
    for day in (MONDAY, date(2026, 2, 27)):
        with pytest.raises(CashError, match=f"the business day {day} is already closed"):
            cash.close_day(db, day, user=supervisor, now=NOW)


def test_days_close_in_order(db):
    """Tuesday has postings: Thursday waits until Tuesday is closed; Wednesday had nothing and need not be."""
    clerk, supervisor, account = create_user(db), create_user(db, "supervisor"), create_account(db)
    cash.close_day(db, MONDAY, user=supervisor, now=NOW)
    ledger.post_fee(db, account.id, Decimal("25.00"), on=TUESDAY, now=NOW, actor="t", description="Late fee")
    _counter_day(db, clerk, account, THURSDAY)
    with pytest.raises(CashError, match="the business day 2026-03-03 has postings or drawers and is still open; "
                                        "days close in order, so close 2026-03-03 first"):
        cash.close_day(db, THURSDAY, user=supervisor, now=NOW)
    cash.close_day(db, TUESDAY, user=supervisor, now=NOW)
    cash.close_day(db, THURSDAY, user=supervisor, now=NOW)
    assert closed_through(db) == THURSDAY


def test_an_uncounted_drawer_on_an_earlier_day_holds_the_first_close(db):
    clerk, supervisor = create_user(db), create_user(db, "supervisor")
    cash.open_drawer(db, clerk=clerk, business_date=MONDAY, opening=Decimal("0"), now=NOW)
    with pytest.raises(CashError, match="2026-03-02 has postings or drawers and is still open"):
        cash.close_day(db, TUESDAY, user=supervisor, now=NOW)


def test_a_posting_dated_on_a_closed_day_lands_on_the_next_open_day_and_the_day_never_changes(db):
    clerk, supervisor, account = create_user(db), create_user(db, "supervisor"), create_account(db)
    _counter_day(db, clerk, account, MONDAY)
    cash.close_day(db, MONDAY, user=supervisor, now=NOW)
    export, receipts = cash.gl_export_csv(db, MONDAY), reports.daily_receipts(db, MONDAY)

    fee = ledger.post_fee(db, account.id, Decimal("25.00"), on=MONDAY, now=NOW, actor="t", description="Late fee")
    month_ago = ledger.post_adjustment(db, account.id, Decimal("-5.00"), on=date(2026, 2, 2), now=NOW, actor="t",
                                       reason="meter misread")
    assert (fee.effective_on, fee.dated_on) == (TUESDAY, MONDAY)
    assert (month_ago.effective_on, month_ago.dated_on) == (TUESDAY, date(2026, 2, 2))
    assert cash.gl_export_csv(db, MONDAY) == export
    assert reports.daily_receipts(db, MONDAY) == receipts
    tuesday = {(r["fund"], r["account"]): r for r in cash.gl_export(db, TUESDAY)}
    assert tuesday[("510", "4310")]["credit"] == "25.00" and tuesday[("510", "4390")]["debit"] == "5.00"


def test_the_counter_works_in_the_next_open_day_once_today_is_closed(db):
    """Monday closed at four; a customer still pays at the counter: Tuesday's drawer, paid on Monday."""
    clerk, supervisor, account = create_user(db), create_user(db, "supervisor"), create_account(db)
    cash.close_day(db, MONDAY, user=supervisor, now=NOW)
    with pytest.raises(CashError, match="closed"):
        cash.open_drawer(db, clerk=clerk, business_date=MONDAY, opening=Decimal("0"), now=NOW)
    assert cash.counter_day(db, MONDAY) == TUESDAY
    drawer = cash.open_drawer(db, clerk=clerk, business_date=cash.counter_day(db, MONDAY), opening=Decimal("0"),
                              now=NOW)
    payment = post_counter_payment(db, account_id=account.id, amount="30.00", tender="cash", clerk=clerk, on=MONDAY,
                                   now=NOW)
    entry = db.scalar(select(LedgerEntry).where(LedgerEntry.payment_id == payment.id))
    assert (payment.drawer_id, payment.received_on) == (drawer.id, MONDAY)
    assert (entry.effective_on, entry.dated_on) == (TUESDAY, MONDAY)
    assert [r["amount"] for r in reports.daily_receipts(db, TUESDAY)] == ["30.00", "30.00"]


def test_a_deposit_taken_on_a_closed_day_is_received_on_the_next_open_day(db):
    supervisor, account = create_user(db, "supervisor"), create_account(db)
    cash.close_day(db, MONDAY, user=supervisor, now=NOW)
    deposit = take_deposit(db, account.id, on=MONDAY, now=NOW, actor="clerk", library=library(),
                           amount=Decimal("185.00"))
    assert deposit.received_on == TUESDAY
    assert cash.gl_export(db, MONDAY) == []


def test_the_books_are_read_once_for_a_batch(db):
    supervisor = create_user(db, "supervisor")
    cash.close_day(db, MONDAY, user=supervisor, now=NOW)
    assert books(db).closed_through == MONDAY and books(db).booking_day(MONDAY) == TUESDAY


def test_a_billing_run_dated_on_a_closed_day_books_its_charges_on_the_next_open_day(committing_db, tmp_path):
    with committing_db() as s, s.begin():
        number = account_with_reads(s, [("2026-01", date(2026, 1, 28), 988, 8)]).number
        cash.close_day(s, date(2026, 3, 1), user=create_user(s, "supervisor"), now=NOW)
    with open(reads_file(tmp_path, [f"{number},2026-02-26,1000"]), newline="") as handle:
        rows, _ = parse_reads(handle)
    report = run_billing(committing_db, library(), cycle="A", period="2026-03", rows=rows, as_of=date(2026, 3, 1),
                         now=NOW)
    assert report.billed == 1
    with committing_db() as s:
        charge = s.scalar(select(LedgerEntry).where(LedgerEntry.kind == "charge"))
        assert (charge.effective_on, charge.dated_on) == (date(2026, 3, 2), date(2026, 3, 1))


def test_a_bill_beyond_the_ceiling_is_a_problem_line_and_posts_nothing(committing_db, tmp_path):
    with committing_db() as s, s.begin():
        number = account_with_reads(s, [("2026-01", date(2026, 1, 28), 988, 8)]).number
    with open(reads_file(tmp_path, [f"{number},2026-02-26,900000000"]), newline="") as handle:
        rows, _ = parse_reads(handle)
    report = run_billing(committing_db, library(), cycle="A", period="2026-03", rows=rows, as_of=date(2026, 3, 1),
                         now=NOW)
    assert report.billed == 0
    assert report.problems[0].message == (
        "the bill would come to $3,383,096,339.67 for 899,999,012 CCF; the city's limit is at most $1,000,000.00 "
        "for an amount from the rules (a bill, fee or deposit): check the reading")
    with committing_db() as s:
        assert s.scalar(select(LedgerEntry.id)) is None


def test_a_closed_day_s_row_never_changes(db):
    cash.close_day(db, MONDAY, user=create_user(db, "supervisor"), now=NOW)
    kept = db.scalar(select(ClosedDay))
    assert kept.gl_export_csv.startswith(b"date,fund,account,account_name,debit,credit\r\n")
    for statement in ("UPDATE closed_days SET gl_export_csv = NULL", "DELETE FROM closed_days"):
        with pytest.raises(DBAPIError, match="append-only"):
            with db.begin_nested():
                db.execute(text(statement))


def test_a_payment_s_receipt_is_on_the_day_it_was_booked(db):
    clerk, supervisor, account = create_user(db), create_user(db, "supervisor"), create_account(db)
    _counter_day(db, clerk, account, MONDAY, "12.00")
    assert reports.daily_receipts(db, MONDAY)[-1]["amount"] == "12.00"
    assert db.scalar(select(Payment.received_on)) == MONDAY
