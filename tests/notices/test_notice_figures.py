"""Every money figure a notice prints is the ledger's (or the license's, or the case's), read back from the PDF.

Each notice type is made by its real workflow step, rendered by the real renderer, and read
back with pdftotext. Every amount on the page ($1,234.56) is compared with what the ledger
says for that account on that day (sums queried here, not the notice's stored data), with
the license's fee, or with what the case's form asked for. The payment plan agreement is
checked line by line: its down payment and installments add up to its total, to the cent,
and the total is the past-due balance the ledger shows on the day the plan was arranged.
"""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.money import from_cents, round_money
from engine.money.ledger import standing
from engine.notices import NOTICE_TYPES
from engine.notices.catalog import WORKFLOW_NOTICES
from engine.store.models import LedgerEntry, License, Notice
from engine.workflow import services
from engine.workflow.services import Catalog
from notice_support import flat, page_text, sample_languages
from tests.factories import (create_account, create_business, create_customer, create_license, pay_license_fee,
                             print_notices)
from tests.workflow.conftest import add_staff, at, charge, pay
from samplecity.city import APPROVAL_ROLE_IDS

REPO = Path(__file__).resolve().parents[2]
MONEY = re.compile(r"-?\$[0-9,]+\.[0-9]{2}")
CHECKED: set[str] = set()


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    """The sample city's rules and workflows."""
    return Catalog.load(REPO / "rules", REPO / "workflows", APPROVAL_ROLE_IDS)


@pytest.fixture()
def staff(db) -> None:
    """Clerks and supervisors to take the steps."""
    add_staff(db)


def take(db, catalog, case, step, user, on, **form) -> Notice | None:
    """Take a step (its notices printed that day); the notice it wrote, if any."""
    event = services.take_step(db, catalog, case.id, step, user=user, on=on, now=at(on), version=case.version,
                               form=form)
    done = next(e["done"] for e in event.explanation if e["guard"] == "actions")
    ids = [d["notice_id"] for d in done if d["action"] == "notice"]
    print_notices(db, case.id, on)  # it goes out that day
    return db.get(Notice, ids[0]) if ids else None


def printed(renderer, tmp_path, notice: Notice) -> str:
    """The notice as mailed, read back from its PDF (one page), whitespace made single.

    The same notice in the other language is read back too and must print the very same
    amounts (a Spanish letter is checked with its English twin), so the checks below hold
    for both.
    """
    texts = {}
    for language in (notice.language, "es" if notice.language == "en" else "en"):
        path = tmp_path / f"notice-{notice.id}.{language}.pdf"
        path.write_bytes(renderer.render_one(notice.notice_type, language, notice.data))
        texts[language] = flat(page_text(path, 1))
    other = next(text for language, text in texts.items() if language != notice.language)
    assert sorted(MONEY.findall(other)) == sorted(MONEY.findall(texts[notice.language])), notice.notice_type
    CHECKED.add(notice.notice_type)
    return texts[notice.language]


def dollars(cents: int | Decimal) -> str:
    """An amount as a notice prints it: $1,234.56."""
    value = from_cents(cents) if isinstance(cents, int) else cents
    return f"${value:,.2f}"


def figures(text: str) -> set[str]:
    """Every amount of money on a page."""
    return set(MONEY.findall(text))


def unpaid_debits_by_service(db, account_id: int, on: date) -> dict[str, int]:
    """What fell due before the day by service, in cents (no payment yet: every debit is unpaid)."""
    return {service or "other": cents for service, cents in db.execute(
        select(LedgerEntry.service, func.sum(LedgerEntry.amount_cents))
        .where(LedgerEntry.account_id == account_id, LedgerEntry.effective_on <= on, LedgerEntry.due_on < on,
               LedgerEntry.amount_cents > 0).group_by(LedgerEntry.service))}


def balance(db, account_id: int, on: date) -> int:
    """What the account owes on the day, in cents: the sum of its ledger entries (a letter never prints a credit)."""
    owed = db.scalar(select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0))
                     .where(LedgerEntry.account_id == account_id, LedgerEntry.effective_on <= on))
    return max(owed, 0)


