"""The counter: open a drawer, post payments (bad ones post nothing), count, balance, close the day, GL export."""
from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from sqlalchemy import func, select

from engine.audit_checkpoints import check_log
from engine.store.models import AuditCheckpoint, AuditEntry, CashDrawer, Payment
from tests.factories import create_account
from tests.web.pages import TODAY, charge, fixed_clock  # noqa: F401  (fixture)


def payments_on(db, account) -> int:
    """How many payments an account has."""
    return db.scalar(select(func.count()).select_from(Payment).where(Payment.account_id == account.id))


@pytest.fixture()
def owing(db):
    """An account owing $120.00, due February 5."""
    account = create_account(db)
    charge(db, account, "120.00", on=date(2026, 1, 15), due_on=date(2026, 2, 5))
    return account


def test_a_counter_payment_from_drawer_to_balanced_day(fixed_clock, login_as, db, owing):
    clerk = login_as("clerk")
    assert "You have no cash drawer open" in clerk.get("/payments/").get_data(as_text=True)
    opened = clerk.post("/payments/drawer/open", data={"opening": "150.00"}, follow_redirects=True)
    assert "Your drawer is open for 2026-03-02 with $150.00." in opened.get_data(as_text=True)

    form = clerk.get(f"/payments/?account={owing.number}").get_data(as_text=True)
    assert f'value="{owing.number}"' in form
    response = clerk.post("/payments/", data={"account": owing.number, "amount": "50.00", "tender": "cash",
                                              "key": "k-1"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.request.path == f"/accounts/{owing.number}"
    assert "Received $50.00 cash on account" in page and "Balance now $70.00." in page
    assert 'id="balance">$70.00<' in page
    payment = db.scalar(select(Payment).where(Payment.account_id == owing.id))
    assert payment.amount_cents == 5000 and payment.source == "counter" and payment.actor == clerk.user.username
    assert db.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "ledger.payment", AuditEntry.subject_id == str(owing.id))) == 1

    again = clerk.post("/payments/", data={"account": owing.number, "amount": "50.00", "tender": "cash", "key": "k-1"})
    assert again.status_code == 302 and payments_on(db, owing) == 1  # the same form sent twice posts once

    clerk.post("/payments/", data={"account": owing.number, "amount": "20.00", "tender": "check",
                                   "check_number": "1042", "key": "k-2"})
    counted = clerk.post("/payments/drawer/count", data={"cash": "199.00", "check": "20.00", "card": "0"},
                         follow_redirects=True).get_data(as_text=True)
    assert "Your drawer is counted and closed" in counted
    assert "$200.00" in counted and "$199.00" in counted and "-$1.00" in counted  # cash short by a dollar

    assert clerk.post("/payments/day/close", data={"business_date": "2026-03-02"}).status_code == 403
    assert clerk.get("/payments/day/gl-export.csv?date=2026-03-02").status_code == 403
    supervisor = login_as("supervisor")
    closed = supervisor.post("/payments/day/close", data={"business_date": "2026-03-02"}, follow_redirects=True)
    assert "Business day 2026-03-02 closed (1 drawer)." in closed.get_data(as_text=True)
    assert db.scalar(select(CashDrawer.status).where(CashDrawer.clerk_id == clerk.user.id)) == "closed"
    export = supervisor.get("/payments/day/gl-export.csv?date=2026-03-02")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True))))
    assert rows, "the day's postings are in the GL export"


@pytest.mark.parametrize("amount, tender, check, message", [
    ("10.005", "cash", "", "Use at most two decimals (dollars and cents), e.g. 52.03."),
    ("-5.00", "cash", "", "The amount must be more than $0.00."),
    ("0", "cash", "", "The amount must be more than $0.00."),
    ("ten dollars", "cash", "", "Enter an amount of money, e.g. 52.03."),
    ("", "cash", "", "Enter the amount received."),
    ("25.00", "check", "", "Enter the number printed on the check."),
])
def test_a_bad_payment_shows_its_message_and_posts_nothing(fixed_clock, clerk, db, owing, amount, tender, check,
                                                           message):
    clerk.post("/payments/drawer/open", data={"opening": "0"})
    response = clerk.post("/payments/", data={"account": owing.number, "amount": amount, "tender": tender,
                                              "check_number": check, "key": "bad"})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert payments_on(db, owing) == 0


def test_an_unknown_account_is_told_and_nothing_is_posted(fixed_clock, clerk, db):
    clerk.post("/payments/drawer/open", data={"opening": "0"})
    response = clerk.post("/payments/", data={"account": "NO-SUCH-1", "amount": "25.00", "tender": "cash"})
    assert response.status_code == 400
    assert "There is no account numbered NO-SUCH-1." in response.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(Payment).where(Payment.received_on == TODAY)) == 0


def test_without_an_open_drawer_a_payment_is_refused(fixed_clock, clerk, db, owing):
    response = clerk.post("/payments/", data={"account": owing.number, "amount": "25.00", "tender": "cash"})
    assert response.status_code == 400
    assert "has no open cash drawer for 2026-03-02" in response.get_data(as_text=True)
    assert payments_on(db, owing) == 0


def test_a_cash_only_account_refuses_a_check_at_the_counter(fixed_clock, clerk, db):
    account = create_account(db, cash_only=True)
    clerk.post("/payments/drawer/open", data={"opening": "0"})
    response = clerk.post("/payments/", data={"account": account.number, "amount": "25.00", "tender": "check",
                                              "check_number": "77"})
    assert response.status_code == 400 and "is cash-only" in response.get_data(as_text=True)
    assert payments_on(db, account) == 0


def test_a_negative_float_is_refused(fixed_clock, clerk, db):
    page = clerk.post("/payments/drawer/open", data={"opening": "-1"}, follow_redirects=True).get_data(as_text=True)
    assert "The starting amount cannot be negative." in page
    assert db.scalar(select(func.count()).select_from(CashDrawer)) == 0


def test_closing_the_day_on_the_counter_page_seals_the_audit_log(fixed_clock, login_as, db, app):
    """The close writes a checkpoint signed with the app's audit key (never the database's), after the close's row."""
    clerk = login_as("clerk")
    clerk.post("/payments/drawer/open", data={"opening": "100.00"})
    clerk.post("/payments/drawer/count", data={"cash": "100.00", "check": "0", "card": "0"})
    login_as("supervisor").post("/payments/day/close", data={"business_date": "2026-03-02"})
    checkpoint = db.scalar(select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1))
    last = db.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
    assert checkpoint.reason == "day close 2026-03-02" and checkpoint.head_hash == last.hash
    assert last.action == "cash.day_close" and check_log(db, app.config["AUDIT_KEY"]).intact
