"""A real Chromium, JavaScript off, CSRF on: a move-out with its final bill and deposit refund, then a move-in at the
same address with a deposit. Every money figure the pages show is checked against the ledger to the cent."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.accounts.meters import NewMeter, install_meter
from engine.money import format_money
from engine.money.deposits import take_deposit
from engine.money.ledger.verify import check_balances
from engine.store.models import Bill, Case, Deposit, LedgerEntry, UtilityAccount
from engine.users import add_user
from tests.factories import NOW, create_customer, create_property
from tests.ledger.billing_support import account_with_reads, library
from tests.web.test_browser_counter import sign_in
from tests.web.test_browser_login import chromium  # noqa: F401  (fixture)
from tests.web.pages import served_in_thread
from webapp.app import create_app
from webapp.config import TestConfig

pytestmark = pytest.mark.browser

READS = [("2025-12", date(2025, 12, 13), 980, 6), ("2026-01", date(2026, 1, 13), 988, 8),
         ("2026-02", date(2026, 2, 13), 993, 5)]  # winter average (6 + 8 + 5) / 3 -> 6 CCF


@pytest.fixture()
def city(committing_url: str, committing_db, tmp_path: Path) -> Iterator[dict]:
    """The app on a loopback port: a clerk, and a 3/4" home at 412 Mill Street read Feb 13, with a $185.00 deposit."""
    with committing_db() as session, session.begin():
        add_user(session, username="maria", full_name="Maria Lopez", role="clerk", password="counter-password",
                 actor="test", now=NOW)
        customer = create_customer(session, name="Rosalind Quince")
        home = create_property(session, owner=customer, parcel="031-004-020", service_address="412 Mill Street")
        account = account_with_reads(session, READS, customer=customer, property=home, number="781-000007")
        install_meter(session, NewMeter("M-100", '3/4"', 4, "front yard, by the sidewalk", "A-031"),
                      property_id=home.id, account_id=account.id, on=date(2024, 1, 1), now=NOW, actor="test")
        take_deposit(session, account.id, on=date(2025, 3, 1), now=NOW, actor="test", library=library())
        facts = {"number": account.number, "account_id": account.id, "parcel": home.parcel}
    app = create_app(TestConfig(database_url=committing_url, instance=tmp_path, WTF_CSRF_ENABLED=True,
                                CLOCK=lambda: NOW))
    with served_in_thread(app) as url:
        yield {"url": url, **facts}


def shown(page, selector: str) -> str:
    """The text of one element."""
    return page.locator(selector).inner_text().strip()


def move_out(page, city: dict) -> None:
    """The clerk stops service at 412 Mill Street on Mar 2 with a final reading of 1005, refunding the credit."""
    page.goto(city["url"] + f"/accounts/{city['number']}")
    page.get_by_role("link", name="Stop service").click()
    page.get_by_label("Move-out day (the day of the final read)").fill("2026-03-02")
    page.get_by_label("Final reading (whole CCF)").fill("1005")
    page.get_by_label("A balance left over").select_option("refund")
    page.get_by_role("button", name="Review the final bill").click()


