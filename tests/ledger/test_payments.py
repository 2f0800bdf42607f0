"""Counter payments into drawers, payment files imported whole and once, returned checks, cash balancing, GL export."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from engine.money import cash, ledger
from engine.money.cash import CashError
from engine.accounts.returns import return_payment
from engine.money.payments import (Confirmation, PaymentError, PaymentFile, import_payment_file, import_payments,
                                   parse_payment_file, post_counter_payment)
from engine.store.models import AuditEntry, LedgerEntry, Payment
from tests.factories import NOW, create_account
from tests.ledger.billing_support import library
from tests.ledger.money_support import create_user, payment_file

DAY = date(2026, 3, 2)


def _bill(db, account, amount="52.03"):
    """A bill of `amount` due on the 21st of February."""
    return ledger.post_charge(db, account.id, Decimal(amount), on=date(2026, 2, 1), due_on=date(2026, 2, 21),
                              now=NOW, actor="billing:A-2026-02", description="Water and sewer")


def test_counter_payment_needs_an_open_drawer_and_an_overpayment_leaves_a_credit(db):
    """No drawer, no payment; $100 on a $52.03 bill leaves a $47.97 credit."""
    clerk, account = create_user(db), create_account(db)
    _bill(db, account)
    with pytest.raises(PaymentError, match="no open cash drawer"):
        post_counter_payment(db, account_id=account.id, amount="100.00", tender="cash", clerk=clerk, on=DAY, now=NOW)
    cash.open_drawer(db, clerk=clerk, business_date=DAY, opening=Decimal("150.00"), now=NOW)
    payment = post_counter_payment(db, account_id=account.id, amount="100.00", tender="cash", clerk=clerk, on=DAY,
                                   now=NOW, idempotency_key="form-1")
    again = post_counter_payment(db, account_id=account.id, amount="100.00", tender="cash", clerk=clerk, on=DAY,
                                 now=NOW, idempotency_key="form-1")
    assert again.id == payment.id
    assert ledger.standing(db, account.id, DAY).balance == Decimal("-47.97")
    assert db.scalar(select(func.count()).select_from(AuditEntry)
                     .where(AuditEntry.action == "ledger.payment", AuditEntry.subject_id == str(account.id))) == 1


def test_a_cash_only_account_cannot_pay_by_check(db):
    """The counter refuses a check from a cash-only account with a clear message, and takes cash."""
    clerk, account = create_user(db), create_account(db, cash_only=True)
    cash.open_drawer(db, clerk=clerk, business_date=DAY, opening=Decimal("0"), now=NOW)
    with pytest.raises(PaymentError, match="cash-only.*check is not accepted"):
        post_counter_payment(db, account_id=account.id, amount="20.00", tender="check", clerk=clerk, on=DAY, now=NOW,
                             check_number="2001")
    paid = post_counter_payment(db, account_id=account.id, amount="20.00", tender="cash", clerk=clerk, on=DAY,
                                now=NOW)
    assert ledger.balance_cents(db, account.id) == -2000
    with pytest.raises(PaymentError, match="cash payment cannot be returned"):
        return_payment(db, paid.id, reason="NSF", on=DAY, actor=clerk.username, now=NOW, library=library())


def test_drawer_balancing_shows_the_variance_and_only_a_supervisor_closes_the_day(db):
    """$150 float + $80 cash + a $52.03 check; counted $225 cash is $5 short; clerk refused, supervisor closes."""
    clerk, supervisor, account = create_user(db), create_user(db, "supervisor"), create_account(db)
    day = date(2026, 3, 3)
    drawer = cash.open_drawer(db, clerk=clerk, business_date=day, opening=Decimal("150.00"), now=NOW)
    post_counter_payment(db, account_id=account.id, amount="80.00", tender="cash", clerk=clerk, on=day, now=NOW)
    post_counter_payment(db, account_id=account.id, amount="52.03", tender="check", clerk=clerk, on=day, now=NOW,
                         check_number="1042")
    with pytest.raises(CashError, match="still open"):
        cash.close_day(db, day, user=supervisor, now=NOW)
    cash.count_drawer(db, drawer.id, {"cash": Decimal("225.00"), "check": Decimal("52.03")}, user=clerk, now=NOW)
    report = {line.tender: line for line in cash.balancing(db, day)}
    assert (report["cash"].expected_cents, report["cash"].counted_cents, report["cash"].variance_cents) == \
        (23000, 22500, -500)
    assert report["check"].variance_cents == 0 and report["card"].expected_cents == 0
    with pytest.raises(CashError, match="only supervisors and administrators may close the business day"):
        cash.close_day(db, day, user=clerk, now=NOW)
    cash.close_day(db, day, user=supervisor, now=NOW)
    assert drawer.status == "closed" and drawer.closed_by_id == supervisor.id
    with pytest.raises(CashError, match="closed"):
        cash.open_drawer(db, clerk=create_user(db), business_date=day, opening=Decimal("0"), now=NOW)


def test_gl_export_balances_to_the_days_postings(db):
    """Charges, fees, payments, a refund, a write-off, a reversal: debits equal credits, receivables move by the day's sum."""
    from engine.money.deposits import take_deposit
    day = date(2026, 3, 4)
    clerk, account, other = create_user(db), create_account(db), create_account(db)
    cash.open_drawer(db, clerk=clerk, business_date=day, opening=Decimal("0"), now=NOW)
    ledger.post_charge(db, account.id, Decimal("97.45"), on=day, due_on=date(2026, 3, 25), now=NOW, actor="b",
                       description="bill")
    fee = ledger.post_fee(db, account.id, Decimal("25.00"), on=day, now=NOW, actor="clerk", description="fee")
    ledger.reverse(db, fee.id, on=day, now=NOW, actor="supervisor", reason="waived")
    post_counter_payment(db, account_id=account.id, amount="150.00", tender="card", clerk=clerk, on=day, now=NOW)
    ledger.post_refund(db, account.id, Decimal("20.00"), on=day, now=NOW, actor="supervisor")
    ledger.post_charge(db, other.id, Decimal("40.00"), on=day, due_on=day, now=NOW, actor="b", description="bill")
    ledger.post_write_off(db, other.id, Decimal("15.50"), on=day, now=NOW, actor="supervisor", reason="uncollectible")
    take_deposit(db, other.id, on=day, now=NOW, actor="clerk", library=library(), amount=Decimal("185.00"))
    rows = cash.gl_export(db, day)
    debits = sum(Decimal(r["debit"]) for r in rows)
    credits = sum(Decimal(r["credit"]) for r in rows)
    assert debits == credits > 0
    day_sum = sum(db.scalars(select(LedgerEntry.amount_cents).where(LedgerEntry.effective_on == day)))
    receivable = {(r["fund"], r["account"]): Decimal(r["debit"]) - Decimal(r["credit"]) for r in rows}
    assert receivable[("510", "1210")] == Decimal(day_sum) / 100
    assert receivable[("510", "1010")] == Decimal("150.00") - Decimal("20.00") + Decimal("185.00")
    assert receivable[("510", "4910")] == Decimal("15.50")
    assert ("510", "4310") not in receivable  # the fee and its reversal cancel


