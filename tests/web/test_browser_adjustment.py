"""A real Chromium, JavaScript off, CSRF on: a leak adjustment over the clerk's limit, approved by a supervisor.

Issue 14's journey: the clerk asks for a $150.00 leak credit (her limit is $100.00 by
adjustment-approval), sees every amount before sending it, cannot approve it herself; a
supervisor approves it with a comment and it posts. Every figure the pages show is checked
against the ledger to the cent.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.money import ledger, to_cents
from engine.store.adjustments import Adjustment
from engine.store.models import AuditEntry, Case, LedgerEntry, UtilityAccount
from engine.users import add_user
from tests.factories import NOW, create_account, create_customer
from tests.web.pages import bill, served_in_thread
from tests.web.test_browser_counter import sign_in
from tests.web.test_browser_login import chromium  # noqa: F401  (fixture)
from webapp.app import create_app
from webapp.config import TestConfig

pytestmark = pytest.mark.browser


@pytest.fixture()
def city(committing_url: str, committing_db, tmp_path: Path) -> Iterator[dict]:
    """The app served on a loopback port with a clerk, a supervisor and an account billed for 40 CCF."""
    with committing_db() as session, session.begin():
        add_user(session, username="maria", full_name="Maria Lopez", role="clerk", password="counter-password",
                 actor="test", now=NOW)
        add_user(session, username="sam", full_name="Sam Okafor", role="supervisor", password="approve-password",
                 actor="test", now=NOW)
        account = create_account(session, customer=create_customer(session, name="Rosalind Quince"),
                                 number="781-000007")
        bill(session, account, "2026-02", 40, due_on=date(2026, 3, 10))
        facts = {"number": account.number}
    app = create_app(TestConfig(database_url=committing_url, instance=tmp_path, WTF_CSRF_ENABLED=True,
                                CLOCK=lambda: NOW))
    with served_in_thread(app) as url:
        yield {"url": url, **facts}


def cents(shown: str) -> int:
    """Cents of money as a page shows it ($1,234.50, -$30.00)."""
    return to_cents(Decimal(shown.replace("$", "").replace(",", "")))


def test_a_leak_adjustment_over_the_clerks_limit_is_approved_by_a_supervisor(city, chromium, committing_db):
    page, url, number = chromium, city["url"], city["number"]
    sign_in(page, url, "maria", "counter-password")
    page.goto(url + f"/accounts/{number}")
    balance = cents(page.locator("#balance").inner_text())
    with committing_db() as session:
        account_id = session.scalar(select(UtilityAccount.id).where(UtilityAccount.number == number))
        assert ledger.balance_cents(session, account_id) == balance > 15000

    page.get_by_role("link", name="Adjust balance").click()
    page.get_by_label("Reason").select_option(label="Leak adjustment")
    page.get_by_label("Credit or debit").select_option("credit")
    page.get_by_label("Amount").fill("150.00")
    page.get_by_label("Note").fill("Leak under the slab, repaired Feb 20; plumber's invoice seen")
    page.get_by_role("button", name="Review the adjustment").click()
    assert page.get_by_text("Nothing is posted yet.").is_visible()
    assert cents(page.locator("#balance-before").inner_text()) == balance
    assert page.locator("#adjustment-amount").inner_text() == "-$150.00"
    assert cents(page.locator("#balance-after").inner_text()) == balance - 15000
    assert page.get_by_text(re.compile(r"Over your limit: an adjustment of \$150\.00 needs Supervisor")).is_visible()
    page.get_by_role("button", name="Send for approval").click()

    flash = page.get_by_text(re.compile(r"Adjustment \d+ is over your limit: case \d+ waits for approval\."))
    assert flash.is_visible()
    case_id = int(re.search(r"case (\d+)", flash.inner_text()).group(1))
    assert page.locator("#why-approve").get_by_text("you requested this adjustment; another person must approve it").is_visible()
    with committing_db() as session:  # nothing posted while it waits
        assert ledger.balance_cents(session, account_id) == balance
    page.goto(url + f"/accounts/{number}")
    assert cents(page.locator("#balance").inner_text()) == balance
    assert page.get_by_text("waiting for approval", exact=True).is_visible()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, url, "sam", "approve-password")
    page.goto(url + f"/cases/{case_id}")
    step = page.locator("li.step", has=page.get_by_role("button", name="Approve and post the adjustment"))
    step.get_by_label("Comment").fill("Invoice seen; within the leak policy")
    step.get_by_role("button", name="Approve and post the adjustment").click()
    assert page.get_by_text(f"Approve and post the adjustment: case {case_id} is now approved and posted.").is_visible()
    page.screenshot(path="/tmp/ordinance-adjustment-case.png", full_page=True)

    page.goto(url + f"/accounts/{number}")
    after = cents(page.locator("#balance").inner_text())
    assert after == balance - 15000
    row = page.locator("#adjustments ~ table").first.locator("tbody tr").first
    assert "Sam Okafor: Invoice seen; within the leak policy" in row.inner_text() and "-$150.00" in row.inner_text()
    page.screenshot(path="/tmp/ordinance-adjusted-account.png", full_page=True)
    with committing_db() as session:  # the figures shown are the ledger's, to the cent
        assert ledger.balance_cents(session, account_id) == after
        adjustment = session.scalars(select(Adjustment)).one()
        entry = session.get(LedgerEntry, adjustment.entry_id)
        assert (entry.kind, entry.amount_cents, entry.actor, entry.fund, entry.gl_account) == (
            "adjustment", -15000, "sam", "510", "4390")
        assert (adjustment.requested_by, adjustment.decided_by, adjustment.status) == ("maria", "sam", "posted")
        case = session.get(Case, case_id)
        assert (case.state, case.fields["adjustment_id"]) == ("approved", adjustment.id)
        assert [a.actor for a in session.scalars(select(AuditEntry).where(
            AuditEntry.action.in_(("adjustment.request", "adjustment.approve"))).order_by(AuditEntry.id))] == [
            "maria", "sam"]
