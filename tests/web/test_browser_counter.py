"""A real Chromium, JavaScript off, CSRF on: a clerk explains a bill and takes a payment; a supervisor takes a case step."""
from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from sqlalchemy import select

from engine.money import ledger
from engine.store.models import GlEntry, LedgerEntry, UtilityAccount
from engine.users import add_user
from tests.factories import NOW, create_account, create_business, create_case, create_customer, create_license
from tests.web.pages import bill, served_in_thread
from tests.web.test_browser_login import chromium  # noqa: F401  (fixture)
from webapp.app import create_app
from webapp.config import TestConfig

pytestmark = pytest.mark.browser


@pytest.fixture()
def city(committing_url: str, committing_db, tmp_path: Path) -> Iterator[dict]:
    """The app served on a loopback port with a clerk, a supervisor, a billed account and a delinquency case."""
    with committing_db() as session, session.begin():
        add_user(session, username="maria", full_name="Maria Lopez", role="clerk", password="counter-password",
                 actor="test", now=NOW)
        add_user(session, username="sam", full_name="Sam Okafor", role="supervisor", password="approve-password",
                 actor="test", now=NOW)
        account = create_account(session, customer=create_customer(session, name="Rosalind Quince"),
                                 number="781-000001")
        bill(session, account, "2026-01", 12, due_on=date(2026, 2, 5))
        case = create_case(session, subject_id=account.id, account_id=account.id, state="reminded",
                           fields={"period": "2026-01"})
        business = create_business(session, name="Quince Hardware", owner=account.customer)
        lic = create_license(session, business=business, number="BL-2026-0042", fee_cents=15000)
        facts = {"number": account.number, "case_id": case.id, "license": lic.number}
    app = create_app(TestConfig(database_url=committing_url, instance=tmp_path, WTF_CSRF_ENABLED=True,
                                CLOCK=lambda: NOW))
    with served_in_thread(app) as url:
        yield {"url": url, **facts}


def sign_in(page, url: str, username: str, password: str) -> None:
    """Sign in through the login form."""
    page.goto(url + "/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_a_clerk_explains_a_bill_and_takes_a_payment_and_a_supervisor_takes_a_case_step(city, chromium):
    page, url = chromium, city["url"]
    sign_in(page, url, "maria", "counter-password")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Accounts").click()
    page.get_by_label("Find anyone").fill("rosalind q")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=city["number"]).click()
    assert page.get_by_role("heading", name=re.compile(f"Account {city['number']}")).is_visible()
    before = page.locator("#balance").inner_text()
    assert before == "$90.77"  # January: 12 CCF on a 3/4" meter, sewer on a 5 CCF winter average, FY2025-26 rates

    page.locator("ul.bills summary").first.click()  # <details> opens without JavaScript
    assert page.get_by_text("7 CCF x 2.05 + 5 CCF x 2.57").is_visible()
    assert page.get_by_text("Why this bill is $90.77").is_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cash drawer").click()
    page.get_by_label("Starting cash in the drawer").fill("150.00")
    page.get_by_role("button", name="Open my drawer").click()
    assert page.get_by_text("Your drawer is open for Mar 2, 2026 with $150.00.").is_visible()

    page.goto(url + f"/accounts/{city['number']}")
    page.get_by_role("link", name="Take a payment").click()
    assert page.get_by_label("Line 1: account or license number").input_value() == city["number"]
    page.get_by_label("Line 1: amount").fill("30.005")
    page.get_by_label("Tender 1: amount").fill("30.00")
    page.get_by_role("button", name="Review the receipt").click()
    assert page.locator("#lines-0-amount-error").inner_text() == "Use at most two decimals (dollars and cents), e.g. 52.03."
    page.get_by_label("Line 1: amount").fill("30.00")
    page.get_by_label("Tender 1: kind").select_option("cash")
    page.get_by_role("button", name="Review the receipt").click()
    assert page.get_by_role("cell", name="Rosalind Quince").is_visible()
    assert page.locator("#total").inner_text() == "$30.00" and page.locator("#change").inner_text() == "$0.00"
    page.get_by_role("button", name="Post the receipt").click()
    assert page.get_by_text(re.compile(r"Receipt R-\d{6}: received \$30\.00; change due \$0\.00\. Account "
                                       r"781-000001 balance now \$60\.77\.")).is_visible()
    page.goto(url + f"/accounts/{city['number']}")
    assert page.locator("#balance").inner_text() == "$60.77"
    page.screenshot(path="/tmp/ordinance-account-page.png", full_page=True)
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, url, "sam", "approve-password")
    page.goto(url + f"/cases/{city['case_id']}")
    assert page.get_by_role("heading", name=re.compile(f"Case {city['case_id']}")).is_visible()
    page.get_by_label("Medical certificate received").fill("2026-03-01")
    step = page.locator("li.step", has=page.get_by_role("button", name="Hold for a medical certificate"))
    step.get_by_label("Reason").fill("Certificate from Dr. Alvarez")
    step.get_by_role("button", name="Hold for a medical certificate").click()
    assert page.get_by_text(re.compile(r"Hold for a medical certificate: case \d+ is now on hold\.")).is_visible()
    assert page.locator("h1 .sub").inner_text() == "On hold"
    assert page.get_by_text("certificate received: Mar 1, 2026").is_visible()  # the city's date style
    page.screenshot(path="/tmp/ordinance-case-page.png", full_page=True)


