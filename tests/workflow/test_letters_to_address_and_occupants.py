"""Letters go to the mailing address in force on their day; a landlord's occupants get the shut-off notice too."""
from __future__ import annotations

import subprocess
from datetime import date, timedelta

from sqlalchemy import select

from engine.accounts import customer_record as record
from engine.notices import NoticeRenderer
from engine.store.models import Notice
from engine.workflow import services
from engine.workflow.letters import notice_data
from tests.factories import NOW, create_account, create_customer, create_property
from samplecity.notices import sample_city
from tests.workflow.conftest import REPO, at, charge
from tests.workflow.test_letters import FACTS

BILLED, DUE = date(2026, 4, 8), date(2026, 4, 29)


def test_a_letter_goes_to_the_address_in_force_on_its_day(db, catalog):
    customer = create_customer(db, name="Ana Ortiz", mailing_street="12 Oak Street", mailing_city="Alder Creek",
                               mailing_zip="95601")
    account = create_account(db, customer=customer)
    move_out = date(2026, 6, 20)
    record.change_mailing_address(db, customer.id, street="9 Forward Lane", unit="Apt 3", city="Sacramento",
                                  state="CA", zip_code="95814", in_force_from=move_out,
                                  reason="forwarding address at move-out", actor="carla", today=date(2026, 6, 1),
                                  now=NOW)
    _, before = notice_data(db, catalog.rules, "door-hanger", "utility_account", account.id,
                            move_out - timedelta(days=1), FACTS, {"shutoff_on": "2026-07-06"}, [])
    _, after = notice_data(db, catalog.rules, "door-hanger", "utility_account", account.id, move_out, FACTS,
                           {"shutoff_on": "2026-07-06"}, [])
    assert before["recipient"] == {"name": "Ana Ortiz", "street": "12 Oak Street", "unit": "", "city": "Alder Creek",
                                   "state": "CA", "zip": "95601"}
    assert after["recipient"] == {"name": "Ana Ortiz", "street": "9 Forward Lane", "unit": "Apt 3",
                                  "city": "Sacramento", "state": "CA", "zip": "95814"}


def test_a_refund_letter_goes_to_the_forwarding_address(db, catalog, staff):
    customer = create_customer(db, name="Lee Park", mailing_street="12 Oak Street")
    account = create_account(db, customer=customer)
    record.change_mailing_address(db, customer.id, street="77 New Home Road", unit="", city="Davis", state="CA",
                                  zip_code="95616", in_force_from=date(2026, 5, 1), reason="moved out",
                                  actor="carla", today=date(2026, 4, 1), now=NOW)
    _, data = notice_data(db, catalog.rules, "refund-letter", "refund", account.id, date(2026, 5, 4), FACTS,
                          {"amount": "40.00", "check_number": "10442"}, [])
    assert (data["recipient"]["street"], data["recipient"]["city"]) == ("77 New Home Road", "Davis")


def _shutoff_case(db, catalog, account):
    """The delinquency case of an account owing $120.00 of April, walked to its shut-off notice on 2026-06-18."""
    charge(db, account.id, "120.00", on=BILLED, due_on=DUE)
    case = services.open_case(db, catalog, "delinquency", account.id, actor="sweep:delinquency",
                              on=DUE + timedelta(days=1), now=at(DUE + timedelta(days=1)), fields={"period": "2026-04"})
    for step, on in (("mail_reminder", date(2026, 4, 30)), ("mail_shutoff_notice", date(2026, 6, 18))):
        services.take_step(db, catalog, case.id, step, user="sweep:delinquency", on=on, now=at(on),
                           version=case.version, form={})
    return case


def test_the_occupants_of_a_landlords_property_get_the_shutoff_notice_as_occupant(db, catalog, staff):
    landlord = create_customer(db, name="Pomeroy Holdings LLC", mailing_street="1 Market Plaza", mailing_city="Oakland",
                               mailing_zip="94607")
    place = create_property(db, owner=landlord, service_address="1200 Mill Street")
    account = create_account(db, customer=landlord, property=place, cycle="B")
    upstairs = record.add_occupant(db, place.id, name="Jo Rivera", unit="Apt 2", city="Alder Creek", state="CA",
                                   zip_code="95601", language="es", moved_in_on=date(2026, 1, 1), actor="carla",
                                   now=NOW)
    gone = record.add_occupant(db, place.id, name="Gone Already", unit="Apt 1", city="Alder Creek", state="CA",
                        zip_code="95601", language="en", moved_in_on=date(2025, 1, 1), actor="carla", now=NOW)
    record.occupant_moved_out(db, gone.id, on=date(2026, 5, 1), actor="carla", now=NOW)
    case = _shutoff_case(db, catalog, account)

    notices = db.scalars(select(Notice).where(Notice.case_id == case.id, Notice.notice_type == "shutoff-notice")
                         .order_by(Notice.id)).all()
    assert len(notices) == 2
    owner_copy, occupant_copy = notices
    assert owner_copy.data["recipient"]["name"] == "Pomeroy Holdings LLC" and "to_occupant" not in owner_copy.data
    assert occupant_copy.language == "es" and occupant_copy.data["to_occupant"] is True
    assert occupant_copy.data["recipient"] == {"name": "Occupant", "street": "1200 Mill Street", "unit": "Apt 2",
                                               "city": "Alder Creek", "state": "CA", "zip": "95601"}
    assert occupant_copy.period.endswith(f".o{upstairs.id}")
    for key in ("amount_due", "shutoff_date", "due_date", "reference"):
        assert occupant_copy.data[key] == owner_copy.data[key]
    event = case.events[-1]
    done = [d for check in event.explanation if check["guard"] == "actions" for d in check["done"]]
    assert {"action": "notice_occupants", "notice": "shutoff-notice", "occupants": 1,
            "notice_ids": [occupant_copy.id]} in done

    shown = services.show_case(db, catalog, case.id, on=date(2026, 6, 18))["notices"]
    assert [(n["type"], n["to"], n["language"]) for n in shown if n["type"] == "shutoff-notice"] == [
        ("shutoff-notice", "Pomeroy Holdings LLC", "en"), ("shutoff-notice", "Occupant", "es")]

    pdf = NoticeRenderer(REPO / "templates" / "notices", sample_city()).render_one(
        "shutoff-notice", occupant_copy.language, occupant_copy.data)
    text = " ".join(subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
                    .stdout.decode().split())
    assert "Occupant 1200 Mill Street Apt 2 Alder Creek, CA 95601" in text
    assert "Al ocupante: recibe este aviso porque vive en 1200 Mill Street" in text
    assert "Pomeroy" not in text  # the landlord's name and address are not on the occupant's copy


def test_no_occupants_on_record_no_copy(db, catalog, staff):
    account = create_account(db, cycle="B")
    case = _shutoff_case(db, catalog, account)
    assert db.scalars(select(Notice.notice_type).where(Notice.case_id == case.id)
                         .order_by(Notice.id)).all() == [
        "past-due-reminder", "shutoff-notice"]
