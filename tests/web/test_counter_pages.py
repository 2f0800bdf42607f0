"""The counter: open a drawer, review and post receipts (bad ones post nothing), print, void, count blind, close, export."""
from __future__ import annotations

import csv
import io
import subprocess
from datetime import date

import pytest
from sqlalchemy import func, select

from engine.audit_checkpoints import check_log
from engine.store.models import AuditCheckpoint, AuditEntry, CashDrawer, LedgerEntry, Payment, Receipt
from tests.factories import NOW, create_account, create_license, grant_duty, save_city
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


def receipt_form(lines: list[tuple[str, str, str]], tenders: list[tuple[str, str, str]], key: str = "",
                 **extra: str) -> dict:
    """The counter form's fields: lines (what, number, amount) and tenders (kind, amount, check number)."""
    data = {"key": key, **extra}
    for n, (what, number, amount) in enumerate(lines):
        data.update({f"lines-{n}-what": what, f"lines-{n}-number": number, f"lines-{n}-amount": amount})
    for n, (tender, amount, check) in enumerate(tenders):
        data.update({f"tenders-{n}-tender": tender, f"tenders-{n}-amount": amount, f"tenders-{n}-check_number": check})
    return data


def pay(client, number: str, amount: str, tender: str = "cash", check: str = "", key: str = "", **extra):
    """Post a receipt paying one account with one tender."""
    return client.post("/payments/", data=receipt_form([("account", number, amount)], [(tender, amount, check)], key,
                                                       **extra), **({"follow_redirects": True} if not key else {}))


def test_a_counter_payment_from_drawer_to_balanced_day(fixed_clock, login_as, db, owing):
    clerk = login_as("clerk")
    page = clerk.get("/payments/").get_data(as_text=True)
    assert "You have no cash drawer open for" in page and "the counter takes nothing until you open one" in page
    assert 'name="lines-0-amount"' not in page  # no form while no drawer is open
    opened = clerk.post("/payments/drawer/open", data={"opening": "150.00"}, follow_redirects=True)
    assert "Your drawer is open for Mar 2, 2026 with $150.00." in opened.get_data(as_text=True)

    form = clerk.get(f"/payments/?account={owing.number}").get_data(as_text=True)
    assert f'value="{owing.number}"' in form
    reviewed = clerk.post("/payments/review", data=receipt_form([("account", owing.number, "50.00")],
                                                                [("cash", "60.00", "")], "k-1"))
    text = reviewed.get_data(as_text=True)
    assert reviewed.status_code == 200 and owing.customer.name in text
    assert '<td class="num">$120.00</td>' in text  # the amount due, and past due, before posting
    assert 'id="total">$50.00<' in text and 'id="change">$10.00<' in text
    assert payments_on(db, owing) == 0  # the review posts nothing

    response = clerk.post("/payments/", data=receipt_form([("account", owing.number, "50.00")],
                                                          [("cash", "60.00", "")], "k-1"), follow_redirects=True)
    page = response.get_data(as_text=True)
    receipt = db.scalar(select(Receipt))
    assert response.request.path == f"/payments/receipts/{receipt.id}"
    assert (f"Receipt {receipt.number}: received $50.00; change due $10.00. Account {owing.number} balance now "
            "$70.00.") in page
    payment = db.scalar(select(Payment).where(Payment.account_id == owing.id))
    assert payment.amount_cents == 5000 and payment.source == "counter" and payment.actor == clerk.user.username
    entry = db.scalar(select(LedgerEntry).where(LedgerEntry.payment_id == payment.id))
    assert entry.reference == receipt.number  # one number: the message, the receipt and the ledger
    account_page = clerk.get(f"/accounts/{owing.number}").get_data(as_text=True)
    assert receipt.number in account_page and 'id="balance">$70.00<' in account_page
    assert db.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "ledger.payment", AuditEntry.subject_id == str(owing.id))) == 1

    again = clerk.post("/payments/", data=receipt_form([("account", owing.number, "50.00")], [("cash", "60.00", "")],
                                                       "k-1"))
    assert again.status_code == 302 and payments_on(db, owing) == 1  # the same form sent twice posts once

    pay(clerk, owing.number, "20.00", "check", "1042", key="k-2")
    drawer_page = clerk.get("/payments/drawer").get_data(as_text=True)
    assert "after the count" in drawer_page and "$200.00" not in drawer_page  # the count is blind
    assert receipt.number in drawer_page
    counted = clerk.post("/payments/drawer/count", data={
        "bill_100": "1", "bill_20": "4", "bill_10": "1", "bill_1": "9", "checks-0-number": "1042",
        "checks-0-amount": "20.00"}, follow_redirects=True).get_data(as_text=True)  # $100 + $80 + $10 + $9
    assert "Your drawer is counted and closed" in counted
    assert "$200.00" in counted and "$199.00" in counted and "-$1.00" in counted  # cash short by a dollar

    assert clerk.post("/payments/day/close", data={"business_date": "2026-03-02"}).status_code == 403
    assert clerk.get("/payments/day/gl-export.csv?date=2026-03-02").status_code == 403
    supervisor = login_as("supervisor")
    closed = supervisor.post("/payments/day/close", data={"business_date": "2026-03-02"}, follow_redirects=True)
    assert "Business day Mar 2, 2026 closed (1 drawer)." in closed.get_data(as_text=True)
    assert db.scalar(select(CashDrawer.status).where(CashDrawer.clerk_id == clerk.user.id)) == "closed"
    export = supervisor.get("/payments/day/gl-export.csv?date=2026-03-02")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    rows = {(r["fund"], r["account"]): (r["debit"], r["credit"])
            for r in csv.DictReader(io.StringIO(export.get_data(as_text=True)))}
    assert rows[("510", "4950")] == ("1.00", "0.00")  # the dollar short, on the over/short account
    assert rows[("510", "1010")] == ("69.00", "0.00")  # $70.00 received less the dollar short
    journal = supervisor.get("/payments/day/counter-journal.csv?date=2026-03-02").get_data(as_text=True)
    assert f"2026-03-02,{receipt.number},510,1210,Accounts receivable - utility customers,0.00,50.00" in journal
    drawer_id = db.scalar(select(CashDrawer.id).where(CashDrawer.clerk_id == clerk.user.id))
    assert f"2026-03-02,drawer {drawer_id},510,4950,Cash over and short,1.00,0.00" in journal