def test_a_receipt_pays_a_water_bill_and_a_license_fee_with_two_tenders_and_is_printed(city, chromium, committing_db,
                                                                                       tmp_path):
    """$90.77 water bill + $150.00 license fee = $240.77: check 2210 for $200.00 and $50.00 cash, $9.23 change."""
    page, url = chromium, city["url"]
    sign_in(page, url, "maria", "counter-password")
    page.goto(url + "/payments/drawer")
    page.get_by_label("Starting cash in the drawer").fill("100.00")
    page.get_by_role("button", name="Open my drawer").click()
    page.goto(url + "/payments/")
    page.get_by_label("Line 1: what is paid").select_option("account")
    page.get_by_label("Line 1: account or license number").fill(city["number"])
    page.get_by_label("Line 1: amount").fill("90.77")
    page.get_by_label("Line 2: what is paid").select_option("license")
    page.get_by_label("Line 2: account or license number").fill(city["license"])
    page.get_by_label("Line 2: amount").fill("150.00")
    page.get_by_label("Tender 1: kind").select_option("check")
    page.get_by_label("Tender 1: amount").fill("200.00")
    page.get_by_label("Tender 1: check number").fill("2210")
    page.get_by_label("Tender 2: kind").select_option("cash")
    page.get_by_label("Tender 2: amount").fill("50.00")
    page.get_by_label("Paid by (optional)").fill("Rosalind Quince")
    page.get_by_role("button", name="Review the receipt").click()
    lines = page.locator("#review-lines")
    assert lines.get_by_role("cell", name="Rosalind Quince").is_visible()
    assert lines.get_by_role("cell", name="Quince Hardware").is_visible()
    assert page.locator("#total").inner_text() == "$240.77" and page.locator("#change").inner_text() == "$9.23"
    page.get_by_role("button", name="Post the receipt").click()
    flash = page.get_by_text(re.compile(r"Receipt R-\d{6}: received \$240\.77; change due \$9\.23\."))
    assert flash.is_visible()
    number = re.search(r"R-\d{6}", flash.inner_text()).group(0)
    assert page.locator("#receipt-total").inner_text() == "$240.77"
    pdf_url = page.get_by_role("link", name="receipt printer (80 mm)").get_attribute("href")
    pdf = page.context.request.get(url + pdf_url)
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    text = " ".join(subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf.body(), capture_output=True,
                                   check=True).stdout.decode().split())
    for words in (f"Receipt {number}", "Total $240.77", "Check no. 2210 $200.00", "Cash $50.00", "Change due $9.23"):
        assert words in text
    page.screenshot(path="/tmp/ordinance-receipt-page.png", full_page=True)
    with committing_db() as session:  # the money shown matches the ledger to the cent
        account_id = session.scalar(select(UtilityAccount.id).where(UtilityAccount.number == city["number"]))
        assert ledger.balance_cents(session, account_id) == 0
        references = session.scalars(select(LedgerEntry.reference).where(LedgerEntry.account_id == account_id,
                                                                         LedgerEntry.kind == "payment")).all()
        assert references == [number]
        fee = session.scalar(select(GlEntry).where(GlEntry.reference == number))
        assert (fee.gl_account, fee.amount_cents) == ("4410", -15000)


def test_a_blind_count_with_a_variance_reaches_the_gl_export(city, chromium, committing_db):
    """maria opens with $100.00 and takes $90.77 in cash for the water bill; she counts blind (no expected totals on
    the page) $190.00 by denomination — 77 cents short; sam closes the day and the GL export has the shortage on the
    over/short account, as the ledger and the drawer say."""
    import csv
    import io

    from engine.store.models import CashDrawer

    page, url = chromium, city["url"]
    sign_in(page, url, "maria", "counter-password")
    page.goto(url + "/payments/drawer")
    page.get_by_label("Starting cash in the drawer").fill("100.00")
    page.get_by_role("button", name="Open my drawer").click()
    page.goto(url + f"/payments/?account={city['number']}")
    page.get_by_label("Line 1: amount").fill("90.77")
    page.get_by_label("Tender 1: kind").select_option("cash")
    page.get_by_label("Tender 1: amount").fill("90.77")
    page.get_by_role("button", name="Review the receipt").click()
    page.get_by_role("button", name="Post the receipt").click()
    page.goto(url + "/payments/drawer")
    count_form = page.locator("form", has=page.get_by_role("button", name="Count and close my drawer"))
    assert "$190.77" not in count_form.inner_text() and "$90.77" not in count_form.inner_text()  # blind
    page.get_by_label("$100 bills").fill("1")
    page.get_by_label("$50 bills").fill("1")
    page.get_by_label("$20 bills").fill("2")
    page.get_by_role("button", name="Count and close my drawer").click()
    assert page.get_by_text("Your drawer is counted and closed").is_visible()
    assert "-$0.77" in page.locator("main").inner_text()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, url, "sam", "approve-password")
    page.goto(url + "/payments/drawer")
    page.get_by_role("button", name=re.compile("Close business day")).click()
    assert page.get_by_text(re.compile(r"Business day Mar 2, 2026 closed \(1 drawer\)\.")).is_visible()
    export = page.context.request.get(url + "/payments/day/gl-export.csv?date=2026-03-02")
    assert export.ok and export.headers["content-type"].startswith("text/csv")
    rows = {(r["fund"], r["account"]): (r["debit"], r["credit"]) for r in csv.DictReader(io.StringIO(export.text()))}
    assert rows[("510", "4950")] == ("0.77", "0.00")  # the shortage, on the over/short account
    assert rows[("510", "1010")] == ("90.00", "0.00")  # the cash received less the shortage
    with committing_db() as session:
        drawer = session.scalar(select(CashDrawer))
        assert (drawer.status, drawer.counted["cash"], drawer.opening_cents) == ("closed", 19000, 10000)