def fee_of(db, case, rule: str) -> int:
    """The fee the case posted under a schedule, in cents, from the ledger."""
    return db.scalar(select(LedgerEntry.amount_cents).where(LedgerEntry.kind == "fee", LedgerEntry.rule_id == rule,
                                                            LedgerEntry.reference == f"case {case.id}"))


def test_the_delinquency_letters_print_the_ledgers_figures(db, catalog, staff, renderer, tmp_path):
    """Reminder with its late fee, shut-off notice, door hanger, reconnection: each amount is the ledger's."""
    account = create_account(db, cycle="B")
    charge(db, account.id, "120.00", on=date(2026, 4, 8), due_on=date(2026, 4, 29))
    case = services.open_case(db, catalog, "delinquency", account.id, actor="sweep:delinquency",
                              on=date(2026, 4, 30), now=at(date(2026, 4, 30)), fields={"period": "2026-04"})
    day = date(2026, 4, 30)
    reminder = take(db, catalog, case, "mail_reminder", "sweep:delinquency", day)
    owed_by_service = {dollars(cents) for cents in unpaid_debits_by_service(db, account.id, day).values()}
    assert owed_by_service == {"$120.00"}  # the reminder lists what is owed by service too: the bill
    assert figures(printed(renderer, tmp_path, reminder)) == {dollars(balance(db, account.id, day)),
                                                             dollars(fee_of(db, case, "late-fee"))} | owed_by_service
    for step, user, day in (("mail_shutoff_notice", "sweep:delinquency", date(2026, 6, 18)),
                            ("post_door_hanger", "carla", date(2026, 6, 30))):
        notice = take(db, catalog, case, step, user, day)
        by_service = {dollars(cents) for cents in unpaid_debits_by_service(db, account.id, day).values()}
        assert by_service == {"$120.00", "$12.00"}  # the bill (no service: other) and the late fee (fees)
        assert figures(printed(renderer, tmp_path, notice)) == {dollars(balance(db, account.id, day))} | by_service, \
            step
    take(db, catalog, case, "ready_for_shutoff", "sweep:delinquency", date(2026, 7, 6))
    take(db, catalog, case, "record_shutoff", "carla", date(2026, 7, 7), meter_reading="1")
    pay(db, account.id, "150.00", on=date(2026, 7, 8))  # the bill, the late fee and part of the reconnection fee
    day = date(2026, 7, 9)
    pay(db, account.id, "100.00", on=day)  # the rest, and a credit
    notice = take(db, catalog, case, "reconnect", "carla", day)
    text = printed(renderer, tmp_path, notice)
    assert figures(text) == {dollars(fee_of(db, case, "reconnection-fee")), dollars(balance(db, account.id, day))}
    assert "was paid before service was restored" in text


def plan_rows(text: str) -> tuple[str | None, list[str], str]:
    """The plan table as printed: the down payment, each installment, the total."""
    down = re.search(r"Down payment [A-Z][a-z]+ \d+, \d{4} (\$[0-9,.]+)", text)
    installments = re.findall(r"Installment \d+ [A-Z][a-z]+ \d+, \d{4} (\$[0-9,.]+)", text)
    total = re.search(r"Total (\$[0-9,.]+)", text)
    return (down[1] if down else None), installments, total[1]


def plan_days(text: str) -> tuple[str | None, list[str]]:
    """The plan table's due dates as printed: the down payment's, and each installment's in order."""
    down = re.search(r"Down payment ([A-Z][a-z]+ \d+, \d{4}) \$", text)
    rows = re.findall(r"Installment (\d+) ([A-Z][a-z]+ \d+, \d{4}) \$", text)  # two columns past seven rows
    return (down[1] if down else None), [day for _n, day in sorted(rows, key=lambda row: int(row[0]))]


def amount(printed_money: str) -> Decimal:
    """$1,234.56 as a Decimal."""
    return Decimal(printed_money.replace("$", "").replace(",", ""))


