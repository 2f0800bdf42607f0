"""The customer record's pages: the mailing address with its history, phones, owner, occupants, notes."""
from __future__ import annotations

import re

from sqlalchemy import select

from engine.store.customers import Occupant
from engine.store.models import AuditEntry
from tests.factories import create_account, create_customer, create_property
from tests.web.pages import TODAY, fixed_clock  # noqa: F401  (fixture)


def visible(page: str) -> str:
    """The page's text without tags, its spaces made single."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def test_a_clerk_changes_the_mailing_address_and_a_forwarding_address_waits_for_its_day(fixed_clock, clerk, db):
    account = create_account(db, customer=create_customer(db, name="Ana Ortiz", mailing_street="12 Oak Street",
                                                          mailing_city="Alder Creek", mailing_zip="95601"))
    form = {"street": "9 Forward Lane", "unit": "Apt 3", "city": "Sacramento", "state": "ca", "zip_code": "95814",
            "in_force_from": "2026-03-20", "reason": "forwarding address at move-out"}
    response = clerk.post(f"/accounts/{account.number}/customer/address", data=form)
    assert response.status_code == 302
    record = visible(clerk.get(f"/accounts/{account.number}/customer").get_data(as_text=True))
    assert "Letters go to 12 Oak Street, Alder Creek CA 95601 today." in record
    assert "Mar 20, 2026 upcoming 9 Forward Lane Apt 3, Sacramento CA 95814 forwarding address at move-out" in record
    assert ("Mailing address from 12 Oak Street, Alder Creek CA 95601 to 9 Forward Lane Apt 3, Sacramento CA 95814, "
            "in force from Mar 20, 2026 (forwarding address at move-out).") in record
    shown = visible(clerk.get(f"/accounts/{account.number}").get_data(as_text=True))
    assert ("Mail to 12 Oak Street, Alder Creek CA 95601 "
            "From Mar 20, 2026: 9 Forward Lane Apt 3, Sacramento CA 95814") in shown
    assert "in force from Mar 20, 2026" in shown and f"by {clerk.user.full_name}" in shown


def test_a_bad_address_comes_back_with_the_message_and_nothing_saved(fixed_clock, clerk, db):
    account = create_account(db)
    response = clerk.post(f"/accounts/{account.number}/customer/address",
                          data={"street": "9 Forward Lane", "city": "Sacramento", "state": "CA", "zip_code": "958",
                                "in_force_from": "2026-03-02"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "ZIP code: five digits, or five and four (95601-1234), not &#39;958&#39;." in page
    assert 'value="958"' in page  # what was typed stays in the form
    yesterday = clerk.post(f"/accounts/{account.number}/customer/address",
                           data={"street": "9 Forward Lane", "city": "Sacramento", "state": "CA", "zip_code": "95814",
                                 "in_force_from": "2026-03-01"})
    assert yesterday.status_code == 400 and "In force from: today or a later day" in yesterday.get_data(as_text=True)
    assert db.scalar(select(AuditEntry).where(AuditEntry.action == "customer.mailing_address")) is None


def test_phones_email_and_language_are_saved_and_shown(fixed_clock, clerk, db):
    account = create_account(db, customer=create_customer(db, phone="530-555-0100"))
    response = clerk.post(f"/accounts/{account.number}/customer/contact", data={
        "phones-0-label": "mobile", "phones-0-number": "(916) 555-0142", "phones-1-label": "work",
        "phones-1-number": "530-555-0199", "email": "ana@example.org", "language": "es"})
    assert response.status_code == 302
    page = visible(clerk.get(f"/accounts/{account.number}").get_data(as_text=True))
    assert "Phone (916) 555-0142 (mobile) 530-555-0199 (work)" in page
    assert "Language Spanish" in page and "ana@example.org" in page
    found = clerk.get("/search/", query_string={"q": "916 555 0142"})  # the first phone is searched
    assert f"/accounts/{account.number}" in (found.headers.get("Location", "") + found.get_data(as_text=True))
    refused = clerk.post(f"/accounts/{account.number}/customer/contact", data={
        "phones-0-label": "mobile", "phones-0-number": "12", "language": "en"})
    assert refused.status_code == 400
    assert "Phone 1: &#39;12&#39; is not a phone number" in refused.get_data(as_text=True)


def test_owner_and_occupants_of_a_landlords_property(fixed_clock, clerk, db):
    account = create_account(db)
    landlord = create_customer(db, name="Pomeroy Holdings LLC")
    assert clerk.post(f"/accounts/{account.number}/property/owner", data={"owner": landlord.id}).status_code == 302
    missing = clerk.post(f"/accounts/{account.number}/property/owner", data={"owner": 987654})
    assert missing.status_code == 400 and "Owner: there is no customer number 987654" in missing.get_data(as_text=True)
    response = clerk.post(f"/accounts/{account.number}/property/occupants", data={
        "occupant-name": "Occupant", "occupant-unit": "Apt 2", "occupant-city": "Alder Creek", "occupant-state": "CA",
        "occupant-zip_code": "95601", "occupant-language": "es", "occupant-moved_in_on": "2026-02-01"})
    assert response.status_code == 302
    page = visible(clerk.get(f"/accounts/{account.number}").get_data(as_text=True))
    assert "Owner Pomeroy Holdings LLC" in page and "Occupants Occupant, Apt 2" in page
    occupant = db.scalar(select(Occupant).where(Occupant.property_id == account.property_id))
    out = clerk.post(f"/accounts/{account.number}/property/occupants/{occupant.id}/out",
                     data={"moved_out_on": "2026-03-02"})
    assert out.status_code == 302
    html = clerk.get(f"/accounts/{account.number}/customer").get_data(as_text=True)
    assert 'id="occupant-zip_code" maxlength="10" name="occupant-zip_code" required type="text" value="95601"' in html
    assert len(re.findall(r'id="zip_code"', html)) == 1  # the address form's; the occupant form's are its own
    record = visible(html)
    assert "Occupant Occupant, Apt 2 recorded, moved in Feb 1, 2026." in record
    assert "Occupant Occupant moved out Mar 2, 2026." in record
    other = create_account(db)
    assert clerk.post(f"/accounts/{other.number}/property/occupants/{occupant.id}/out",
                      data={"moved_out_on": "2026-03-02"}).status_code == 404


def test_the_occupant_form_takes_the_city_line_of_a_mailing_address_at_the_service_address_however_written(
        fixed_clock, clerk, db):
    """The mailing street "1200 Elmwood Dr." is the service address "1200 Elmwood Drive": the new occupant's city,
    state and ZIP are the mailing address's; a mailing address elsewhere prefills nothing."""
    zip_field = 'id="occupant-zip_code" maxlength="10" name="occupant-zip_code" required type="text" value="{}"'
    for mailing_street, prefilled in (("1200 Elmwood Dr.", "95602"), ("1200 ELMWOOD DRIVE", "95602"),
                                      ("PO Box 12", "")):
        customer = create_customer(db, mailing_street=mailing_street, mailing_zip="95602")
        account = create_account(db, customer=customer, property=create_property(
            db, owner=customer, service_address="1200 Elmwood Drive"))
        html = clerk.get(f"/accounts/{account.number}/customer").get_data(as_text=True)
        assert zip_field.format(prefilled) in html, mailing_street


