"""A real Chromium, JavaScript off, on the sample city served by `ordinance serve`: the clerk finds a customer
by surname, by street name and by phone, from the search box every page carries."""
from __future__ import annotations

import re
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
    """A 200-account sample city served by gunicorn on a free loopback port, and its instance folder."""
    instance = tmp_path / "instance"
    ordinance(instance, "demo", "--accounts", "200", "--licenses", "10")
    server = start_serve(instance, "--no-scheduler")
    yield server, instance
    assert server.stop() == 0, server.output()


def someone(instance: Path) -> dict[str, str]:
    """An account of the sample city whose customer's surname few others share, with its street and phone."""
    with sqlite3.connect(instance / "ordinance.db") as connection:
        rows = connection.execute(
            "SELECT a.number, c.name, c.phone, p.service_address FROM utility_accounts a "
            "JOIN customers c ON c.id = a.customer_id JOIN properties p ON p.id = a.property_id "
            "WHERE c.phone != '' ORDER BY a.id").fetchall()
    surnames = [name.split()[-1] for _number, name, _phone, _address in rows]
    number, name, phone, address = next(row for row in rows if surnames.count(row[1].split()[-1]) <= 3)
    return {"number": number, "surname": name.split()[-1], "phone": phone,
            "street": address.split(" ", 1)[1], "name": name}


def find(page, typed: str) -> None:
    """Type into the search box of the page's header and search."""
    page.get_by_role("search", name="Site search").get_by_label("Search accounts and businesses").fill(typed)
    page.get_by_role("button", name="Find").click()


def test_a_clerk_finds_a_customer_by_surname_by_street_and_by_phone(served, chromium):
    server, instance = served
    page, who = chromium, someone(instance)
    assert sign_in_as_the_clerk(page, server.url) in (302, 303)

    find(page, who["surname"].lower())
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=who["number"]))
    assert row.get_by_text(f"customer name {who['name']}").is_visible()
    assert row.get_by_text("(whole word)").is_visible()

    find(page, who["street"])
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=who["number"]))
    assert row.get_by_text("service address").is_visible()

    digits = re.sub(r"\D", "", who["phone"])
    find(page, f"({digits[:3]}) {digits[3:6]} {digits[6:]}")  # written otherwise than the record has it
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=who["number"]))
    assert row.get_by_text(f"phone {who['phone']}").is_visible()
    row.get_by_role("link", name=who["number"]).click()
    assert page.get_by_role("heading", name=re.compile(f"Account {who['number']}")).is_visible()
    assert page.get_by_text(who["phone"]).first.is_visible()
