"""A real Chromium, CSRF on: a clerk prints the day's door hangers for a route and enters the crew's results."""
from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from datetime import date, datetime, time, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.accounts.meters import NewMeter, install_meter
from engine.store.models import Case, Notice
from engine.users import add_user
from engine.workflow import services
from samplecity.city import APPROVAL_ROLE_IDS
from tests.factories import create_account, create_customer, create_property, print_notices, save_city
from tests.web.test_browser_counter import sign_in
from tests.web.pages import assert_download_audited, audited_downloads, served_in_thread
from tests.web.test_browser_login import chromium  # noqa: F401  (fixture)
from tests.workflow.conftest import charge
from webapp.app import create_app
from webapp.config import TestConfig

pytestmark = pytest.mark.browser
REPO = Path(__file__).resolve().parents[2]
HANGERS = date(2026, 6, 30)  # cycle B's April bill: the door hangers' day (7 office days after the notice)
NOW = datetime.combine(HANGERS, time(17, 0), tzinfo=timezone.utc)


@pytest.fixture()
def city(committing_url: str, committing_db, tmp_path: Path) -> Iterator[str]:
    """Three cycle-B accounts owing April, their shut-off notices mailed 2026-06-18: two on route 7, one on route 9."""
    from engine.workflow.services import Catalog

    catalog = Catalog.load(REPO / "rules", REPO / "workflows", APPROVAL_ROLE_IDS)
    with committing_db() as session, session.begin():
        save_city(session)
        add_user(session, username="maria", full_name="Maria Lopez", role="clerk", password="counter-password",
                 actor="test", now=NOW)
        for n, (street, route) in enumerate((("14 Alder Way", "7"), ("20 Alder Way", "7"), ("5 Birch Lane", "9"))):
            customer = create_customer(session, name=f"Field Customer {n}")
            place = create_property(session, owner=customer, service_address=street, parcel=f"F{n:08d}")
            account = create_account(session, customer=customer, property=place, cycle="B", number=f"900-00000{n}")
            install_meter(session, NewMeter(number=f"M-77{n}", size='3/4"', location="front yard, by the curb",
                                            route=route), property_id=place.id, account_id=account.id,
                          on=date(2020, 1, 1), now=NOW, actor="test")
            charge(session, account.id, "120.00", on=date(2026, 4, 8), due_on=date(2026, 4, 29))
            case = services.open_case(session, catalog, "delinquency", account.id, actor="sweep:delinquency",
                                      on=date(2026, 4, 30), now=NOW, fields={"period": "2026-04"})
            for step, day in (("mail_reminder", date(2026, 4, 30)), ("mail_shutoff_notice", date(2026, 6, 18))):
                services.take_step(session, catalog, case.id, step, user="sweep:delinquency", on=day, now=NOW,
                                   version=case.version)
                print_notices(session, case.id, day)  # the night's notice goes out
    app = create_app(TestConfig(database_url=committing_url, instance=tmp_path, WTF_CSRF_ENABLED=True,
                                CLOCK=lambda: NOW))
    with served_in_thread(app) as url:
        yield url


def test_the_door_hangers_of_a_route_are_printed_and_the_posted_ones_entered(city, chromium, committing_db):
    page, url = chromium, city
    sign_in(page, url, "maria", "counter-password")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Field work").click()
    assert page.get_by_role("row", name=re.compile(r"Door hangers to post\s+3")).is_visible()
    page.get_by_role("link", name="Door hangers to post").click()
    page.get_by_role("link", name="7", exact=True).click()
    table = page.locator("table.field-list tbody tr")
    assert table.count() == 2
    assert table.first.inner_text().split("\t")[1:4] == ["7", "14 Alder Way", "900-000000"]
    assert "M-770" in table.first.inner_text() and "$132.00" in table.first.inner_text()  # the bill and its late fee

    pdf_url = page.get_by_role("link", name=re.compile("Print the day's notices")).get_attribute("href")
    pdf = page.context.request.get(url + pdf_url)
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    text = " ".join(subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf.body(), capture_output=True,
                                   check=True).stdout.decode().split())
    assert "14 Alder Way" in text and "20 Alder Way" in text and "5 Birch Lane" not in text
    with committing_db() as session:  # printing kept nothing: no notice, no step; its audit row is committed
        assert session.scalar(select(Notice).where(Notice.notice_type == "door-hanger")) is None
        [taken] = audited_downloads(session)
    assert_download_audited(taken, pdf.body(), pdf.headers["content-disposition"], "maria", 2)
    assert (taken.detail["what"], taken.detail["filters"]) == (
        "Door notices of the field list Door hangers to post", {"day": HANGERS.isoformat(), "route": "7"})

    page.get_by_label("Done at 14 Alder Way").check()
    page.get_by_role("button", name="Enter the results of the ticked stops").click()
    assert page.get_by_text(re.compile(r"Post the 48-hour door hanger: 1 case\(s\) moved on")).is_visible()
    assert page.locator("table.field-list tbody tr").count() == 1  # the posted stop left the route's list
    with committing_db() as session:
        states = dict(session.execute(select(Case.subject_id, Case.state)).all())
        hangers = session.scalars(select(Notice).where(Notice.notice_type == "door-hanger")).all()
    assert sorted(states.values()) == ["door_hanger", "shutoff_notice", "shutoff_notice"]
    assert len(hangers) == 1 and hangers[0].created_on == HANGERS
