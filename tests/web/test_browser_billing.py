"""A real Chromium, CSRF on, a job worker running as the scheduler's does: a supervisor bills cycle A of the sample
city for November from the Billing page, reads the register, prints the bills and downloads the mailing PDF."""
from __future__ import annotations

import re
import subprocess
import threading
from collections.abc import Iterator
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.jobs.worker import run_worker
from engine.money import format_money
from engine.reads.files import import_reads, parse_csv
from engine.store.db import make_engine, make_sessionmaker
from engine.store.models import Bill, UtilityAccount
from engine.users import add_user
from tests.demo.conftest import city_rules, load  # noqa: F401  (fixture)
from tests.statements.conftest import reads_csv
from tests.web.pages import assert_download_audited, audited_downloads, served_in_thread
from tests.web.test_browser_counter import sign_in
from tests.web.test_browser_login import chromium  # noqa: F401  (fixture)
from webapp.app import create_app
from webapp.config import TestConfig

pytestmark = pytest.mark.browser
NOW = datetime(2026, 11, 30, 17, 0, tzinfo=timezone.utc)  # 09:00 on November 30 in Alder Creek
PERIOD = "2026-11"


@pytest.fixture()
def city(committing_url: str, city_rules, tmp_path: Path) -> Iterator[str]:  # noqa: F811
    """The sample city (60 accounts) with cycle A's November reads imported, a supervisor, the app and a job worker."""
    engine = make_engine(committing_url)
    load(engine, city_rules, accounts=60)
    sessions = make_sessionmaker(engine)
    rows, problems = parse_csv(reads_csv(engine))
    with sessions() as session, session.begin():
        imported = import_reads(session, city_rules.rules, cycle="A", period=PERIOD, rows=rows, problems=problems,
                                as_of=date(2026, 10, 28), actor="test", now=NOW)
        assert not imported.problems, imported.problems
        add_user(session, username="sam", full_name="Sam Supervisor", role="supervisor", password="billing-password",
                 actor="test", now=NOW)
    app = create_app(TestConfig(database_url=committing_url, instance=tmp_path, WTF_CSRF_ENABLED=True,
                                CLOCK=lambda: NOW))
    stop = threading.Event()
    worker = threading.Thread(target=run_worker, args=(sessions, stop, lambda: NOW, 0.2), daemon=True)
    worker.start()
    with served_in_thread(app) as url:
        yield url
    stop.set()
    worker.join(timeout=30)
    engine.dispose()


def test_a_supervisor_bills_cycle_a_and_downloads_the_bills(city, chromium, committing_url):
    page, url = chromium, city
    sign_in(page, url, "sam", "billing-password")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Billing").click()
    page.get_by_label("Billing cycle").select_option("A")
    page.get_by_label("Billing month").fill(PERIOD)
    page.get_by_role("button", name="Show").click()
    ready = int(page.get_by_role("row", name=re.compile("Reads reviewed and ready to bill")).inner_text().split()[-1])
    assert ready > 0
    assert page.get_by_text(re.compile(r"A run today dates its bills Nov 30, 2026")).is_visible()

    page.get_by_role("button", name=re.compile(r"Bill \d+ reads? of cycle A, Nov 2026")).click()
    assert page.get_by_text("has started").is_visible()
    page.get_by_role("heading", name="The billing register").wait_for(timeout=120_000)  # the page looks again
    assert page.get_by_role("row", name=re.compile(rf"Accounts billed\s+{ready}$")).is_visible()

    page.get_by_role("button", name="Print the bills").click()
    bills_link = page.get_by_role("link", name="Bills to mail, cycle A, Nov 2026 (PDF)")
    bills_link.wait_for(timeout=180_000)
    pdf = page.context.request.get(url + bills_link.get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    text = " ".join(subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf.body(), capture_output=True,
                                   check=True).stdout.decode().split())
    sessions = make_sessionmaker(make_engine(committing_url))
    with sessions() as session:
        number, cents = session.execute(select(UtilityAccount.number, Bill.total_cents).join(Bill)
                                        .where(Bill.period == PERIOD).order_by(UtilityAccount.number)).first()
        [taken] = audited_downloads(session)
    assert number in text and format_money(cents) in text
    assert_download_audited(taken, pdf.body(), pdf.headers["content-disposition"], "sam", ready)