@pytest.mark.parametrize("owed,low_income,installments,down_percent", [
    ("992.73", False, 6, 10),   # the trial's plan: $99.27 down, six of $148.91
    ("1000.00", False, 7, 10),  # $900.00 in seven: six of $128.57 and a last of $128.58
    ("132.00", True, 12, 0),    # Customer Assistance Program: nothing down, twelve of $11.00
])
def test_the_plan_agreement_adds_up_to_the_cent(db, catalog, staff, renderer, tmp_path, owed, low_income,
                                                installments, down_percent):
    account = create_account(db, customer=create_customer(db, low_income=low_income), cycle="B")
    charge(db, account.id, owed, on=date(2026, 4, 8), due_on=date(2026, 4, 29))
    day = date(2026, 5, 4)
    case = services.open_case(db, catalog, "delinquency", account.id, actor="sweep:delinquency", on=day,
                              now=at(day), state="reminded", fields={"period": "2026-04"})
    notice = take(db, catalog, case, "arrange_plan", "carla", day, installments=str(installments),
                  first_due="2026-06-01")
    text = printed(renderer, tmp_path, notice)
    past_due = from_cents(standing(db, account.id, day).past_due_cents)
    down, each, total = plan_rows(text)
    expected_down = round_money(past_due * down_percent / 100)
    assert amount(total) == past_due
    assert (amount(down) if down else Decimal(0)) == expected_down
    assert len(each) == installments
    assert expected_down + sum(amount(a) for a in each) == past_due
    assert {amount(a) for a in each[:-1]} <= {round_money((past_due - expected_down) / installments, "down")}
    assert f"Plan balance {dollars(past_due)}" in text
    assert f"add up to {dollars(past_due - expected_down)}" in text
    assert ("no down payment" in text) == (expected_down == 0)
    down_day, days = plan_days(text)  # the down payment on the day the plan was arranged, then monthly from first_due
    assert down_day == (None if expected_down == 0 else "May 4, 2026")
    assert days == [f"{date(2026 + (5 + n) // 12, (5 + n) % 12 + 1, 1):%B} 1, {2026 + (5 + n) // 12}"
                    for n in range(installments)]
    assert figures(text) <= {dollars(past_due), dollars(expected_down), dollars(past_due - expected_down),
                             *each}


@pytest.mark.parametrize("owed,low_income,installments,down_percent", [
    ("992.73", False, 6, 10),   # $99.27 down, six of $148.91
    ("132.00", True, 12, 0),    # nothing down, twelve of $11.00 in two columns
])
def test_the_spanish_plan_agreement_adds_up_to_the_cent_too(db, catalog, staff, renderer, tmp_path, owed,
                                                            low_income, installments, down_percent):
    """The same plan mailed in Spanish: pago inicial and cuotas, each with its date, sum to the total, which is the
    ledger's past-due balance on the day the plan was arranged."""
    account = create_account(db, customer=create_customer(db, low_income=low_income, language="es"), cycle="B")
    charge(db, account.id, owed, on=date(2026, 4, 8), due_on=date(2026, 4, 29))
    day = date(2026, 5, 4)
    case = services.open_case(db, catalog, "delinquency", account.id, actor="sweep:delinquency", on=day,
                              now=at(day), state="reminded", fields={"period": "2026-04"})
    notice = take(db, catalog, case, "arrange_plan", "carla", day, installments=str(installments),
                  first_due="2026-06-01")
    assert notice.language == "es"
    text = printed(renderer, tmp_path, notice)
    past_due = from_cents(standing(db, account.id, day).past_due_cents)
    expected_down = round_money(past_due * down_percent / 100)
    down = re.search(r"Pago inicial 4 de mayo de 2026 (\$[0-9,.]+)", text)
    rows = sorted(re.findall(r"Cuota (\d+) (\d+ de [a-z]+ de \d{4}) (\$[0-9,.]+)", text), key=lambda r: int(r[0]))
    total = re.search(r"Total (\$[0-9,.]+)", text)
    assert (amount(down[1]) if down else Decimal(0)) == expected_down
    months = sample_languages().language("es").months
    assert [day for _n, day, _a in rows] == [f"1 de {months[(5 + n) % 12]} de {2026 + (5 + n) // 12}"
                                             for n in range(installments)]
    assert amount(total[1]) == past_due == expected_down + sum(amount(a) for _n, _d, a in rows)
    assert f"Saldo del plan {dollars(past_due)}" in text
    assert f"suman {dollars(past_due - expected_down)}" in text
    assert ("sin pago inicial" in text) == (expected_down == 0)


