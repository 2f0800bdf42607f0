"""A real Chromium signs a clerk in, sees the dashboard and signs out (no JavaScript needed)."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.users import add_user
from tests.factories import NOW
from tests.web.pages import served_in_thread
from webapp.app import create_app
from webapp.config import TestConfig

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture()
def server(committing_url: str, committing_db, tmp_path: Path) -> Iterator[str]:
    """The app served on a free loopback port, CSRF on, with one clerk; yields its base URL."""
    with committing_db() as session, session.begin():
        add_user(session, username="maria", full_name="Maria Lopez", role="clerk", password="counter-password",
                 actor="test", now=NOW)
    app = create_app(TestConfig(database_url=committing_url, instance=tmp_path, WTF_CSRF_ENABLED=True))
    with served_in_thread(app) as url:
        yield url


@pytest.fixture()
def chromium() -> Iterator[object]:
    """A headless Debian Chromium driven by Playwright, with JavaScript off."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(java_script_enabled=False)
        context.set_default_timeout(30_000)  # a loaded CI machine can take seconds for a first page
        yield context.new_page()
        browser.close()


def test_a_clerk_signs_in_sees_the_dashboard_and_signs_out(server, chromium):
    page = chromium
    page.goto(server + "/")
    assert page.url == server + "/login?next=/"

    page.get_by_label("Username").fill("maria")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_text("Sign-in failed: check the username and password").is_visible()

    page.get_by_label("Password").fill("counter-password")
    page.get_by_role("button", name="Sign in").click()
    assert page.url == server + "/"
    assert page.get_by_role("heading", name="Dashboard").is_visible()
    assert page.get_by_text("Signed in as Maria Lopez.").is_visible()
    assert page.get_by_text("active utility accounts").is_visible()
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link", name="Dashboard").is_visible()
    assert nav.get_by_role("link", name="Users").count() == 0  # a clerk is not offered admin pages

    page.get_by_role("button", name="Sign out").click()
    assert page.url == server + "/login"
    assert page.get_by_text("You are signed out.").is_visible()
    page.goto(server + "/")
    assert page.url.startswith(server + "/login")
