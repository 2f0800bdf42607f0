"""Counter receipts: a water bill and a license fee on one receipt with two tenders, change, voids, blind counts."""
from __future__ import annotations

import csv
import io
import re
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.city import update_city
from engine.money import cash, ledger, reports
from engine.money.cash import BlindCount, CashError
from engine.accounts.returns import return_payment
from engine.money.payments import PaymentError, return_refusal
from engine.money.receipts import (LineAsked, ReceiptError, TenderAsked, receipt_by_number, receipt_data, review,
                                   take_receipt, void_receipt)
from engine.notices.receipt_pdf import receipt_pdf
from engine.store.models import AuditEntry, GlEntry, LedgerEntry, License, Payment, Receipt
from tests.factories import NOW, create_account, create_license, grant_duty, save_city
from tests.ledger.billing_support import library
from tests.ledger.money_support import create_user

DAY = date(2026, 3, 2)
RECEIPT_TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "notices"


def _water_bill(db, account):
    """A $52.03 water bill due on the 21st of February (past due on the 2nd of March)."""
    return ledger.post_charge(db, account.id, Decimal("52.03"), on=date(2026, 2, 1), due_on=date(2026, 2, 21),
                              now=NOW, actor="billing:A-2026-02", description="Water and sewer")


@pytest.fixture()
def counter(db):
    """A clerk with a drawer opened with $100.00, an account owing a $52.03 water bill, a license with $150.00 due."""
    clerk, account = create_user(db), create_account(db)
    _water_bill(db, account)
    lic = create_license(db, fee_cents=15000)
    drawer = cash.open_drawer(db, clerk=clerk, business_date=DAY, opening=Decimal("100.00"), now=NOW)
    return clerk, account, lic, drawer


def _two_things(account, lic):
    """The water bill and the license fee."""
    return [LineAsked("account", account.number, "52.03"), LineAsked("license", lic.number, "150.00")]


def _counts(db) -> tuple[int, int, int, int]:
    """Receipts, payments, ledger entries and GL lines: what a refusal must leave as it was."""
    return tuple(db.scalar(select(func.count()).select_from(table)) for table in (Receipt, Payment, LedgerEntry,
                                                                                   GlEntry))


def test_a_water_bill_and_a_license_fee_on_one_receipt_with_a_check_and_cash(db, counter):
    """$52.03 + $150.00 = $202.03, paid with check 1042 for $150.00 and $60.00 cash: $7.97 change."""
    clerk, account, lic, drawer = counter
    seen = review(db, _two_things(account, lic), [TenderAsked("check", "150.00", "1042"), TenderAsked("cash", "60.00")],
                  on=DAY)
    assert [(line.name, line.due_cents, line.past_due_cents) for line in seen.lines] == [
        (account.customer.name, 5203, 5203), (lic.business.name, 15000, None)]
    assert (seen.total_cents, seen.tendered_cents, seen.change_cents) == (20203, 21000, 797)

    receipt = take_receipt(db, _two_things(account, lic),
                           [TenderAsked("check", "150.00", "1042"), TenderAsked("cash", "60.00")],
                           clerk=clerk, on=DAY, now=NOW, idempotency_key="form-1")
    assert receipt.number == f"R-{receipt.id:06d}" and receipt_by_number(db, receipt.number) is receipt
    assert (receipt.total_cents, receipt.change_cents) == (20203, 797)
    [payment] = db.scalars(select(Payment).where(Payment.receipt_id == receipt.id))
    assert (payment.amount_cents, payment.tender, payment.check_number) == (5203, "check", "1042")
    entry = db.scalar(select(LedgerEntry).where(LedgerEntry.payment_id == payment.id))
    assert (entry.amount_cents, entry.reference, entry.description) == (-5203, receipt.number,
                                                                        "Payment (check 1042, counter)")
    assert ledger.balance_cents(db, account.id) == 0
    [fee] = db.scalars(select(GlEntry).where(GlEntry.receipt_id == receipt.id))
    assert (fee.kind, fee.fund, fee.gl_account, fee.amount_cents, fee.reference) == (
        "license_fee", "100", "4410", -15000, receipt.number)
    assert db.get(License, lic.id).fee_paid_cents == 15000
    # the drawer holds the float, the cash less the change, and the check
    assert cash.expected_by_tender(db, drawer) == {"cash": 10000 + 6000 - 797, "check": 15000, "card": 0,
                                                   "money_order": 0}
    export = {(r["fund"], r["account"]): (r["debit"], r["credit"]) for r in cash.gl_export(db, DAY)}
    assert export[("100", "4410")] == ("0.00", "150.00") and export[("100", "1010")] == ("150.00", "0.00")
    assert export[("510", "1010")] == ("52.03", "0.00")
    assert reports.daily_receipts(db, DAY)[-1]["amount"] == "202.03"
    # the same form sent twice posts once
    again = take_receipt(db, _two_things(account, lic),
                         [TenderAsked("check", "150.00", "1042"), TenderAsked("cash", "60.00")],
                         clerk=clerk, on=DAY, now=NOW, idempotency_key="form-1")
    assert again.id == receipt.id and db.scalar(select(func.count()).select_from(Receipt)) == 1
    assert db.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "receipt.take")) == 1