def test_an_import_file_with_bad_lines_posts_nothing_then_posts_each_payment_once(committing_db, tmp_path):
    """Bad lines are named by number and the file posts nothing; the good lines alone post once each, however often."""
    on_march_4 = datetime(2026, 3, 4, 17, 0, tzinfo=timezone.utc)  # imported the day the file's payments were made
    with committing_db() as s, s.begin():
        first, second, cash_only = (create_account(s), create_account(s), create_account(s, cash_only=True))
        numbers = first.number, second.number, cash_only.number
    good = [
        f"{numbers[0]},52.03,2026-03-04,check,1042,LBX-1",        # line 2
        f"{numbers[1]},40.00,2026-03-04,,,",                      # line 3: no transaction id
        f"{numbers[1]},40.00,2026-03-04,,,",                      # line 4: the same again may be a second payment
    ]
    path = payment_file(tmp_path / "lockbox-0304.csv", good + [
        "NO-SUCH,10.00,2026-03-04,check,7,LBX-4",                 # line 5
        f"{numbers[0]},12.345,2026-03-04,check,8,LBX-5",          # line 6
        f"{numbers[0]},25.00,03/04/2026,check,9,LBX-6",           # line 7
        f"{numbers[2]},30.00,2026-03-04,check,10,LBX-7",          # line 8: cash-only account
        f"{numbers[0]},-5.00,2026-03-04,check,11,LBX-8",          # line 9
        f"{numbers[0]},5.00,2026-03-04,bitcoin,,LBX-9",           # line 10
    ])
    def run(file_path, confirm=False):
        with open(file_path, newline="") as handle:
            rows, problems = parse_payment_file(handle, "lockbox")
        report = import_payments(committing_db, rows, source="lockbox", file_name=file_path.name, now=on_march_4,
                                 chunk=2)
        if confirm and report.awaiting_confirmation:
            report = import_payment_file(committing_db, PaymentFile(file_path.name, "lockbox", report.file_sha256,
                                                                    rows, problems), now=on_march_4,
                                         confirmation=Confirmation(report.file_sha256, "supervisor1"))
        return sorted(problems + report.problems, key=lambda p: p.line), report
    problems, report = run(path)
    assert [p.line for p in problems] == [5, 6, 7, 8, 9, 10]
    assert "unknown account" in problems[0].message and "more than two decimals" in problems[1].message
    assert "not a date" in problems[2].message and "cash-only" in problems[3].message
    assert report.posted == 0  # one bad line refuses the whole file
    with committing_db() as s:
        assert s.scalar(select(func.count()).select_from(Payment)) == 0

    corrected = payment_file(tmp_path / "lockbox-0304-corrected.csv", good)
    problems, report = run(corrected, confirm=True)  # lines 3 and 4 look alike: a supervisor confirms them
    assert problems == [] and report.posted == 3 and report.posted_cents == 5203 + 4000 + 4000
    renamed = tmp_path / "copy-of-lockbox.csv"
    renamed.write_text(corrected.read_text())
    _, again = run(renamed)
    assert again.posted == 0 and again.already_posted == 1 and again.awaiting_confirmation
    with committing_db() as s:
        assert s.scalar(select(func.count()).select_from(Payment)) == 3
        assert ledger.balance_cents(s, first.id) == -5203 and ledger.balance_cents(s, second.id) == -8000
        assert s.scalar(select(Payment.actor).limit(1)) == "import:lockbox-0304-corrected.csv"


