"""The phone notification export in the city's calling vendor's layout (the city setting `phone_export_layout`):
the sample layout writes the file the export always wrote, byte for byte; a layout of the vendor's changes the
headings, the order, the date and the phone; a bad layout is refused by name and changes nothing."""
from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.city import CityError, get_city, update_city
from engine.exports import write_csv
from engine.money import ledger
from engine.store.models import AuditEntry
from engine.sweeps.phone_export import scheduled_for_shutoff, write_phone_export
from engine.phone_export_layout import SAMPLE_LAYOUT, LayoutError, checked_layout
from tests.factories import NOW, create_account, create_case, create_customer, save_city

AS_OF = date(2026, 3, 2)
VENDOR = {"columns": [{"field": "phone", "heading": "Phone Number"},
                      {"field": "name", "heading": "Customer Name"},
                      {"field": "amount", "heading": "Amount Due"},
                      {"field": "shutoff_on", "heading": "Disconnect Date"},
                      {"field": "language", "heading": "Lang"}],
          "dates": "mm/dd/yyyy", "phone": "digits"}


@pytest.fixture()
def scheduled(db: Session) -> Session:
    """Two customers whose shut-off is scheduled for Monday March 23, 2026: one with $52.03 past due, one named like a
    formula, who speaks Spanish and owes $17.50."""
    save_city(db)
    for name, phone, language, amount in (("Rosa Delgado", "(530) 555-0142", "en", "52.03"),
                                          ('=HYPERLINK("x")', "530.555.0199", "es", "17.50")):
        customer = create_customer(db, name=name, phone=phone, language=language)
        account = create_account(db, customer=customer)
        ledger.post_charge(db, account.id, Decimal(amount), on=date(2026, 1, 15), due_on=date(2026, 2, 5), now=NOW,
                           actor="billing", description="Water and sewer")
        create_case(db, subject_id=account.id, account_id=account.id, state="shutoff_notice",
                    fields={"shutoff_on": "2026-03-23"})
    db.flush()
    return db


def exported(session: Session, catalog) -> str:
    """The export's file as of the day."""
    out = io.StringIO()
    assert write_phone_export(session, catalog, AS_OF, out).listed == 2
    return out.getvalue()


def test_the_sample_layout_writes_the_file_the_export_always_wrote(scheduled, catalog):
    """Until the city saves a layout: the fixed header of before and ISO dates, to the byte."""
    before = io.StringIO()
    write_csv(before, scheduled_for_shutoff(scheduled, catalog, AS_OF),
              ("account_number", "name", "phone", "language", "amount", "shutoff_on"), lineterminator="\n")
    text = exported(scheduled, catalog)
    assert text == before.getvalue()
    lines = text.splitlines()
    assert lines[0] == "account_number,name,phone,language,amount,shutoff_on"
    assert lines[1].endswith(",Rosa Delgado,(530) 555-0142,en,52.03,2026-03-23")
    assert lines[2].endswith(""",\"'=HYPERLINK(\"\"x\"\")\",530.555.0199,es,17.50,2026-03-23""")


def test_the_vendors_layout_renames_reorders_and_reformats_the_file(scheduled, catalog):
    update_city(scheduled, actor="admin1", now=NOW, phone_export_layout=VENDOR)
    assert exported(scheduled, catalog).splitlines() == [
        "Phone Number,Customer Name,Amount Due,Disconnect Date,Lang",
        "5305550142,Rosa Delgado,52.03,03/23/2026,en",
        """5305550199,\"'=HYPERLINK(\"\"x\"\")\",17.50,03/23/2026,es"""]  # a formula is still text
    audit = scheduled.scalars(select(AuditEntry).where(AuditEntry.action == "city.update")
                              .order_by(AuditEntry.id)).all()[-1]
    assert audit.actor == "admin1" and audit.detail["phone_export_layout"] == [SAMPLE_LAYOUT, VENDOR]
    assert [row["shutoff_on"] for row in scheduled_for_shutoff(scheduled, catalog, AS_OF)] == ["2026-03-23"] * 2