@pytest.mark.parametrize("amount, tender, check, message", [
    ("10.005", "cash", "", "Use at most two decimals (dollars and cents), e.g. 52.03."),
    ("-5.00", "cash", "", "The amount must be more than $0.00."),
    ("0", "cash", "", "The amount must be more than $0.00."),
    ("ten dollars", "cash", "", "Enter an amount of money, e.g. 52.03."),
    ("25.00", "check", "", "Enter the number printed on the check."),
])
def test_a_bad_payment_shows_its_message_and_posts_nothing(fixed_clock, clerk, db, owing, amount, tender, check,
                                                           message):
    clerk.post("/payments/drawer/open", data={"opening": "0"})
    response = clerk.post("/payments/", data=receipt_form([("account", owing.number, amount)],
                                                          [(tender, amount, check)], "bad"))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert 'aria-invalid="true"' in response.get_data(as_text=True) or tender == "check"
    assert payments_on(db, owing) == 0


@pytest.mark.parametrize("lines, tenders, message", [
    ([("account", "NO-SUCH-1", "25.00")], [("cash", "25.00", "")], "Line 1: there is no utility account numbered "
                                                                     "NO-SUCH-1."),
    ([("license", "BL-NOPE", "25.00")], [("cash", "25.00", "")], "Line 1: there is no license numbered BL-NOPE."),
    ([("account", "{owing}", "25.00")], [("check", "40.00", "9")],
     "Tender 1: a check of $40.00 is more than the $25.00 due; only cash gives change."),
    ([("account", "{owing}", "25.00")], [], "Tender 1: enter what the customer handed over."),
])
def test_a_refused_receipt_names_what_and_where_and_posts_nothing(fixed_clock, clerk, db, owing, lines, tenders,
                                                                  message):
    clerk.post("/payments/drawer/open", data={"opening": "0"})
    lines = [(what, number.format(owing=owing.number), amount) for what, number, amount in lines]
    for path in ("/payments/review", "/payments/"):
        response = clerk.post(path, data=receipt_form(lines, tenders, "refused"))
        assert response.status_code == 400 and message in response.get_data(as_text=True).replace("&#39;", "'")
    assert db.scalar(select(func.count()).select_from(Payment)) == 0
    assert db.scalar(select(func.count()).select_from(Receipt)) == 0