@pytest.mark.parametrize("lines, tenders, message", [
    ("both", [TenderAsked("check", "250.00", "1043")],
     r"tender 1: a check of \$250.00 is more than the \$202.03 due; only cash gives change"),
    ("both", [TenderAsked("card", "150.00"), TenderAsked("money_order", "60.00")],
     r"tenders: \$210.00 in checks, cards and money orders is more than the \$202.03 due"),
    ("both", [TenderAsked("cash", "200.00")], r"tenders: \$200.00 handed over is less than the \$202.03 due"),
    ("both", [TenderAsked("check", "100.00")], "tender 1: enter the number printed on the check"),
    ("unknown license", [TenderAsked("cash", "10.00")], "line 1: there is no license numbered BL-NOPE"),
    ("too much license", [TenderAsked("cash", "200.00")],
     r"line 1: license BL-\S+ has \$150.00 due; this line pays \$200.00"),
    ("unknown category", [TenderAsked("cash", "5.00")], "line 1: there is no miscellaneous category 'bake_sale'"),
    ("both", [TenderAsked("bitcoin", "202.03")], "tender 1: the counter takes cash, check, card, money order"),
])
def test_a_refused_receipt_names_what_and_where_and_changes_nothing(db, counter, lines, tenders, message):
    clerk, account, lic, _ = counter
    asked = {"both": _two_things(account, lic), "unknown license": [LineAsked("license", "BL-NOPE", "10.00")],
             "too much license": [LineAsked("license", lic.number, "200.00")],
             "unknown category": [LineAsked("misc", "bake_sale", "5.00")]}[lines]
    before = _counts(db)
    with pytest.raises(ReceiptError, match=message):
        take_receipt(db, asked, tenders, clerk=clerk, on=DAY, now=NOW)
    assert _counts(db) == before and db.get(License, lic.id).fee_paid_cents == 0


def test_a_counted_drawer_takes_nothing(db, counter):
    clerk, account, lic, drawer = counter
    cash.count_drawer(db, drawer.id, {"cash": Decimal("100.00")}, user=clerk, now=NOW)
    before = _counts(db)
    with pytest.raises(ReceiptError, match=f"drawer {drawer.id} for 2026-03-02 is counted: it takes nothing more"):
        take_receipt(db, _two_things(account, lic), [TenderAsked("cash", "202.03")], clerk=clerk, on=DAY, now=NOW)
    assert _counts(db) == before


def test_a_miscellaneous_item_credits_its_category_s_account(db, counter):
    """Copies: $4.50 to the general fund's 4620; a city's own list replaces the sample one."""
    clerk, _, _, _ = counter
    receipt = take_receipt(db, [LineAsked("misc", "copies", "4.50", memo="permit file")],
                           [TenderAsked("cash", "5.00")], clerk=clerk, on=DAY, now=NOW, payer="Ana Ruiz")
    [line] = db.scalars(select(GlEntry).where(GlEntry.receipt_id == receipt.id))
    assert (line.kind, line.fund, line.gl_account, line.amount_cents) == ("misc", "100", "4620", -450)
    assert line.description == "Copies and records requests: permit file" and receipt.change_cents == 50
    save_city(db)
    update_city(db, actor="admin", now=NOW, receipt_categories=[
        {"code": "dog_license", "label": "Dog licenses", "fund": "100", "account": "4430"}])
    with pytest.raises(ReceiptError, match="no miscellaneous category 'copies'"):
        take_receipt(db, [LineAsked("misc", "copies", "4.50")], [TenderAsked("cash", "5.00")], clerk=clerk, on=DAY,
                     now=NOW)
    assert db.scalar(select(AuditEntry.detail).where(AuditEntry.action == "city.update"))["receipt_categories"]