def test_notes_are_written_edited_and_keep_their_earlier_text(fixed_clock, clerk, db):
    account = create_account(db)
    written = clerk.post(f"/accounts/{account.number}/notes", data={"text": "Called, promised to pay Friday."})
    assert written.status_code == 302
    notes = clerk.get(f"/accounts/{account.number}/notes").get_data(as_text=True)
    note_id = int(re.search(r'id="note-(\d+)"', notes).group(1))
    edited = clerk.post(f"/accounts/{account.number}/notes/{note_id}",
                        data={f"note{note_id}-text": "Called, promised to pay Friday the 6th."})
    assert edited.status_code == 302
    page = visible(clerk.get(f"/accounts/{account.number}/notes").get_data(as_text=True))
    assert "Called, promised to pay Friday the 6th." in page
    assert "Earlier text (1) Called, promised to pay Friday." in page
    assert f"Written by {clerk.user.full_name}, Mar 2, 2026, 9:00 AM; edited by" in page
    account_page = visible(clerk.get(f"/accounts/{account.number}").get_data(as_text=True))
    assert "Called, promised to pay Friday the 6th." in account_page
    assert f"Note {note_id} edited (the earlier text is kept with it)." in account_page
    assert clerk.post(f"/accounts/{account.number}/notes", data={"text": ""}).status_code == 400
    assert clerk.post(f"/accounts/{account.number}/notes/{note_id + 999}",
                      data={f"note{note_id + 999}-text": "x"}).status_code == 404
