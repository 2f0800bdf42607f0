"""Businesses and licenses: search, the business page with renewal status, opening a licensing case."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from engine.store.models import Case
from tests.factories import create_business, create_license
from tests.web.pages import fixed_clock  # noqa: F401  (fixture)


@pytest.mark.parametrize("role", ["clerk", "supervisor", "admin"])
def test_every_staff_role_opens_the_business_pages(fixed_clock, login_as, db, role):
    business = create_business(db)
    client = login_as(role)
    assert client.get("/businesses/").status_code == 200
    assert client.get(f"/businesses/{business.id}").status_code == 200


def test_search_by_name_or_license_number(fixed_clock, clerk, db):
    bakery = create_business(db, name="Alder Creek Bakery")
    create_license(db, business=bakery, number="BL-Q00077")
    for typed in ("alder creek bak", "BL-Q0007", "bl-q00077"):
        response = clerk.get("/search/", query_string={"q": typed})
        assert f'href="/businesses/{bakery.id}"' in response.get_data(as_text=True) or (
            response.headers["Location"] == f"/businesses/{bakery.id}"), typed


def test_the_business_page_shows_licenses_with_expiry_and_renewal_status(fixed_clock, clerk, db):
    business = create_business(db, name="Oak Street Books")
    create_license(db, business=business, number="BL-Q00101", issued_on=date(2025, 1, 1),
                   expires_on=date(2025, 12, 31), status="active")
    page = clerk.get(f"/businesses/{business.id}").get_data(as_text=True)
    assert "Oak Street Books" in page and "BL-Q00101" in page and "Dec 31, 2025" in page
    assert 'id="license-BL-Q00101"' in page
    assert "late" in page or "grace" in page  # expired Dec 31 and today is March 2: behind on renewal


def test_unknown_business_and_license_are_404s(clerk):
    assert "There is no business 424242." in clerk.get("/businesses/424242").get_data(as_text=True)
    assert clerk.get("/businesses/licenses/NOPE-1").status_code == 404


def test_a_clerk_opens_a_licensing_case_for_an_application(fixed_clock, clerk, db):
    business = create_business(db, name="Creekside Tacos", category="restaurant")
    application = create_license(db, business=business, number="BL-Q00200", status="applied", issued_on=None,
                                 expires_on=None, fee_cents=0)
    page = clerk.get(f"/businesses/{business.id}").get_data(as_text=True)
    assert "Open a licensing case" in page
    response = clerk.post(f"/businesses/licenses/{application.number}/open-case")
    case = db.scalar(select(Case).where(Case.license_id == application.id))
    assert response.status_code == 302 and response.headers["Location"] == f"/cases/{case.id}"
    assert case.workflow_id == "licensing" and case.state == "applied" and case.opened_by == clerk.user.username
    page = clerk.get(f"/businesses/{business.id}").get_data(as_text=True)
    assert f'href="/cases/{case.id}"' in page and "Open a licensing case<" not in page
    again = clerk.post(f"/businesses/licenses/{application.number}/open-case", follow_redirects=True)
    assert "already has an open licensing case" in again.get_data(as_text=True)


def test_a_license_that_expired_before_the_citys_calendar_shows_it_lapsed(fixed_clock, clerk, db):
    """Expired 2023-12-31, its grace ending before the city's calendar has a version: lapsed, not a rule's id."""
    business = create_business(db, name="Old Mill Feed")
    create_license(db, business=business, number="BL-Q00999", issued_on=date(2023, 1, 1),
                   expires_on=date(2023, 12, 31), status="active")
    page = clerk.get(f"/businesses/{business.id}").get_data(as_text=True)
    row = page[page.index('id="license-BL-Q00999"'):]
    row = row[:row.index("</tr>")]
    assert "lapsed" in row and "city-calendar" not in row and "no version" not in row
