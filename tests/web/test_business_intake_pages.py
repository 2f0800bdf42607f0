"""The new-business page offers the licenses the city's documents define, by their printed names, and refuses
one no document defines, naming it (no browser: the test client)."""
from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.store.models import Case, License
from tests.factories import NOW
from tests.workflow.test_license_intake import food_truck_city
from webapp.app import create_app
from webapp.config import TestConfig

APPLICATION = {"business_name": "Ortiz Tacos on Wheels", "address": "412 Main Street", "category": "restaurant",
               "employees": "2", "gross_receipts": "", "license_type": "food_truck", "owner_account": "",
               "owner_name": "Imelda Ortiz", "owner_street": "88 Foothill Road", "owner_city": "Alder Creek",
               "owner_state": "CA", "owner_zip": "95601", "owner_phone": "530-555-0142", "owner_email": "",
               "owner_language": "es", "review": "Review the application"}


@pytest.fixture()
def app(db: Session, database_url: str, tmp_path: Path) -> Flask:
    """The app reading a city that added food trucks by documents only (its rules and workflows folders)."""
    city = food_truck_city(tmp_path)
    assert city.rules.get("food-truck-permit-fee")
    sessions = sessionmaker(bind=db.bind, join_transaction_mode="create_savepoint", expire_on_commit=False)
    return create_app(TestConfig(database_url=database_url, instance=tmp_path, RULES_DIR=str(tmp_path / "rules"),
                                 WORKFLOWS_DIR=str(tmp_path / "workflows"), CLOCK=lambda: NOW), sessions=sessions)


def test_the_form_offers_each_license_the_documents_define_by_its_printed_name(clerk):
    page = clerk.get("/businesses/new").get_data(as_text=True)
    assert '<option value="general_business">General business license</option>' in page
    assert '<option value="home_occupation">Home occupation permit</option>' in page
    assert '<option value="food_truck">Mobile food vendor permit</option>' in page


def test_a_clerk_takes_a_food_truck_application(clerk, db):
    review = clerk.post("/businesses/new", data=APPLICATION)
    assert review.status_code == 200 and "Mobile food vendor permit" in review.get_data(as_text=True)
    taken = clerk.post("/businesses/new", data={**APPLICATION, "review": "", "confirm": "Take the application"})
    lic = db.scalar(select(License).where(License.license_type == "food_truck"))
    case = db.scalar(select(Case).where(Case.license_id == lic.id))
    assert taken.status_code == 302 and taken.headers["Location"] == f"/cases/{case.id}"
    assert (lic.status, case.workflow_id, case.state) == ("applied", "licensing", "applied")


def test_a_license_no_document_defines_is_refused_by_name_and_nothing_is_recorded(clerk, db):
    refused = clerk.post("/businesses/new", data={**APPLICATION, "license_type": "ice_cream_cart"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert ("License: the city&#39;s published documents define no license &#39;ice_cream_cart&#39;; choose one of "
            "General business license, Home occupation permit, Mobile food vendor permit.") in page
    assert db.scalar(select(License.id)) is None


def test_gross_receipts_read_as_money_on_the_review_and_on_the_case(clerk, db):
    """Typed as 250,000: the review shows $250,000.00 right-aligned, and so does the case's fact, never 250000."""
    asked = {**APPLICATION, "gross_receipts": "250,000"}
    review = clerk.post("/businesses/new", data=asked).get_data(as_text=True)
    assert '<tr><th scope="row">Gross receipts</th><td class="num">$250,000.00</td></tr>' in review
    taken = clerk.post("/businesses/new", data={**asked, "review": "", "confirm": "Take the application"})
    case = clerk.get(taken.headers["Location"]).get_data(as_text=True)
    row = case[case.index('<tr id="fact-gross-receipts">'):]
    row = " ".join(row[:row.index("</tr>")].split())
    assert row.startswith('<tr id="fact-gross-receipts"><th scope="row">Gross receipts</th> <td class="num">$250,000.00</td>')
    assert "250000" not in case and "250,000.00" in case
