"""The customer record: dated mailing addresses, phones, e-mail, language, owner, occupants, notes kept forever."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from engine.accounts import customer_record as record
from engine.accounts.notes import add_note, edit_note, notes_of
from engine.store.customers import AccountNote, AccountNoteText, CustomerPhone, MailingAddress
from engine.store.models import AuditEntry
from tests.factories import NOW, create_account, create_customer, create_property

TODAY = date(2026, 3, 2)


def _address(db, customer, street, on, **more):
    values = dict(street=street, unit="", city="Sacramento", state="CA", zip_code="95814", in_force_from=on,
                  reason="", actor="clerk1", today=TODAY, now=NOW)
    values.update(more)
    return record.change_mailing_address(db, customer.id, **values)


def test_the_address_in_force_is_the_latest_dated_one_from_that_day_or_before(db):
    customer = create_customer(db, mailing_street="12 Oak Street")
    assert record.mailing_address_on(db, customer, TODAY).street == "12 Oak Street"
    _address(db, customer, "40 Pine Road", TODAY)
    move_out = TODAY + timedelta(days=20)
    _address(db, customer, "9 Forward Lane", move_out, reason="forwarding address at move-out")
    assert record.mailing_address_on(db, customer, TODAY - timedelta(days=1)).street == "12 Oak Street"
    assert record.mailing_address_on(db, customer, TODAY).street == "40 Pine Road"
    assert record.mailing_address_on(db, customer, move_out - timedelta(days=1)).street == "40 Pine Road"
    assert record.mailing_address_on(db, customer, move_out).street == "9 Forward Lane"
    # A correction the same day: the one recorded last holds.
    _address(db, customer, "42 Pine Road", TODAY)
    assert record.mailing_address_on(db, customer, TODAY).street == "42 Pine Road"
    assert [a.street for a in record.mailing_history(db, customer)] == ["9 Forward Lane", "42 Pine Road",
                                                                        "40 Pine Road"]
    # The customer row keeps the address on file before any change.
    assert customer.mailing_street == "12 Oak Street"


@pytest.mark.parametrize("change, message", [
    (dict(street=" "), "Street: enter it."),
    (dict(state="California"), "State: at most 2 characters"),
    (dict(state="C1"), "State: two letters"),
    (dict(zip_code="9581"), "ZIP code: five digits"),
    (dict(zip_code="٩٥٨١٤"), "ZIP code: five digits"),  # \d took other scripts' digits: the notices' ZIP
    (dict(in_force_from=TODAY - timedelta(days=1)), "In force from: today or a later day, not 2026-03-01"),
    # a line break, a tab, an escape or a hidden direction mark were kept, and the letter printed the street on two
    # lines (or right to left)
    (dict(street="40 Pine\nRoad"), "Street: one line of printed characters, .* U\\+000A"),
    (dict(city="Sacra\rmento"), "City: one line of printed characters"),
    (dict(unit="Apt\t2"), "Unit: one line of printed characters, .* U\\+0009"),
    (dict(street="40 Pine \x1b[31mRoad"), "Street: one line .* U\\+001B"),
    (dict(street="40 Pine Road \u202eevil"), "Street: one line .* U\\+202E"),
    (dict(reason="moved\u2028out"), "Reason: one line of printed characters"),
])
def test_a_bad_address_is_refused_naming_the_field_and_nothing_is_kept(db, change, message):
    customer = create_customer(db)
    before = db.scalar(select(func.count()).select_from(AuditEntry))
    with pytest.raises(record.RecordError, match=message.replace("(", r"\(")):
        _address(db, customer, change.pop("street", "40 Pine Road"), change.pop("in_force_from", TODAY), **change)
    assert db.scalar(select(func.count()).select_from(MailingAddress).where(
        MailingAddress.customer_id == customer.id)) == 0
    assert db.scalar(select(func.count()).select_from(AuditEntry)) == before


def test_an_address_change_is_audited_with_before_and_after(db):
    customer = create_customer(db, mailing_street="12 Oak Street", mailing_city="Alder Creek", mailing_zip="95601")
    _address(db, customer, "9 Forward Lane", TODAY + timedelta(days=3), reason="forwarding address at move-out")
    row = db.scalar(select(AuditEntry).where(AuditEntry.action == "customer.mailing_address",
                                             AuditEntry.subject_id == str(customer.id)))
    assert row.actor == "clerk1"
    assert row.detail == {"before": "12 Oak Street, Alder Creek CA 95601",
                          "after": "9 Forward Lane, Sacramento CA 95814",
                          "in_force_from": "2026-03-05", "reason": "forwarding address at move-out"}


def test_phones_with_labels_email_and_language_replace_the_old_and_keep_the_first_phone_searchable(db):
    customer = create_customer(db, phone="530-555-0100", email="")
    assert record.phones_of(db, customer) == [("phone", "530-555-0100")]
    record.change_contact(db, customer.id,
                          phones=[("mobile", "(916) 555-0142"), ("", ""), ("work", "530.555.0199 x12")],
                          email="ana@example.org", language="es", actor="clerk1", now=NOW)
    assert record.phones_of(db, customer) == [("mobile", "(916) 555-0142"), ("work", "530.555.0199 x12")]
    assert (customer.phone, customer.email, customer.language) == ("(916) 555-0142", "ana@example.org", "es")
    row = db.scalar(select(AuditEntry).where(AuditEntry.action == "customer.contact",
                                             AuditEntry.subject_id == str(customer.id)))
    assert row.detail["before"] == {"phones": [["phone", "530-555-0100"]], "email": "", "language": "en"}
    words = record.change_words(row.action, row.detail, {"en": "English", "es": "Spanish"})  # the words files' names
    assert "phones from 530-555-0100 (phone) to (916) 555-0142 (mobile), 530.555.0199 x12 (work)" in words
    assert "language from English to Spanish" in words
    record.change_contact(db, customer.id, phones=[], email="", language="es", actor="clerk1", now=NOW)
    assert record.phones_of(db, customer) == [] and customer.phone == ""


def test_a_phone_is_what_a_clerk_types_digits_with_separators_a_plus_and_an_extension(db):
    customer = create_customer(db, phone="530-555-0100")
    typed = ["(916) 555-0142", "+1 (530) 555-0100 x123", "530.555.0199 ext. 12", "+44 20 7946 0958", "555-1234",
             "1-800-555-1234"]
    record.change_contact(db, customer.id, phones=[("phone", number) for number in typed], email="", language="en",
                          actor="c", now=NOW)
    assert [number for _label, number in record.phones_of(db, customer)] == typed


@pytest.mark.parametrize("phones, email, language, message", [
    ([("mobile", "555")], "", "en", "Phone 1: '555' is not a phone number"),
    ([("mobile", "")], "", "en", "Phone 1: enter the number"),
    ([("home", "530-555-0100"), ("cell", "call me")], "", "en", "Phone 2"),
    ([("home", "530-555-0100"), ("cell", "2026-02-30")], "", "en", "Phone 2: '2026-02-30' is not a phone number: it "
                                                                     "has the shape of a date"),
    ([("cell", "02/30/2026")], "", "en", "Phone 1: '02/30/2026' is not a phone number: it has the shape of a date"),
    ([("cell", "530-555-01OO")], "", "en", "Phone 1: '530-555-01OO' is not a phone number: at most 32 characters, digits"),
    ([("cell", "530 555 0100 x")], "", "en", "Phone 1: '530 555 0100 x' is not a phone number"),
    ([("cell", "++5305550100")], "", "en", "Phone 1: '\\+\\+5305550100' is not a phone number"),
    ([("cell", "1234567890123456 x1")], "", "en", r"Phone 1: .* is not a phone number \(7 to 15 digits before"),
    ([], "not-an-email", "en", "E-mail: 'not-an-email' is not an e-mail address"),
    ([], "", "fr", r"Language: one of the city's languages \(en, es\), not 'fr'"),
    ([("cell\nhome", "530-555-0100")], "", "en", "Phone 1 label: one line of printed characters"),
])
def test_bad_contact_details_are_refused_and_nothing_changes(db, phones, email, language, message):
    customer = create_customer(db, phone="530-555-0100")
    with pytest.raises(record.RecordError, match=message):
        record.change_contact(db, customer.id, phones=phones, email=email, language=language, actor="c", now=NOW)
    assert customer.phone == "530-555-0100" and customer.language == "en"
    assert db.scalar(select(func.count()).select_from(CustomerPhone)
                     .where(CustomerPhone.customer_id == customer.id)) == 0


def test_the_owner_changes_to_another_customer_and_is_audited(db):
    account = create_account(db)
    landlord = create_customer(db, name="Pomeroy Holdings LLC")
    record.change_owner(db, account.property_id, landlord.id, actor="clerk1", now=NOW)
    assert account.property.owner.name == "Pomeroy Holdings LLC"
    with pytest.raises(record.RecordError, match="Owner: there is no customer number 999999"):
        record.change_owner(db, account.property_id, 999999, actor="clerk1", now=NOW)
    words = [c.words for c in record.record_history(db, account)]
    assert words[0].startswith("Property owner from Test Customer") and "Pomeroy Holdings LLC" in words[0]


def test_an_occupant_s_name_is_one_line_of_printed_characters(db):
    place = create_property(db)
    with pytest.raises(record.RecordError, match="Occupant's name: one line of printed characters"):
        record.add_occupant(db, place.id, name="Jo\nRivera", unit="", city="Alder Creek", state="CA",
                            zip_code="95604", language="en", moved_in_on=TODAY, actor="c", now=NOW)
    assert record.occupants_of(db, place.id) == []
    assert record.add_occupant(db, place.id, name="José Ñúñez O'Brien-Lê", unit="", city="Alder Creek", state="CA",
                               zip_code="95604", language="en", moved_in_on=TODAY, actor="c", now=NOW).id


def test_occupants_are_those_moved_in_and_not_yet_out_on_the_day(db):
    place = create_property(db)
    tenant = record.add_occupant(db, place.id, name="Jo Rivera", unit="Apt 2", city="Alder Creek", state="CA",
                                 zip_code="95601", language="es", moved_in_on=TODAY, actor="clerk1", now=NOW)
    assert record.occupants_on(db, place.id, TODAY - timedelta(days=1)) == []
    assert record.occupants_on(db, place.id, TODAY) == [tenant]
    record.occupant_moved_out(db, tenant.id, on=TODAY + timedelta(days=10), actor="clerk1", now=NOW)
    assert record.occupants_on(db, place.id, TODAY + timedelta(days=9)) == [tenant]
    assert record.occupants_on(db, place.id, TODAY + timedelta(days=10)) == []
    with pytest.raises(record.RecordError, match="moved out on 2026-03-12 already"):
        record.occupant_moved_out(db, tenant.id, on=TODAY + timedelta(days=11), actor="clerk1", now=NOW)
    with pytest.raises(record.RecordError, match="ZIP code"):
        record.add_occupant(db, place.id, name="X", unit="", city="Alder Creek", state="CA", zip_code="",
                            language="en", moved_in_on=TODAY, actor="clerk1", now=NOW)


def test_a_note_keeps_every_text_it_had_and_who_wrote_each(db):
    account = create_account(db)
    note = add_note(db, account.id, "Called, promised to pay Friday.", actor="clerk1", now=NOW)
    later = NOW + timedelta(hours=2)
    edit_note(db, account.id, note.id, "Called, promised to pay Friday the 6th.", actor="clerk2", now=later)
    [shown] = notes_of(db, account.id)
    assert shown.author == "clerk1" and shown.written_at == NOW
    assert (shown.current.text, shown.current.written_by, shown.current.written_at) == (
        "Called, promised to pay Friday the 6th.", "clerk2", later)
    assert [t.text for t in shown.earlier] == ["Called, promised to pay Friday."]
    assert [r.action for r in db.scalars(select(AuditEntry).where(
        AuditEntry.subject_type == "utility_account", AuditEntry.subject_id == str(account.id))
        .order_by(AuditEntry.id))] == ["account.note", "account.note_edit"]
    with pytest.raises(record.RecordError, match="Note: write something"):
        add_note(db, account.id, "   ", actor="clerk1", now=NOW)
    with pytest.raises(record.RecordError, match="The account has no note"):
        edit_note(db, create_account(db).id, note.id, "elsewhere", actor="clerk1", now=NOW)


@pytest.mark.parametrize("statement", [
    "UPDATE account_note_texts SET text = 'rewritten'", "DELETE FROM account_note_texts",
    "DELETE FROM account_notes", "UPDATE customer_addresses SET street = 'elsewhere'",
])
def test_the_database_refuses_to_change_or_delete_notes_and_addresses(db, statement):
    account = create_account(db)
    add_note(db, account.id, "Kept forever.", actor="clerk1", now=NOW)
    _address(db, account.customer, "40 Pine Road", TODAY)
    db.commit()  # a savepoint: the refusal below must come from the database's trigger
    with pytest.raises(DatabaseError, match="append-only"):
        with db.begin_nested():
            db.execute(text(statement))
    assert db.scalar(select(func.count()).select_from(AccountNoteText)) >= 1
    assert db.scalar(select(func.count()).select_from(AccountNote)) >= 1


def test_a_new_customer_s_phone_is_checked_like_the_record_s():
    """A move-in or a license's new owner: the phone typed is the same check, named 'phone'."""
    new = record.NewCustomer(name="Ana Ortiz", mailing_street="12 Oak Street", mailing_city="Alder Creek",
                             mailing_state="CA", mailing_zip="95620", phone="2026-02-30")
    assert record.new_customer_problems(new, ["en"]) == [
        "phone: '2026-02-30' is not a phone number: it has the shape of a date."]
    assert record.new_customer_problems(replace(new, phone="(530) 555-0100 x7"), ["en"]) == []
    assert record.new_customer_problems(replace(new, phone=""), ["en"]) == []
