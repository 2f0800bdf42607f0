"""Every page a person can reach, on the sample city: one date style, the city's time, no code words.

A crawler signs in as each demo person and follows every link from the dashboard (GET only,
this site only, each page once, at most a few of each kind of page), reading the visible
text of each page. It fails on a date written the machine's way (2026-11-24), a time said
to be UTC or a sweep's signature (sweep:delinquency): staff read "Nov 24, 2026", the city's
local time and "the Delinquency notices and shut-offs sweep".
"""
from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from sqlalchemy.orm import sessionmaker

from samplecity.city import DEMO_LOGINS
from tests.demo.conftest import city, city_rules, empty_database  # noqa: F401 (fixtures)
from webapp.app import create_app
from webapp.config import TestConfig

ISO_DATE = re.compile(r"\b(19|20)\d{2}-[01]\d-[0-3]\d\b")
UTC = re.compile(r"\bUTC\b")
SIGNATURE = re.compile(r"\bsweep:[a-z]")  # how a sweep signs what it does, never what a page says
PER_KIND = 3  # pages of one kind (/accounts/<n>, /cases/<n>) read at most
SKIP = re.compile(r"\.(pdf|csv)$|/logout$")
# Not read as sentences: scripts and styles, and a document's YAML text (shown as code, as written).
HIDDEN = ("script", "style", "textarea", "pre", "code")


class VisibleText(HTMLParser):
    """The text a person sees: no tags, attributes, scripts or styles."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in HIDDEN:
            self._hidden += 1
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def kind_of(path: str) -> str:
    """A page's kind: its path with record numbers and names folded (/accounts/000123-01 -> /accounts/*)."""
    return re.sub(r"/[^/]*\d[^/]*", "/*", path)


@pytest.mark.parametrize("who", [login.username for login in DEMO_LOGINS])
def test_no_page_writes_a_machines_date_a_utc_time_or_a_sweeps_signature(city, who, tmp_path):  # noqa: F811
    app = create_app(TestConfig(database_url=str(city.url), instance=tmp_path),
                     sessions=sessionmaker(bind=city, expire_on_commit=False))
    client = app.test_client()
    login = next(login for login in DEMO_LOGINS if login.username == who)
    assert client.post("/login", data={"username": login.username, "password": login.password}).status_code == 302
    seen, kinds, queue, problems = set(), Counter(), ["/"], []
    while queue and len(seen) < 120:
        path = queue.pop(0)
        if path in seen or kinds[kind_of(path)] >= PER_KIND:
            continue
        seen.add(path)
        kinds[kind_of(path)] += 1
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.content_type:
            continue
        page = VisibleText()
        page.feed(response.get_data(as_text=True))
        text = " ".join(" ".join(page.parts).split())
        for pattern in (ISO_DATE, UTC, SIGNATURE):
            for found in pattern.finditer(text):
                problems.append(f"{path}: ...{text[max(0, found.start() - 60):found.end() + 20]}...")
        for href in page.links:
            target = urldefrag(href)[0]
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or not target.startswith("/") or SKIP.search(parts.path):
                continue
            queue.append(target)
    assert len(seen) > 10
    by_kind: dict[str, list[str]] = {}
    for problem in problems:
        by_kind.setdefault(kind_of(problem.split(":", 1)[0]), []).append(problem)
    shown = [f"{kind} ({len(found)}): {found[0]}" for kind, found in by_kind.items()]
    assert not problems, f"{len(problems)} on {len(seen)} pages:\n" + "\n".join(shown)