def test_without_an_open_drawer_a_payment_is_refused(fixed_clock, clerk, db, owing):
    response = clerk.post("/payments/", data=receipt_form([("account", owing.number, "25.00")],
                                                          [("cash", "25.00", "")]))
    assert response.status_code == 400
    assert "has no open cash drawer for 2026-03-02" in response.get_data(as_text=True)
    assert payments_on(db, owing) == 0


def test_a_counted_drawer_takes_nothing_and_the_page_says_so(fixed_clock, clerk, db, owing):
    clerk.post("/payments/drawer/open", data={"opening": "0"})
    clerk.post("/payments/drawer/count", data={})
    page = clerk.get("/payments/").get_data(as_text=True)
    assert "is counted: it takes nothing more" in page and 'name="lines-0-amount"' not in page
    response = clerk.post("/payments/", data=receipt_form([("account", owing.number, "25.00")],
                                                          [("cash", "25.00", "")]))
    assert response.status_code == 400 and "is counted: it takes nothing more" in response.get_data(as_text=True)
    assert payments_on(db, owing) == 0


def test_a_cash_only_account_refuses_a_check_at_the_counter(fixed_clock, clerk, db):
    account = create_account(db, cash_only=True)
    clerk.post("/payments/drawer/open", data={"opening": "0"})
    response = clerk.post("/payments/", data=receipt_form([("account", account.number, "25.00")],
                                                          [("check", "25.00", "77")]))
    assert response.status_code == 400 and "is cash-only" in response.get_data(as_text=True)
    assert payments_on(db, account) == 0


def test_a_water_bill_and_a_license_fee_with_two_tenders_printed_and_voided(fixed_clock, login_as, db, owing):
    """$120.00 + a $150.00 license fee = $270.00: check 5150 for $200.00 and $80.00 cash, $10.00 change."""
    lic = create_license(db, fee_cents=15000)
    clerk = login_as("clerk")
    clerk.post("/payments/drawer/open", data={"opening": "100.00"})
    data = receipt_form([("account", owing.number, "120.00"), ("license", lic.number, "150.00")],
                        [("check", "200.00", "5150"), ("cash", "80.00", "")], "two", payer="Rosalind Quince")
    review = clerk.post("/payments/review", data=data).get_data(as_text=True)
    assert lic.business.name in review and 'id="total">$270.00<' in review and 'id="change">$10.00<' in review
    page = clerk.post("/payments/", data=data, follow_redirects=True).get_data(as_text=True)
    receipt = db.scalar(select(Receipt))
    assert f"Receipt {receipt.number}: received $270.00; change due $10.00." in page
    assert 'id="receipt-total">$270.00<' in page and "GL 100-4410" in page
    # who took it by name, and when once (it said "Taken by clerk7 into drawer 1 on Mar 2, 2026 at Mar 2, 2026, ...")
    drawer = db.scalar(select(CashDrawer.id))
    assert f"Taken by Test Clerk into drawer {drawer} on Mar 2, 2026, " in page
    assert f"Taken by {clerk.user.username}" not in page and "Mar 2, 2026 at Mar 2, 2026" not in page
    pdf = clerk.get(f"/payments/receipts/{receipt.id}.pdf?paper=receipt&language=en")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = " ".join(subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf.data, capture_output=True,
                                   check=True).stdout.decode().split())
    for words in (receipt.number, "Total $270.00", "Check no. 5150 $200.00", "Cash $80.00", "Change due $10.00",
                  "Paid by Rosalind Quince"):
        assert words in text
    assert clerk.get(f"/payments/receipts/{receipt.id}.pdf?paper=a4").status_code == 404

    assert clerk.post(f"/payments/receipts/{receipt.id}/void", data={"reason": "wrong"}).status_code == 403
    supervisor = login_as("supervisor")
    voided = supervisor.post(f"/payments/receipts/{receipt.id}/void", data={"reason": "customer changed mind"},
                             follow_redirects=True).get_data(as_text=True)
    assert f"Receipt {receipt.number} voided: $270.00 reversed." in voided and "customer changed mind" in voided
    assert "Voided by Test Supervisor on Mar 2, 2026, " in voided
    db.expire_all()
    assert db.get(Receipt, receipt.id).status == "voided"
    report = supervisor.get("/reports/corrections?date=2026-03-02&format=csv").get_data(as_text=True)
    assert f"2026-03-02,{clerk.user.username},void,{receipt.number},{owing.number},270.00,customer changed mind," \
           f"{supervisor.user.username}" in report


