"""The phone notification export's layout on the city settings page, and the export downloaded from the sweeps
page in that layout (the test client)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import yaml
from sqlalchemy import select

from engine.money import ledger
from engine.store.models import AuditEntry, CitySettings
from tests.factories import NOW, create_account, create_case, create_customer
from tests.web.pages import fixed_clock  # noqa: F401  (fixture)

BASE = {"name": "City of Alder Creek", "timezone": "America/Los_Angeles", "rules_need_second_approver": "y"}
VENDOR_YAML = """\
columns:
  - {field: phone, heading: Phone Number}
  - {field: name, heading: Customer Name}
  - {field: shutoff_on, heading: Disconnect Date}
dates: mm/dd/yyyy
phone: digits
"""


def scheduled_for_shutoff(db) -> None:
    """Rosa Delgado, $52.03 past due, her shut-off scheduled for Monday, March 23, 2026."""
    customer = create_customer(db, name="Rosa Delgado", phone="(530) 555-0142")
    account = create_account(db, customer=customer)
    ledger.post_charge(db, account.id, Decimal("52.03"), on=date(2026, 1, 15), due_on=date(2026, 2, 5), now=NOW,
                       actor="billing", description="Water and sewer")
    create_case(db, subject_id=account.id, account_id=account.id, state="shutoff_notice",
                fields={"shutoff_on": "2026-03-23"})
    db.flush()


def test_the_settings_page_shows_the_layout_in_force_and_saving_it_unchanged_changes_nothing(admin, db):
    page = admin.get("/admin/city").get_data(as_text=True)
    assert "Phone notification export layout" in page
    shown = yaml.safe_load(page.split('name="phone_export_layout"')[1].split(">", 1)[1].split("</textarea>")[0]
                           .replace("&#39;", "'").replace("&quot;", '"'))
    assert [column["heading"] for column in shown["columns"]] == ["account_number", "name", "phone", "language",
                                                                  "amount", "shutoff_on"]
    audits = len(db.scalars(select(AuditEntry)).all())
    assert admin.post("/admin/city", data={**BASE, "phone_export_layout": yaml.safe_dump(shown)}).status_code == 302
    settings = db.scalar(select(CitySettings))
    assert settings is None or settings.phone_export_layout is None
    assert not [a for a in db.scalars(select(AuditEntry)).all()[audits:] if "phone_export_layout" in a.detail]


def test_an_admin_sets_the_vendors_layout_and_the_download_follows_it(fixed_clock, admin, supervisor, db):
    scheduled_for_shutoff(db)
    before = supervisor.get("/sweeps/phone-export.csv")
    assert before.status_code == 200 and before.mimetype == "text/csv"
    header, row = before.get_data(as_text=True).splitlines()
    assert header == "account_number,name,phone,language,amount,shutoff_on"
    assert row.endswith(",Rosa Delgado,(530) 555-0142,en,52.03,2026-03-23")
    assert 'filename="phone-export-2026-03-02.csv"' in before.headers["Content-Disposition"]

    saved = admin.post("/admin/city", data={**BASE, "phone_export_layout": VENDOR_YAML})
    assert saved.status_code == 302, saved.get_data(as_text=True)
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "city.update").order_by(AuditEntry.id.desc()))
    assert entry.actor == admin.user.username
    assert entry.detail["phone_export_layout"][1]["dates"] == "mm/dd/yyyy"
    after = supervisor.get("/sweeps/phone-export.csv").get_data(as_text=True)
    assert after.splitlines() == ["Phone Number,Customer Name,Disconnect Date", "5305550142,Rosa Delgado,03/23/2026"]


def test_a_bad_layout_is_refused_with_its_message_and_nothing_is_saved(admin, db):
    duplicate = VENDOR_YAML.replace("heading: Customer Name", "heading: Phone Number")
    refused = admin.post("/admin/city", data={**BASE, "phone_export_layout": duplicate})
    assert refused.status_code == 400
    assert ("phone export layout: column 2: the heading &#39;Phone Number&#39; is already a column&#39;s"
            in refused.get_data(as_text=True))
    unknown = admin.post("/admin/city", data={**BASE, "phone_export_layout": VENDOR_YAML.replace("field: name",
                                                                                                 "field: email")})
    assert unknown.status_code == 400 and "&#39;email&#39; is not a field of the export" in unknown.get_data(
        as_text=True)
    not_yaml = admin.post("/admin/city", data={**BASE, "phone_export_layout": "columns: [unclosed"})
    assert not_yaml.status_code == 400 and "not YAML" in not_yaml.get_data(as_text=True)
    assert db.scalar(select(CitySettings)) is None


def test_only_supervisors_download_the_calling_list(clerk):
    assert clerk.get("/sweeps/phone-export.csv").status_code == 403
