"""A real Chromium, CSRF on: a new business is licensed at the counter and its certificate printed and checked."""
from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.store.models import GlEntry, License
from engine.users import add_user
from tests.factories import NOW, save_city
from tests.web.test_browser_counter import sign_in
from tests.web.test_browser_login import chromium  # noqa: F401  (fixture)
from tests.web.pages import served_in_thread
from webapp.app import create_app
from webapp.config import TestConfig

pytestmark = pytest.mark.browser


@pytest.fixture()
def city(committing_url: str, committing_db, tmp_path: Path) -> Iterator[str]:
    """The app served on a loopback port, on 2026-03-02, with the city's details and a clerk."""
    with committing_db() as session, session.begin():
        save_city(session)  # the name, address and phone the certificate prints
        add_user(session, username="maria", full_name="Maria Lopez", role="clerk", password="counter-password",
                 actor="test", now=NOW)
    app = create_app(TestConfig(database_url=committing_url, instance=tmp_path, WTF_CSRF_ENABLED=True,
                                CLOCK=lambda: NOW))
    with served_in_thread(app) as url:
        yield url


def take_step(page, label: str) -> None:
    """Press a case step's button; the page says the case moved."""
    page.get_by_role("button", name=label).click()
    said = page.get_by_text(re.compile(rf"{re.escape(label)}: case \d+ is now"))
    said.wait_for()  # the next page has loaded (is_visible alone does not wait for it)
    assert said.is_visible()


def test_a_new_restaurant_is_licensed_paid_at_the_counter_and_its_certificate_printed_and_checked(
        city, chromium, committing_db):
    """Ortiz Taqueria, a restaurant of 6: $145.00 + $48.00 + $4.00 = $197.00, paid with $200.00 cash."""
    page, url = chromium, city
    sign_in(page, url, "maria", "counter-password")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Businesses").click()
    page.get_by_role("link", name="A new business applies for a license").click()
    page.get_by_label("Business name").fill("Ortiz Taqueria")
    page.get_by_label("Business location (street address)").fill("412 Main Street")
    page.get_by_label("Category").select_option("restaurant")
    page.get_by_label("Employees (full-time equivalents, owners included)").fill("6")
    page.get_by_label("Or a new owner: name").fill("Imelda Ortiz")
    page.get_by_label("Mailing street").fill("88 Foothill Road")
    page.get_by_label("City", exact=True).fill("Alder Creek")
    page.get_by_label("State").fill("CA")
    page.get_by_label("ZIP code").fill("95601")
    page.get_by_role("button", name="Review the application").click()
    assert page.get_by_role("cell", name="Ortiz Taqueria").is_visible()
    assert page.get_by_role("cell", name="General business license").is_visible()  # as the renewal deadline names it
    page.get_by_role("button", name="Take the application").click()
    taken = page.get_by_text(re.compile(r"Application taken: license BL-2026-00001 for Ortiz Taqueria"))
    taken.wait_for()  # the case page has loaded (is_visible alone does not wait for it)
    assert taken.is_visible()

    take_step(page, "Start the review")
    take_step(page, "Assess the business license fee")
    assert page.get_by_text("$197.00").first.is_visible()
    assert page.get_by_role("button", name="Record the fee payment (paid at the counter)").is_disabled()
    assert "the fee has $197.00 unpaid: take it at the counter first" in page.locator("#why-record_payment").inner_text()
    case_url = page.url.split("#")[0]

    page.goto(url + "/payments/drawer")
    page.get_by_label("Starting cash in the drawer").fill("100.00")
    page.get_by_role("button", name="Open my drawer").click()
    page.goto(url + "/payments/?license=BL-2026-00001")
    page.get_by_label("Line 1: amount").fill("197.00")
    page.get_by_label("Tender 1: kind").select_option("cash")
    page.get_by_label("Tender 1: amount").fill("200.00")
    page.get_by_role("button", name="Review the receipt").click()
    assert page.locator("#total").inner_text() == "$197.00" and page.locator("#change").inner_text() == "$3.00"
    page.get_by_role("button", name="Post the receipt").click()
    receipt = re.search(r"R-\d{6}", page.get_by_text(re.compile(r"Receipt R-\d{6}: received \$197\.00")).inner_text())

    page.goto(case_url)
    take_step(page, "Record the fee payment (paid at the counter)")
    take_step(page, "Issue the license")
    pdf_url = page.get_by_role("link", name=re.compile("Download PDF of the license certificate")).get_attribute("href")
    pdf = page.context.request.get(url + pdf_url)
    assert pdf.headers["content-type"] == "application/pdf", re.findall(r'class="flash[^"]*"[^>]*>(.*?)<', pdf.text())
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    text = " ".join(subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf.body(), capture_output=True,
                                   check=True).stdout.decode().split())
    with committing_db() as session:
        lic = session.scalar(select(License).where(License.number == "BL-2026-00001"))
        code, fee_paid = lic.verification_code, (lic.fee_cents, lic.fee_paid_cents)
        gl = session.scalar(select(GlEntry).where(GlEntry.reference == receipt.group(0), GlEntry.license_id == lic.id))
        assert fee_paid == (19700, 19700) and gl.amount_cents == -19700  # what the pages showed, to the cent
    for words in ("Ortiz Taqueria", "License number BL-2026-00001", "412 Main Street", f"Verification code {code}"):
        assert words in text

    page.get_by_role("button", name="Sign out").click()  # anyone may check a certificate, signed in or not
    page.goto(url + "/businesses/verify")
    page.get_by_label("Verification code on the certificate").fill(code.lower().replace("-", ""))
    page.get_by_role("button", name="Check").click()
    answer = " ".join(page.get_by_role("status").inner_text().split())
    assert answer.startswith("License BL-2026-00001 is in force: Ortiz Taqueria, 412 Main Street, until "), answer