def test_a_negative_float_is_refused(fixed_clock, clerk, db):
    page = clerk.post("/payments/drawer/open", data={"opening": "-1"}, follow_redirects=True).get_data(as_text=True)
    assert "The starting amount cannot be negative." in page
    assert db.scalar(select(func.count()).select_from(CashDrawer)) == 0


def test_closing_the_day_on_the_counter_page_seals_the_audit_log(fixed_clock, login_as, db, app):
    """The close writes a checkpoint signed with the app's audit key (never the database's), after the close's row."""
    clerk = login_as("clerk")
    clerk.post("/payments/drawer/open", data={"opening": "100.00"})
    clerk.post("/payments/drawer/count", data={"bill_100": "1"})
    login_as("supervisor").post("/payments/day/close", data={"business_date": "2026-03-02"})
    checkpoint = db.scalar(select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1))
    last = db.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
    assert checkpoint.reason == "day close 2026-03-02" and checkpoint.head_hash == last.hash
    assert last.action == "cash.day_close" and check_log(db, app.config["AUDIT_KEY"]).intact


def test_a_clerk_records_a_returned_check_only_when_the_city_allows_it(fixed_clock, login_as, db, owing):
    clerk = login_as("clerk")
    clerk.post("/payments/drawer/open", data={"opening": "0"})
    pay(clerk, owing.number, "40.00", "check", "314", key="returned")
    payment = db.scalar(select(Payment).where(Payment.account_id == owing.id))
    assert f"/accounts/{owing.number}/payments/{payment.id}/return" not in clerk.get(
        f"/accounts/{owing.number}").get_data(as_text=True)
    refused = clerk.post(f"/accounts/{owing.number}/payments/{payment.id}/return", data={"reason": "NSF"})
    assert refused.status_code == 403 and db.get(Payment, payment.id).status == "posted"
    save_city(db)
    grant_duty(db, "returned_payments", ["clerk", "supervisor", "admin"])
    page = clerk.get(f"/accounts/{owing.number}").get_data(as_text=True)
    assert f"/accounts/{owing.number}/payments/{payment.id}/return" in page
    returned = clerk.post(f"/accounts/{owing.number}/payments/{payment.id}/return", data={"reason": "NSF"},
                          follow_redirects=True).get_data(as_text=True)
    assert f"Payment {payment.id} returned." in returned
    db.expire_all()
    assert db.get(Payment, payment.id).status == "returned"
    receipts_csv = login_as("supervisor").get("/reports/daily-receipts?date=2026-03-02&format=csv").get_data(
        as_text=True)
    assert "counter,check,returned,1,40.00" in receipts_csv and "TOTAL,,,0,0.00" in receipts_csv


def test_the_counter_and_drawer_forms_write_no_attribute_as_none(fixed_clock, clerk, db, owing):
    """The amount cells were written aria-invalid="None" aria-describedby="None" (WTForms writes a Python None as the
    word) on the receipt form, and each piece count of the drawer aria-invalid="None": a screen reader was told of an
    error that is not there. An attribute is written only when the field has an error, and then names it."""
    clerk.post("/payments/drawer/open", data={"opening": "0"})
    for path, field in (("/payments/", 'name="lines-0-amount"'), ("/payments/drawer", 'name="bill_100"')):
        html = clerk.get(path).get_data(as_text=True)
        assert field in html and '="None"' not in html, path
    refused = clerk.post("/payments/", data=receipt_form([("account", owing.number, "1e3")], [("cash", "5", "")],
                                                         "bad")).get_data(as_text=True)
    assert 'aria-invalid="true" aria-describedby="lines-0-amount-error"' in refused or \
        'aria-describedby="lines-0-amount-error" aria-invalid="true"' in refused
    assert 'id="lines-0-amount-error"' in refused and '="None"' not in refused
