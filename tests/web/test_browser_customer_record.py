"""A real Chromium, JavaScript off, on the sample city served by `ordinance serve`: the clerk changes a
customer's mailing address and phones, then writes a note on the account and corrects it."""
from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.web.served import Served, ordinance, start_serve
from tests.web.test_browser_login import chromium  # noqa: F401  (fixture)
from tests.web.test_browser_serve import sign_in_as_the_clerk

pytestmark = pytest.mark.browser


@pytest.fixture()
def served(tmp_path: Path) -> Iterator[tuple[Served, Path]]:
    """A 50-account sample city served by gunicorn on a free loopback port, and its instance folder."""
    instance = tmp_path / "instance"
    ordinance(instance, "demo", "--accounts", "50", "--licenses", "5")
    server = start_serve(instance, "--no-scheduler")
    yield server, instance
    assert server.stop() == 0, server.output()


def test_a_clerk_moves_the_mail_changes_phones_and_keeps_a_note(served, chromium):
    server, instance = served
    page = chromium
    with sqlite3.connect(instance / "ordinance.db") as connection:
        (number,) = connection.execute("SELECT number FROM utility_accounts ORDER BY id LIMIT 1").fetchone()
    assert sign_in_as_the_clerk(page, server.url) in (302, 303)

    page.goto(f"{server.url}/accounts/{number}")
    page.get_by_role("link", name="Change the address, phones, e-mail, language, assistance programs, owner or occupants").click()
    form = page.locator("form", has=page.get_by_role("button", name="Save the mailing address"))
    form.get_by_label("Street").fill("9 Forward Lane")
    form.get_by_label("Unit, apartment or suite").fill("Apt 3")
    form.get_by_label("City").fill("Sacramento")
    form.get_by_label("State").fill("CA")
    form.get_by_label("ZIP code").fill("95814")
    form.get_by_label("Why (for the history)").fill("forwarding address at move-out")
    form.get_by_role("button", name="Save the mailing address").click()
    assert page.get_by_text("Mailing address saved: letters go there from today.").is_visible()
    assert page.locator("#address-today").inner_text() == "9 Forward Lane Apt 3, Sacramento CA 95814"

    contact = page.locator("form", has=page.get_by_role("button", name="Save phones, e-mail and language"))
    contact.get_by_label("Label of phone 1").fill("mobile")
    contact.get_by_label("Number of phone 1").fill("(916) 555-0142")
    contact.get_by_label("Label of phone 2").fill("work")
    contact.get_by_label("Number of phone 2").fill("530-555-0199")
    contact.get_by_role("button", name="Save phones, e-mail and language").click()
    assert page.get_by_text("Phones, e-mail and language saved.").is_visible()

    page.goto(f"{server.url}/accounts/{number}")
    assert page.locator("#mail-to").inner_text().startswith("9 Forward Lane Apt 3, Sacramento CA 95814")
    assert "(916) 555-0142 (mobile)" in page.locator("#phones").inner_text()
    changes = page.locator("#changes").inner_text()
    assert "Mailing address from" in changes and "to 9 Forward Lane Apt 3, Sacramento CA 95814" in changes
    assert "(forwarding address at move-out)" in changes and "by Rosa Delgado" in changes  # the demo clerk, by name

    page.get_by_role("link", name="All notes, and write a note").click()
    page.get_by_label("Note").first.fill("Called, promised to pay Friday.")
    page.get_by_role("button", name="Save the note").first.click()
    assert page.get_by_text("Note saved.").is_visible()
    page.get_by_text("Edit this note").click()
    edit = page.locator("li[id^=note-] form")
    edit.get_by_label("Note").fill("Called, promised to pay Friday the 6th.")
    edit.get_by_role("button", name="Save the note").click()
    assert page.get_by_text("Note saved; its earlier text is kept with it.").is_visible()
    note = page.locator("li[id^=note-]").first
    assert note.locator("> p.note-text").inner_text() == "Called, promised to pay Friday the 6th."
    note.get_by_text("Earlier text (1)").click()
    assert note.get_by_text("Called, promised to pay Friday.", exact=True).is_visible()
    assert page.title().startswith("Notes")
