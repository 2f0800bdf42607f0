"""A real Chromium, JavaScript off, CSRF on: supervisors change rates in the table editor and a holiday in the months.

Supervisor A raises tier 2 of the residential water schedule by 5% from the first of next
month in the form editor (no YAML typed), sees the impact with its chart; supervisor B
approves it with a comment. The billing run then bills a period after the date at the new
rate (the bill cites the new version), a period before it as before, and a period spanning
it prorated across the two versions. A second test adds a holiday by clicking a day of a new
calendar version's month; once published, the shut-off days around it move.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from engine.jobs.worker import run_pending
from engine.money.billing import parse_reads, run_billing
from engine.rulebook import store
from engine.rulebook.revisions import published_library
from engine.rules.calendar import city_calendar
from engine.store.models import Bill, RuleVersion
from engine.store.rule_reviews import RuleReview
from engine.users import add_user
from tests.factories import NOW, create_account, create_customer
from tests.web.pages import bill, served_in_thread
from tests.web.test_browser_counter import sign_in
from tests.web.test_browser_login import CHROMIUM, CHROMIUM_ARGS, chromium  # noqa: F401  (fixture)
from webapp.app import create_app
from webapp.config import TestConfig

pytestmark = pytest.mark.browser
RULES = Path(__file__).resolve().parents[2] / "rules"
TODAY = date(2026, 3, 2)  # NOW in the city; the first of next month is Apr 1, 2026
WATER = "water-rates-residential"
PASSWORDS = {"ana": "copper kettle orchard lantern", "ben": "granite harbor violet tram"}


@pytest.fixture()
def city(committing_url: str, committing_db, tmp_path: Path) -> Iterator[dict]:
    """The app served with two supervisors, the rules published, and accounts billed in January."""
    with committing_db() as session, session.begin():
        for username, name in (("ana", "Ana Reyes"), ("ben", "Ben Ito")):
            add_user(session, username=username, full_name=name, role="supervisor", password=PASSWORDS[username],
                     actor="test", now=NOW)
        store.import_folder(session, RULES, actor="test", now=NOW, today=TODAY)
        accounts = {}
        for key, ccf in (("before", 12), ("spanning", 14), ("after", 16)):
            account = create_account(session, customer=create_customer(session, name=f"Customer {key}"),
                                     number=f"781-00000{len(accounts) + 1}")
            bill(session, account, "2026-01", ccf, due_on=date(2026, 2, 5))  # the impact reads this last bill
            accounts[key] = account.number
    app = create_app(TestConfig(database_url=committing_url, instance=tmp_path, WTF_CSRF_ENABLED=True,
                                CLOCK=lambda: NOW))
    with served_in_thread(app) as url:
        yield {"url": url, "accounts": accounts}


def work_the_jobs(committing_db) -> None:
    """The scheduler's worker does the jobs the pages asked for."""
    assert run_pending(committing_db, lambda: NOW, "test-worker", heartbeat_seconds=None)


def version_section(page, day: str):
    """The form editor's section of the version of `day` (as the page writes it: Apr 1, 2026)."""
    return page.locator("section.version", has=page.get_by_role("heading", name=re.compile(f"^Version of {day}")))


def bill_period(committing_db, number: str, period: str, read_on: str, ccf: int) -> SimpleNamespace:
    """Bill one account's read through the billing run on the published rules; its stored bill and line names."""
    with committing_db() as session:
        library = published_library(session)
    rows, problems = parse_reads([f"account_number,read_on,consumption\n", f"{number},{read_on},{ccf}\n"])
    assert problems == []
    report = run_billing(committing_db, library, cycle="A", period=period, rows=rows, as_of=TODAY, now=NOW)
    assert report.billed == 1, report.problems
    with committing_db() as session:
        row = session.scalar(select(Bill).where(Bill.period == period).order_by(Bill.id.desc()).limit(1))
        return SimpleNamespace(rule_version=row.rule_version, total_cents=row.total_cents,
                               explanation=row.explanation, lines=[line.name for line in row.lines])