def test_a_supervisor_voids_a_receipt_the_same_day_and_every_entry_is_reversed(db, counter):
    clerk, account, lic, drawer = counter
    supervisor = create_user(db, "supervisor")
    receipt = take_receipt(db, _two_things(account, lic),
                           [TenderAsked("check", "150.00", "1042"), TenderAsked("cash", "60.00")],
                           clerk=clerk, on=DAY, now=NOW)
    with pytest.raises(ReceiptError, match="only a supervisor may void a receipt"):
        void_receipt(db, receipt.id, user=clerk, reason="wrong account", today=DAY, now=NOW)
    with pytest.raises(ReceiptError, match="a receipt is voided only on its own business day"):
        void_receipt(db, receipt.id, user=supervisor, reason="wrong account", today=date(2026, 3, 3), now=NOW)
    void_receipt(db, receipt.id, user=supervisor, reason="wrong account", today=DAY, now=NOW)
    assert (receipt.status, receipt.voided_by, receipt.void_reason) == ("voided", supervisor.username,
                                                                        "wrong account")
    assert ledger.balance_cents(db, account.id) == 5203
    assert db.get(License, lic.id).fee_paid_cents == 0
    reversals = db.scalars(select(LedgerEntry).where(LedgerEntry.kind == "reversal")).all()
    assert [(r.amount_cents, r.reference) for r in reversals] == [(5203, receipt.number)]
    assert sum(line.amount_cents for line in db.scalars(select(GlEntry).where(GlEntry.receipt_id == receipt.id))) == 0
    assert cash.expected_by_tender(db, drawer) == {"cash": 10000, "check": 0, "card": 0, "money_order": 0}
    rows = reports.daily_receipts(db, DAY)
    assert {(r["source"], r["status"], r["amount"]) for r in rows} >= {("counter", "voided", "52.03"),
                                                                      ("license fees", "voided", "150.00")}
    assert rows[-1]["amount"] == "0.00"
    export = {(r["fund"], r["account"]) for r in cash.gl_export(db, DAY)}
    assert ("100", "4410") not in export  # the fee and its reversal net to nothing
    with pytest.raises(ReceiptError, match="already voided"):
        void_receipt(db, receipt.id, user=supervisor, reason="again", today=DAY, now=NOW)
    assert db.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "receipt.void")) == 1


def test_a_blind_count_s_variance_posts_to_over_and_short_and_reaches_the_gl_export(db, counter):
    """Expected: $100.00 float + $60.00 cash - $7.97 change = $152.03 and check 1042 for $150.00; counted $151.03."""
    clerk, account, lic, drawer = counter
    take_receipt(db, _two_things(account, lic), [TenderAsked("check", "150.00", "1042"), TenderAsked("cash", "60.00")],
                 clerk=clerk, on=DAY, now=NOW)
    count = BlindCount(denominations={"bill_100": 1, "bill_20": 2, "bill_10": 1, "coin_1": 103},
                       checks=[("1042", Decimal("150.00"))])
    cash.count_blind(db, drawer.id, count, user=clerk, now=NOW)
    assert drawer.counted == {"cash": 15103, "check": 15000, "card": 0, "money_order": 0}
    assert drawer.count_detail["checks"] == [{"number": "1042", "cents": 15000}]
    assert drawer.count_detail["denominations"]["coin_1"] == 103
    [short] = db.scalars(select(GlEntry).where(GlEntry.kind == "over_short"))
    assert (short.fund, short.gl_account, short.amount_cents, short.drawer_id) == ("510", "4950", 100, drawer.id)
    export = {(r["fund"], r["account"]): (r["debit"], r["credit"]) for r in cash.gl_export(db, DAY)}
    assert export[("510", "4950")] == ("1.00", "0.00")
    assert export[("510", "1010")] == ("51.03", "0.00")  # $52.03 received less the $1.00 short
    assert sum(Decimal(r["debit"]) - Decimal(r["credit"]) for r in cash.gl_export(db, DAY)) == 0