def test_returned_checks_reverse_charge_the_fee_and_make_the_account_cash_only(db):
    """First return: reversal and $25; second within 12 months: $35 and cash-only."""
    clerk, account = create_user(db), create_account(db)
    _bill(db, account, "100.00")
    cash.open_drawer(db, clerk=clerk, business_date=DAY, opening=Decimal("0"), now=NOW)
    one = post_counter_payment(db, account_id=account.id, amount="100.00", tender="check", clerk=clerk, on=DAY,
                               now=NOW, check_number="3001")
    two = post_counter_payment(db, account_id=account.id, amount="60.00", tender="check", clerk=clerk, on=DAY,
                               now=NOW, check_number="3002")
    first = return_payment(db, one.id, reason="NSF", on=date(2026, 3, 10), actor=clerk.username, now=NOW,
                           library=library())
    assert first.reversal.amount_cents == 10000 and first.reversal.kind == "reversal"
    assert first.fee.amount_cents == 2500 and first.fee.rule_id == "returned-payment-fee"
    assert not first.cash_only
    with pytest.raises(PaymentError, match="already returned"):
        return_payment(db, one.id, reason="NSF", on=date(2026, 3, 10), actor=clerk.username, now=NOW,
                       library=library())
    second = return_payment(db, two.id, reason="account closed", on=date(2026, 4, 2), actor=clerk.username, now=NOW,
                            library=library())
    assert second.fee.amount_cents == 3500 and second.facts["returned_payments_12m"] == 2
    assert second.cash_only and second.became_cash_only and account.cash_only
    assert ledger.balance_cents(db, account.id) == 10000 + 2500 + 3500
    assert db.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "account.cash_only", AuditEntry.subject_id == str(account.id))) == 1
    with pytest.raises(PaymentError, match="cash-only"):
        post_counter_payment(db, account_id=account.id, amount="10.00", tender="check", clerk=clerk, on=DAY, now=NOW,
                             check_number="3003")