def test_a_tier_raised_in_the_table_editor_is_approved_with_a_comment_and_billed_from_its_date(city, chromium,
                                                                                             committing_db):
    page, url = chromium, city["url"]
    sign_in(page, url, "ana", PASSWORDS["ana"])
    page.goto(url + f"/rules/{WATER}")
    page.get_by_role("link", name="Change it in a form").click()
    page.get_by_label("The new version takes effect on").fill("2026-04-01")
    page.get_by_role("button", name="Copy the version in force then").click()
    assert page.get_by_text("The new version of Apr 1, 2026 is a copy of the version of Jul 1, 2025").is_visible()
    april = version_section(page, "Apr 1, 2026")
    assert april.get_by_label('The version of 2026-04-01, line “Water use”, tiers, for 3/4", tier 2, rate') \
        .input_value() == "2.57"  # the table shows what was copied
    april.get_by_label("The version of 2026-04-01, reference").fill("Resolution 2026-12 (tier 2 +5%)")
    april.get_by_label("Change every tier 2 rate of “Water use” by (%)").fill("5")
    page.get_by_role("button", name="Show what changes").click()
    changes = page.locator("table.changes")
    assert changes.get_by_text("The version of Apr 1, 2026: added").is_visible()
    assert version_section(page, "Apr 1, 2026").get_by_label(
        'The version of 2026-04-01, line “Water use”, tiers, for 2", tier 2, rate').input_value() == "2.70"
    page.get_by_role("button", name="Save draft").click()
    assert page.get_by_text(re.compile(r"Draft revision 2 of water-rates-residential saved")).is_visible()
    assert page.get_by_text("Waiting to start").is_visible()

    work_the_jobs(committing_db)
    page.reload()
    chart = page.locator("#impact-chart svg")
    assert chart.is_visible() and "Change of each of 3 accounts" in chart.get_attribute("aria-label")
    assert page.get_by_role("link", name=city["accounts"]["after"]).first.is_visible()  # an increase, linked
    page.screenshot(path="/tmp/ordinance-rate-draft.png", full_page=True)
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, url, "ben", PASSWORDS["ben"])
    page.goto(url + "/rules/approvals")
    row = page.get_by_role("row", name=re.compile("water-rates-residential"))
    assert row.get_by_text("effective Apr 1, 2026").is_visible()
    row.get_by_role("link", name=WATER).click()
    page.get_by_label("Comment for the author (optional)").fill("Matches Resolution 2026-12.")
    page.get_by_role("button", name="Publish this version").click()
    assert page.get_by_text("Revision 2 of water-rates-residential published").is_visible()
    assert page.get_by_text("Matches Resolution 2026-12.").is_visible()  # in the document's history
    with committing_db() as session:
        review = session.scalar(select(RuleReview))
        assert (review.reviewer, review.decision, review.comment) == ("ben", "approved", "Matches Resolution 2026-12.")
        assert session.scalar(select(RuleVersion.status).where(RuleVersion.revision == 2,
                                                               RuleVersion.document_id == WATER)) == "published"

    numbers = city["accounts"]
    before = bill_period(committing_db, numbers["before"], "2026-03", "2026-03-25", 12)  # Feb 24 to Mar 25
    assert (before.rule_version, before.total_cents) == ("2025-07-01", 9077)  # as before: 2.57 for tier 2
    after = bill_period(committing_db, numbers["after"], "2026-05", "2026-05-29", 12)  # Apr 30 to May 29
    assert after.rule_version == "2026-04-01"
    assert after.explanation["reference"] == "Resolution 2026-12 (tier 2 +5%)"
    assert "5 CCF x 2.70" in str(after.explanation)
    # 27.02 + 7 x 2.05 + 5 x 2.70 + 16.33 + 5 x 3.18 = 87.10; 5% = 4.36 (4.355 rounded half up)
    assert after.total_cents == 9146
    spanning = bill_period(committing_db, numbers["spanning"], "2026-04", "2026-04-14", 12)  # Mar 16 to Apr 14
    parts = spanning.explanation["parts"]
    assert [(p["version"], p["days"]) for p in parts] == [("2025-07-01", 16), ("2026-04-01", 14)]
    assert 9077 < spanning.total_cents < 9146
    assert "Proration across a rate change" in spanning.lines
    assert spanning.total_cents == 9109  # (90.77 x 16 + 91.46 x 14) / 30 days, by the proration lines

    page.goto(url + f"/accounts/{numbers['after']}")
    page.locator("ul.bills summary").first.click()
    assert page.get_by_text("5 CCF x 2.70").first.is_visible()
    assert page.get_by_text(re.compile(r"version of Apr 1, 2026; Resolution 2026-12 \(tier 2 \+5%\)")).is_visible()
    page.goto(url + f"/accounts/{numbers['spanning']}")
    page.locator("ul.bills summary").first.click()
    assert page.get_by_text(re.compile(r"16 days at the version of Jul 1, 2025 .*14 days at the version of "
                                       r"Apr 1, 2026")).is_visible()