def test_lien_letters_print_the_ledgers_figures(db, catalog, staff, renderer, tmp_path):
    """Intent: the past-due balance the ledger shows; the release letter prints no amount."""
    account = create_account(db, cycle="B")
    charge(db, account.id, "480.00", on=date(2026, 4, 8), due_on=date(2026, 4, 29))
    day = date(2026, 7, 28)
    case = services.open_case(db, catalog, "liens", account.id, actor="sweep:liens", on=day, now=at(day))
    intent = take(db, catalog, case, "mail_intent", "sweep:liens", day)
    assert figures(printed(renderer, tmp_path, intent)) == {dollars(standing(db, account.id, day).past_due_cents)}
    take(db, catalog, case, "record_lien", "sam", date(2026, 8, 27), recording_number="2026-1",
         recorded_on="2026-08-27")
    pay(db, account.id, "631.00", on=date(2026, 9, 10))
    release = take(db, catalog, case, "release", "carla", date(2026, 9, 10), release_recording_number="2026-2")
    assert figures(printed(renderer, tmp_path, release)) == set()


def test_the_refund_letter_prints_the_ledgers_refund(db, catalog, staff, renderer, tmp_path):
    account = create_account(db)
    charge(db, account.id, "80.00", on=date(2026, 4, 1), due_on=date(2026, 4, 22))
    pay(db, account.id, "80.00", on=date(2026, 4, 20))
    pay(db, account.id, "80.00", on=date(2026, 4, 21))
    day = date(2026, 5, 5)
    case = services.open_case(db, catalog, "refunds", account.id, actor="carla", on=day, now=at(day),
                              fields={"amount": "80.00", "source": "overpayment"})
    take(db, catalog, case, "research", "carla", day, research_notes="paid twice")
    take(db, catalog, case, "approve", "colin", day)
    letter = take(db, catalog, case, "issue_check", "carla", day, check_number="100482")
    refunded = db.scalar(select(LedgerEntry.amount_cents).where(LedgerEntry.account_id == account.id,
                                                                LedgerEntry.kind == "refund"))
    assert figures(printed(renderer, tmp_path, letter)) == {dollars(refunded)}


def test_license_letters_print_the_licenses_fee(db, catalog, staff, renderer, tmp_path):
    """Reminders and the lapse notice: the fee on the license, the penalty the case charged, their total."""
    lic = create_license(db, business=create_business(db, category="retail", employees=3), status="applied",
                         issued_on=None, expires_on=None, fee_cents=0)
    day = date(2026, 3, 2)
    case = services.open_case(db, catalog, "licensing", lic.id, actor="carla", on=day, now=at(day))
    take(db, catalog, case, "start_review", "carla", day)
    take(db, catalog, case, "assess_license_fee", "carla", day)
    pay_license_fee(db, lic, date(2026, 3, 5))
    take(db, catalog, case, "record_payment", "carla", date(2026, 3, 5))
    certificate = take(db, catalog, case, "issue", "sam", date(2026, 3, 5))
    assert figures(printed(renderer, tmp_path, certificate)) == set()
    fee = db.get(License, lic.id).fee_cents
    for step, day in (("mail_renewal_reminder", date(2026, 11, 16)), ("mail_final_reminder", date(2026, 12, 16))):
        notice = take(db, catalog, case, step, "sweep:renewals", day)
        penalty = int((case.fields.get("fees") or {}).get("license-late-penalty", "0").replace(".", ""))
        expected = {dollars(fee)} | ({dollars(penalty), dollars(fee + penalty)} if step == "mail_final_reminder"
                                     else set())
        assert figures(printed(renderer, tmp_path, notice)) == expected, step
    take(db, catalog, case, "mark_late", "sweep:renewals", date(2027, 2, 2))
    lapsed = take(db, catalog, case, "lapse", "sweep:renewals", date(2027, 4, 30))
    penalty = int((case.fields.get("fees") or {}).get("license-late-penalty", "0").replace(".", ""))
    assert figures(printed(renderer, tmp_path, lapsed)) == {dollars(fee), dollars(penalty), dollars(fee + penalty)}


def test_every_notice_type_was_checked():
    """The tests above made, printed and checked a notice of every type a workflow makes (run in this file's order).

    The read review's leak letter prints no money; tests/web/test_read_review_pages.py reads it back.
    """
    assert CHECKED == set(WORKFLOW_NOTICES) == set(NOTICE_TYPES) - {"leak-letter"}