def test_a_heading_like_a_formula_is_written_as_text(scheduled, catalog):
    layout = {"columns": [{"field": "name", "heading": "=cmd|' /C calc'!A0"},
                          {"field": "amount", "heading": "-Amount"}]}
    update_city(scheduled, actor="admin1", now=NOW, phone_export_layout=layout)
    lines = exported(scheduled, catalog).splitlines()
    assert lines[0] == "'=cmd|' /C calc'!A0,'-Amount"
    assert lines[1] == "Rosa Delgado,52.03"


BAD = [
    ("not a mapping", ["account_number"],
     "phone export layout: a mapping of columns (each field and heading), dates and phone"),
    ("an unknown key", {**SAMPLE_LAYOUT, "quote": "all"},
     "phone export layout: 'quote' is not a key of a layout; the keys are columns, dates, phone"),
    ("no columns", {"columns": []},
     "phone export layout: columns is a list of columns, each {field: F, heading: TEXT}"),
    ("a field the export has not", {"columns": [{"field": "email", "heading": "Email"}]},
     "phone export layout: column 1: 'email' is not a field of the export; the fields are account_number, name, "
     "phone, language, amount, shutoff_on"),
    ("a field twice", {"columns": [{"field": "phone", "heading": "Phone"}, {"field": "phone", "heading": "Cell"}]},
     "phone export layout: column 2: phone is already a column"),
    ("a heading twice", {"columns": [{"field": "phone", "heading": "Number"}, {"field": "amount", "heading": "Number"}]},
     "phone export layout: column 2: the heading 'Number' is already a column's"),
    ("an empty heading", {"columns": [{"field": "name", "heading": "  "}]},
     "phone export layout: column 1: the heading of name is 1 to 40 printable characters"),
    ("a heading too long", {"columns": [{"field": "name", "heading": "N" * 41}]},
     "phone export layout: column 1: the heading of name is 1 to 40 printable characters"),
    ("a heading across two lines", {"columns": [{"field": "name", "heading": "Customer\nName"}]},
     "phone export layout: column 1: the heading of name is 1 to 40 printable characters"),
    ("a column without its heading", {"columns": [{"field": "name"}]},
     "phone export layout: column 1: needs exactly field and heading"),
    ("a date format not known", {**SAMPLE_LAYOUT, "dates": "dd/mm/yyyy"},
     "phone export layout: dates 'dd/mm/yyyy' is not a date format; use iso or mm/dd/yyyy"),
    ("a phone format not known", {**SAMPLE_LAYOUT, "phone": "e164"},
     "phone export layout: phone 'e164' is not a phone format; use as_kept or digits"),
]


@pytest.mark.parametrize("what, layout, message", BAD, ids=[what for what, _, _ in BAD])
def test_a_bad_layout_is_refused_by_name_and_changes_nothing(scheduled, catalog, what, layout, message):
    with pytest.raises(LayoutError) as refused:
        checked_layout(layout)
    assert str(refused.value) == message
    audits = scheduled.scalar(select(func.count()).select_from(AuditEntry))
    with pytest.raises(CityError) as refused_city:
        update_city(scheduled, actor="admin1", now=NOW, phone_export_layout=layout)
    assert str(refused_city.value) == f"{message}."
    assert get_city(scheduled).phone_export_layout is None
    assert scheduled.scalar(select(func.count()).select_from(AuditEntry)) == audits
    assert exported(scheduled, catalog).startswith("account_number,name,phone,language,amount,shutoff_on\n")


def test_a_layout_of_a_few_columns_with_defaults_for_dates_and_phone(scheduled, catalog):
    """A vendor that takes the phone and the day only: the other fields are not written; dates ISO, phone as kept."""
    assert checked_layout({"columns": [{"field": "phone", "heading": "PHONE"},
                                       {"field": "shutoff_on", "heading": "DATE"}]}) == {
        "columns": [{"field": "phone", "heading": "PHONE"}, {"field": "shutoff_on", "heading": "DATE"}],
        "dates": "iso", "phone": "as_kept"}
    update_city(scheduled, actor="admin1", now=NOW,
                phone_export_layout={"columns": [{"field": "phone", "heading": "PHONE"},
                                                 {"field": "shutoff_on", "heading": "DATE"}]})
    assert exported(scheduled, catalog).splitlines() == ["PHONE,DATE", "(530) 555-0142,2026-03-23",
                                                         "530.555.0199,2026-03-23"]