def test_a_holiday_clicked_in_the_month_grid_is_published_and_the_shutoff_days_move(city, chromium, committing_db):
    page, url = chromium, city["url"]
    with committing_db() as session:
        calendar = city_calendar(published_library(session).get("city-calendar"))
    assert calendar.is_shutoff_day(date(2026, 4, 8)) and calendar.is_office_day(date(2026, 4, 9))
    assert calendar.roll(date(2026, 4, 8), "shutoff_day") == date(2026, 4, 8)

    sign_in(page, url, "ana", PASSWORDS["ana"])
    page.goto(url + "/rules/city-calendar/edit")
    page.get_by_label("The new version takes effect on").fill("2026-04-01")
    page.get_by_role("button", name="Copy the version in force then").click()
    assert page.get_by_text("The new version of Apr 1, 2026 is a copy of the version of Jan 1, 2026").is_visible()
    page.get_by_label("Name of a holiday added").fill("Founders Day")
    version_section(page, "Apr 1, 2026").get_by_role("button", name="Apr 9, 2026", exact=True).click()
    assert version_section(page, "Apr 1, 2026").get_by_role("button", name="Apr 9, 2026, holiday: Founders Day") \
        .is_visible()
    page.get_by_role("button", name="Save draft").click()
    assert page.get_by_text(re.compile(r"Draft revision 2 of city-calendar saved")).is_visible()
    assert page.get_by_text("The version of Apr 1, 2026: added").is_visible()  # what the draft changes
    assert page.get_by_role("cell", name=re.compile("Apr 9, 2026: Founders Day")).is_visible()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, url, "ben", PASSWORDS["ben"])
    page.goto(url + "/rules/city-calendar/drafts/2")
    page.get_by_role("button", name="Publish this version").click()
    page.get_by_text("Revision 2 of city-calendar published").wait_for()  # visible once the publish's page is drawn

    with committing_db() as session:
        calendar = city_calendar(published_library(session).get("city-calendar"))
    assert not calendar.is_office_day(date(2026, 4, 9))  # the holiday
    assert not calendar.is_shutoff_day(date(2026, 4, 8))  # the office day before a holiday
    # the day before the holiday, the holiday, Friday and the weekend are barred: a shut-off rolls to Monday
    assert calendar.roll(date(2026, 4, 8), "shutoff_day") == date(2026, 4, 13)
    assert calendar.holiday(date(2026, 4, 9)) == "Founders Day"


@pytest.fixture()
def chromium_with_scripts() -> Iterator[object]:
    """A headless Debian Chromium with JavaScript on (the YAML editor's CodeMirror), no network beyond the app."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(java_script_enabled=True)
        context.set_default_timeout(30_000)
        page = context.new_page()
        outside = []
        page.on("request", lambda request: outside.append(request.url)
                if not request.url.startswith("http://127.0.0.1") else None)
        page.outside = outside
        yield page
        browser.close()


def test_the_yaml_editor_numbers_its_lines_does_not_wrap_and_shows_an_error_under_its_line(city,
                                                                                            chromium_with_scripts):
    page, url = chromium_with_scripts, city["url"]
    sign_in(page, url, "ana", PASSWORDS["ana"])
    page.goto(url + "/rules/late-fee/draft")
    editor = page.locator(".CodeMirror")
    assert editor.is_visible() and page.locator(".CodeMirror-linenumber", has_text="1").first.is_visible()
    assert editor.get_attribute("class").split().count("CodeMirror-wrap") == 0  # no soft wrap
    text = page.evaluate("document.querySelector('.CodeMirror').CodeMirror.getValue()")
    broken = text.replace("rate: 10}", "rate: ten}")
    line = broken.splitlines().index(next(l for l in broken.splitlines() if "rate: ten}" in l)) + 1
    page.evaluate("value => document.querySelector('.CodeMirror').CodeMirror.setValue(value)", broken)
    page.get_by_role("button", name="Check the text").click()
    note = page.locator(".yaml-error-note")
    note.wait_for(state="visible")  # the checked page, its editor built
    assert note.is_visible() and "percent, rate" in note.inner_text()
    marked = page.locator(".yaml-error-line").first
    number = marked.locator("xpath=ancestor::div[contains(@class,'CodeMirror-code')]/div", has=marked)
    assert number.locator(".CodeMirror-linenumber").inner_text() == str(line)  # the error stands on its line
    assert page.outside == []  # the editor came from the app's own static folder