def test_a_move_out_with_its_final_bill_and_deposit_refund(city, chromium, committing_db):
    page = chromium
    sign_in(page, city["url"], "maria", "counter-password")
    move_out(page, city)
    assert page.get_by_text("Final bill for Feb 14, 2026 to Mar 2, 2026 (17 days, 12 CCF: reading 993 to 1005)"
                            ).is_visible()
    lines = {row.locator("th").inner_text().strip(): row.locator("td.num").inner_text().strip()
             for row in page.locator("#final-bill tbody tr").all()[:-1]}
    # 17 days of 30: bases and sewer on the winter average prorated, metered use as read
    assert lines == {"Water base charge": "$15.31", "Water use": "$27.20", "Sewer base charge": "$9.25",
                     "Sewer use (winter average)": "$10.81", "Franchise fee": "$3.13"}
    figures = {name: shown(page, f"#{name}") for name in ("bill-total", "balance-before", "deposit-applied",
                                                         "balance-after", "refund")}
    assert figures == {"bill-total": "$65.70", "balance-before": "$0.00", "deposit-applied": "-$185.00",
                       "balance-after": "-$119.30", "refund": "$119.30"}
    with committing_db() as session:
        assert session.scalar(select(func.count()).select_from(Bill)) == 0, "the confirmation posted nothing"
    page.get_by_role("button", name="Post the final bill and stop service").click()
    assert page.get_by_text("final bill $65.70, deposit applied $185.00. A refund of $119.30 was requested"
                            ).is_visible()
    balance = shown(page, "#balance")

    with committing_db() as session:
        entries = session.scalars(select(LedgerEntry).where(LedgerEntry.account_id == city["account_id"])).all()
        bill = session.scalar(select(Bill).where(Bill.account_id == city["account_id"]))
        charges = sum(e.amount_cents for e in entries if e.kind == "charge" and e.bill_id == bill.id)
        deposit = sum(e.amount_cents for e in entries if e.kind == "deposit")
        case = session.scalar(select(Case).where(Case.subject_id == city["account_id"]))
        by_name = {line.name: line.amount_cents for line in bill.lines}
        assert {name: format_money(Decimal(cents) / 100) for name, cents in by_name.items()} == lines
        assert format_money(Decimal(charges) / 100) == figures["bill-total"] == format_money(Decimal(bill.total_cents)
                                                                                              / 100)
        assert format_money(Decimal(deposit) / 100) == figures["deposit-applied"]
        ledger_balance = sum(e.amount_cents for e in entries)
        assert format_money(Decimal(ledger_balance) / 100) == figures["balance-after"] == balance
        assert format_money(Decimal(case.fields["amount"])) == figures["refund"]
        assert session.get(UtilityAccount, city["account_id"]).status == "closed"
        assert check_balances(session).agrees


def test_a_move_in_at_the_same_address_with_a_deposit(city, chromium, committing_db):
    page = chromium
    sign_in(page, city["url"], "maria", "counter-password")
    move_out(page, city)
    page.get_by_role("button", name="Post the final bill and stop service").click()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Accounts").click()
    page.get_by_role("link", name="Start service at an address").click()
    page.get_by_label("Parcel number or service address").fill("412 mill")
    page.get_by_role("button", name="Find the property").click()
    assert page.get_by_role("heading", name="Start service 412 Mill Street, parcel 031-004-020").is_visible()
    page.get_by_label("Name", exact=True).fill("Ana Ruiz")
    page.get_by_label("Mailing street").fill("412 Mill Street")
    page.get_by_label("City", exact=True).fill("Alder Creek")
    page.get_by_label("State", exact=True).fill("CA")
    page.get_by_label("ZIP", exact=True).fill("95601")
    page.get_by_label("Phone", exact=True).fill("530-555-0142")
    page.get_by_label("Meter", exact=True).select_option(label="M-100, 3/4\", front yard, by the sidewalk")
    page.get_by_label("Rate class").select_option("residential")
    page.get_by_label("Service starts on").fill("2026-03-03")
    page.get_by_label("Meter reading that day (whole CCF)").fill("1005")
    assert page.get_by_label("Take the deposit the deposit rule asks").is_checked()
    page.get_by_role("button", name="Review the start of service").click()

    new_number = shown(page, "#new-account")
    assert new_number == "781-000008"
    assert page.get_by_text("Deposit, by the deposit rule in force on Mar 3, 2026 (version of Jul 1, 2024, "
                            "Resolution 2024-38").is_visible()
    assert page.get_by_role("cell", name='meter size 3/4": 185.00').is_visible()
    deposit_shown = shown(page, "#deposit-total")
    assert deposit_shown == "$185.00"
    page.get_by_role("button", name="Start service").click()
    assert page.get_by_text(f"Service started at 412 Mill Street: account {new_number} on meter M-100. "
                            "Deposit held: $185.00.").is_visible()
    assert page.get_by_role("heading", name=f"Account {new_number}").is_visible()
    balance = shown(page, "#balance")
    held = page.locator("#deposits + table tbody tr td.num").first.inner_text().strip()

    with committing_db() as session:
        account = session.scalar(select(UtilityAccount).where(UtilityAccount.number == new_number))
        deposit = session.scalar(select(Deposit).where(Deposit.account_id == account.id))
        ledger_balance = session.scalar(select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0))
                                        .where(LedgerEntry.account_id == account.id))
        assert format_money(Decimal(deposit.amount_cents) / 100) == deposit_shown == held
        assert deposit.status == "held" and deposit.rule_version == "2024-07-01"
        assert format_money(Decimal(ledger_balance) / 100) == balance == "$0.00"  # a deposit held posts nothing
        assert (account.customer.name, account.opened_on) == ("Ana Ruiz", date(2026, 3, 3))
        assert check_balances(session).agrees
