"""Hostile text on a license application: control characters in the business's name and place, and numbers in
digits other than 0 to 9 (a head count, the gross receipts).

Each is refused with the field named and nothing recorded (no business, no audit row); the same
application with ordinary text is taken.
"""
from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

from engine.store.models import AuditEntry, Business
from tests.web.test_business_intake_pages import APPLICATION, app  # noqa: F401  (fixture: the food-truck city)

TAKE = {**APPLICATION, "review": "", "confirm": "Take the application"}


def text(response) -> str:
    """A page's text without tags, spaces folded."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))))


def recorded(db) -> tuple[int, int]:
    """Businesses and audit rows: what a refused application leaves as they were."""
    db.expire_all()
    return (db.scalar(select(func.count()).select_from(Business)),
            db.scalar(select(func.count()).select_from(AuditEntry)))


@pytest.mark.parametrize("field, value, words", [
    ("business_name", "Ortiz Tacos\x1b[31m", "Business name: one line of printed characters, without a line break, "
                                             "tab or other control character (it holds U+001B)."),
    ("address", "412 Main\u202e Street", "Business location: one line of printed characters, without a line break, "
                                         "tab or other control character (it holds U+202E)."),
    ("gross_receipts", "١٢٣", "Gross receipts: an amount in dollars, such as 125000.00."),  # Decimal() read it as 123
    ("gross_receipts", "1e3", "Gross receipts: an amount in dollars, such as 125000.00."),
    ("gross_receipts", "0.001", "Gross receipts: an amount in dollars, such as 125000.00."),
    ("employees", "١٢", "Enter a whole number, e.g. 12."),  # int() read it as 12
    ("employees", "1_2", "Enter a whole number, e.g. 12.")])
def test_a_license_application_with_hostile_text_is_refused_and_records_nothing(clerk, db, field, value, words):
    """Each of these was taken: a business named with an escape sequence, receipts of '١٢٣' kept as $123.00."""
    before = recorded(db)
    refused = clerk.post("/businesses/new", data={**TAKE, field: value})
    assert refused.status_code == 400
    assert words in text(refused)
    assert recorded(db) == before


def test_gross_receipts_as_a_person_writes_them_are_taken(clerk, db):
    taken = clerk.post("/businesses/new", data={**TAKE, "gross_receipts": "$250,000.00"})
    assert taken.status_code == 302, text(taken)
    assert db.scalar(select(Business.gross_receipts_cents).where(Business.name == APPLICATION["business_name"])) \
        == 25_000_000