@pytest.mark.parametrize("count, message", [
    (BlindCount({"bill_3": 1}, []), "unknown denomination 'bill_3'"),
    (BlindCount({"coin_25": -4}, []), "Quarters: a number of pieces from 0 to 100,000, not -4"),
    (BlindCount({}, [("", Decimal("5.00"))]), "check 1: enter its number"),
    (BlindCount({}, [("77", Decimal("0"))]), r"check 1 \(77\): an amount more than \$0.00"),
])
def test_a_bad_blind_count_names_the_line_and_counts_nothing(db, counter, count, message):
    clerk, _, _, drawer = counter
    with pytest.raises(CashError, match=message):
        cash.count_blind(db, drawer.id, count, user=clerk, now=NOW)
    assert drawer.status == "open" and drawer.counted is None


def test_a_returned_check_is_shown_as_a_return_and_left_out_of_the_day_s_total(db, counter):
    clerk, account, lic, _ = counter
    receipt = take_receipt(db, [LineAsked("account", account.number, "52.03")], [TenderAsked("check", "52.03", "88")],
                           clerk=clerk, on=DAY, now=NOW)
    assert return_refusal(db, clerk) is not None
    save_city(db)
    grant_duty(db, "returned_payments", ["clerk", "supervisor", "admin"])
    assert return_refusal(db, clerk) is None
    payment = db.scalar(select(Payment).where(Payment.receipt_id == receipt.id))
    return_payment(db, payment.id, reason="NSF", on=DAY, actor=clerk.username, now=NOW, library=library())
    rows = reports.daily_receipts(db, DAY)
    assert ("counter", "check", "returned", "52.03") in {(r["source"], r["tender"], r["status"], r["amount"])
                                                         for r in rows}
    assert rows[-1]["amount"] == "0.00"
    with pytest.raises(PaymentError, match="was already returned"):
        return_payment(db, payment.id, reason="NSF", on=DAY, actor=clerk.username, now=NOW, library=library())


def _pdf_text(pdf: bytes) -> str:
    """The PDF's text as pdftotext reads it, whitespace made single spaces."""
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(done.stdout.decode("utf-8").split())


@pytest.mark.parametrize("paper, language, words", [
    ("receipt", "en", ["Receipt R-", "Utility account", "License fee", "$52.03", "$150.00", "Total $202.03",
                       "Check no. 1042 $150.00", "Cash $60.00", "Change due $7.97", "March 2, 2026"]),
    ("letter", "es", ["Recibo R-", "Cuenta de servicios", "Cuota de licencia", "Total $202.03",
                      "Cheque núm. 1042 $150.00", "Efectivo $60.00", "Cambio $7.97", "2 de marzo de 2026"]),
])
def test_the_printed_receipt_reads_to_the_cent(db, counter, paper, language, words):
    clerk, account, lic, _ = counter
    receipt = take_receipt(db, _two_things(account, lic),
                           [TenderAsked("check", "150.00", "1042"), TenderAsked("cash", "60.00")],
                           clerk=clerk, on=DAY, now=NOW, payer="Rosalind Quince")
    data = receipt_data(receipt, city={"name": "City of Alder Creek", "address": "1 Civic Plaza", "phone": ""},
                        clerk=clerk.full_name, timezone="America/Los_Angeles")
    pdf = receipt_pdf(RECEIPT_TEMPLATES, data, language, paper)
    text = _pdf_text(pdf)
    for word in [*words, receipt.number, "Rosalind Quince", "9:00 AM"]:
        assert word in text
    width = float(re.search(rb"/MediaBox \[0 0 ([\d.]+)", pdf).group(1))
    assert round(width / 72 * 25.4) == (80 if paper == "receipt" else 216)  # 80 mm roll, 8.5 in letter


def test_the_counter_journal_traces_the_gl_export_to_each_receipt_number(db, counter):
    clerk, account, lic, drawer = counter
    receipt = take_receipt(db, _two_things(account, lic),
                           [TenderAsked("check", "150.00", "1042"), TenderAsked("cash", "60.00")],
                           clerk=clerk, on=DAY, now=NOW)
    cash.count_drawer(db, drawer.id, {"cash": Decimal("152.03"), "check": Decimal("150.00")}, user=clerk, now=NOW)
    rows = list(csv.DictReader(io.StringIO(cash.counter_journal_csv(db, DAY).decode())))
    assert [(r["reference"], r["fund"], r["account"], r["debit"], r["credit"]) for r in rows] == [
        (receipt.number, "510", "1210", "0.00", "52.03"), (receipt.number, "510", "1010", "52.03", "0.00"),
        (receipt.number, "100", "4410", "0.00", "150.00"), (receipt.number, "100", "1010", "150.00", "0.00")]
