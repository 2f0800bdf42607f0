"""Hostile days on the service and case pages: a meter exchange dated ahead, a step's date out of any calendar.

Each is refused with a message naming the field or the step and the limit, and changes nothing
(no audit row, the case's state and the meters as they were); a 500 is never the answer.
"""
from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import delete, func, select

from engine.store.meters import Meter
from engine.store.models import AuditEntry, Case, CaseEvent, MeterRead
from tests.web.pages import fixed_clock  # noqa: F401  (fixture)
from tests.web.test_case_pages import reminded_case
from tests.web.test_lifecycle_pages import STOP, home  # noqa: F401  (fixture)

STOP_AND_START = {**STOP, "name": "Lee Park", "mailing_street": "9 Oak Street", "mailing_city": "Alder Creek",
                  "mailing_state": "CA", "mailing_zip": "95601", "language": "en", "rate_class": "residential",
                  "sewer": "y", "take_deposit": "y"}  # a transfer: the stop, and who arrives
EXCHANGE = {"exchanged_on": "2026-02-20", "old_final_reading": "997", "new_meter_number": "M-200",
            "new_meter_size": '3/4"', "new_meter_dials": "4", "new_meter_location": "front yard",
            "new_meter_route": "A-07", "new_first_reading": "0"}


def text(response) -> str:
    """A page's text without tags, spaces folded."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))))


def audit_rows(db) -> int:
    """How many rows the audit log has."""
    return db.scalar(select(func.count()).select_from(AuditEntry))


@pytest.mark.parametrize("day, shown", [("9999-12-31", "Dec 31, 9999"), ("2026-03-03", "Mar 3, 2026")])
def test_a_meter_exchange_dated_after_today_is_refused(fixed_clock, clerk, db, home, day, shown):
    """9999-12-31 was taken: the meter came out of service now, and the final bill still read it to 1005."""
    before = audit_rows(db)
    refused = clerk.post(f"/service/meter/{home.number}", data={**EXCHANGE, "exchanged_on": day})
    assert refused.status_code == 400
    assert f"Meter not exchanged: The exchange day {shown} is after today (Mar 2, 2026)" in text(refused)
    db.expire_all()
    assert audit_rows(db) == before
    assert db.scalar(select(Meter.account_id).where(Meter.number == "M-100")) == home.id
    assert db.scalar(select(Meter.id).where(Meter.number == "M-200")) is None
    today = clerk.post(f"/service/meter/{home.number}", data={**EXCHANGE, "exchanged_on": "2026-03-02"})
    assert today.status_code == 302, text(today)


@pytest.mark.parametrize("day, shown", [("0001-01-01", "Jan 1, 1"), ("2023-12-31", "Dec 31, 2023")])
def test_a_meter_exchange_dated_before_the_old_meter_went_in_is_refused(fixed_clock, clerk, db, home, day, shown):
    """On an account with no read yet nothing else bounds the day below: 0001-01-01 was taken. M-100 went in on
    Jan 1, 2024."""
    db.execute(delete(MeterRead).where(MeterRead.account_id == home.id))
    db.flush()
    before = audit_rows(db)
    refused = clerk.post(f"/service/meter/{home.number}", data={**EXCHANGE, "exchanged_on": day})
    assert refused.status_code == 400
    assert (f"Meter not exchanged: The exchange day {shown} is before the old meter M-100 was installed "
            "(Jan 1, 2024)") in text(refused)
    db.expire_all()
    assert audit_rows(db) == before
    assert db.scalar(select(Meter.account_id).where(Meter.number == "M-100")) == home.id
    on_the_day = clerk.post(f"/service/meter/{home.number}", data={**EXCHANGE, "exchanged_on": "2024-01-01"})
    assert on_the_day.status_code == 302, text(on_the_day)


def test_a_final_reading_whose_bill_passes_the_citys_limit_says_so_in_words(fixed_clock, clerk, db, home):
    """999,999,999 CCF: the bill it would give, the use and the city's limit, then what to check; nothing posted."""
    before = audit_rows(db)
    refused = clerk.post(f"/service/stop/{home.number}/review", data={**STOP, "final_reading": "999999999"})
    assert refused.status_code == 400
    assert ("Final read: the bill would come to $3,758,996,282.02 for 999,999,006 CCF; the city's limit is at most "
            "$1,000,000.00 for an amount from the rules (a bill, fee or deposit): check the reading") in text(refused)
    assert audit_rows(db) == before


def _plan(clerk, case, first_due: str):
    """The payment plan step posted from the case page with three installments from `first_due`."""
    return clerk.post(f"/cases/{case.id}/steps/arrange_plan", data={
        "arrange_plan-version": case.version, "arrange_plan-installments": "3", "arrange_plan-first_due": first_due})


@pytest.mark.parametrize("first_due, words", [
    ("9999-12-31", "First installment due must be on or before Dec 31, 2199."),  # was a 500: no month after December 9999
    ("9999-06-30", "First installment due must be on or before Dec 31, 2199."),  # was kept: installments in year 9999
    ("0001-01-01", "First installment due must be on or after Jan 1, 1900."),
    ("2020-01-01", "Arrange a payment plan was not taken: the first installment's day Jan 1, 2020 is not from the "
                   "plan's first day (Mar 2, 2026) to a year after it (Mar 3, 2027)"),  # was kept: behind when made
    ("2027-03-04", "Arrange a payment plan was not taken: the first installment's day Mar 4, 2027 is not from the "
                   "plan's first day (Mar 2, 2026) to a year after it (Mar 3, 2027)")])
def test_a_payment_plans_first_installment_outside_a_year_from_today_is_refused(fixed_clock, clerk, db, first_due,
                                                                               words):
    case = reminded_case(db)
    events, before = db.scalar(select(func.count()).select_from(CaseEvent)), audit_rows(db)
    refused = _plan(clerk, case, first_due)
    assert refused.status_code == 400
    assert words in text(refused)
    db.expire_all()
    assert db.get(Case, case.id).state == "reminded" and audit_rows(db) == before
    assert db.scalar(select(func.count()).select_from(CaseEvent)) == events
    assert _plan(clerk, case, "2027-03-03").status_code == 302


def test_a_steps_date_out_of_the_years_a_fact_holds_is_refused_by_the_engine_too():
    """The API and the command line reach the step's form without the page's checks: the engine's reader refuses."""
    from engine.workflow.forms import FormError, FormField
    field = FormField("appeal_filed_on", "date", "Appeal filed on", required=True)
    for day in ("9999-12-31", "0001-01-01", "2200-01-01"):
        with pytest.raises(FormError, match=f"appeal_filed_on: {day} is outside the years 1900 to 2199"):
            field.read(day)
    assert field.read("2199-12-31").year == 2199


# --- a move-in: its day, and a new customer's name and mailing address --------------------------

START = {"name": "Ana Ruiz", "mailing_street": "12 Birch Lane", "mailing_city": "Alder Creek", "mailing_state": "CA",
         "mailing_zip": "95601", "language": "en", "rate_class": "residential", "sewer": "y",
         "start_on": "2026-03-03", "start_reading": "1005", "seen_deposit": "0"}  # no deposit taken


@pytest.fixture()
def vacant(db, home):
    """The home's property with its meter M-100 free: the account closed, as after a move-out."""
    home.status = "closed"
    meter = db.scalar(select(Meter).where(Meter.number == "M-100"))
    meter.account_id = None
    db.flush()
    return home.property.parcel, {**START, "meter": str(meter.id)}


def accounts_and_audit(db) -> tuple[int, int, int]:
    """What a refused start must leave as it was: accounts, customers, audit rows."""
    from engine.store.models import Customer, UtilityAccount
    db.expire_all()
    return (db.scalar(select(func.count()).select_from(UtilityAccount)),
            db.scalar(select(func.count()).select_from(Customer)), audit_rows(db))


@pytest.mark.parametrize("day, words", [
    ("9999-12-31", "Service starts on: at most a year ahead (by Mar 3, 2027), not Dec 31, 9999"),  # was opened
    ("2027-03-04", "Service starts on: at most a year ahead (by Mar 3, 2027), not Mar 4, 2027"),
    ("0001-01-01", "Service starts on: not before Jan 1, 1900, not Jan 1, 1")])  # was "no version of billing-policy"
def test_a_move_in_day_out_of_the_years_a_record_holds_is_refused(fixed_clock, clerk, db, vacant, day, words):
    """9999-12-31 opened the account (and took its deposit) that day: no move-out could ever follow its start read."""
    parcel, start = vacant
    before = accounts_and_audit(db)
    for step, said in (("/review", words), ("", f"Service not started: {words}")):
        refused = clerk.post(f"/service/start/{parcel}{step}", data={**start, "start_on": day})
        assert refused.status_code == 400
        assert said in text(refused)
    assert accounts_and_audit(db) == before
    assert clerk.post(f"/service/start/{parcel}", data={**start, "start_on": "2027-03-03"}).status_code == 302


@pytest.mark.parametrize("field, value, words", [
    ("name", "Ana\x01Ruiz\x1b[31m", "Name: one line of printed characters, without a line break, tab or other "
                                    "control character (it holds U+0001)"),
    ("mailing_street", "12 Birch\u202e Lane", "Street: one line of printed characters, without a line break, tab or "
                                              "other control character (it holds U+202E)"),
    ("mailing_zip", "١٢٣٤٥", "ZIP code: five digits, or five and four (95601-1234), not '١٢٣٤٥'"),
    ("mailing_state", "c1", "State: two letters, such as CA, not 'C1'"),
    ("email", "a@b", "E-mail: 'a@b' is not an e-mail address (name@example.org)")])
def test_a_new_customer_is_held_to_what_the_customer_record_holds_a_name_and_address_to(fixed_clock, clerk, db, home,
                                                                                      vacant, field, value, words):
    """A move-in kept each of these (an escape sequence in the name, a ZIP of Arabic-Indic digits), which the customer
    record's own forms refuse; a transfer's new customer is read by the same check."""
    parcel, start = vacant
    before = accounts_and_audit(db)
    refused = clerk.post(f"/service/start/{parcel}", data={**start, field: value})
    assert refused.status_code == 400
    assert f"Service not started: New customer: {words}" in text(refused)
    assert accounts_and_audit(db) == before


def test_a_transfers_new_customer_is_held_to_the_same_words(fixed_clock, clerk, db, home):
    data = {**STOP_AND_START, "name": "Lee\x1b[2JPark"}
    before = accounts_and_audit(db)
    refused = clerk.post(f"/service/transfer/{home.number}/review", data=data)
    assert refused.status_code == 400
    assert "New customer: Name: one line of printed characters" in text(refused)
    assert accounts_and_audit(db) == before


@pytest.mark.parametrize("typed", ["١٠٠٥", "1_005", "１００５"])
@pytest.mark.parametrize("form, field", [("stop", "final_reading"), ("meter", "old_final_reading"),
                                         ("meter", "new_first_reading")])
def test_a_reading_in_digits_other_than_0_to_9_is_refused_beside_its_field(fixed_clock, clerk, db, home, typed, form,
                                                                           field):
    """int() read "١٠٠٥" and "1_005" as 1005: a final bill was priced from them (every reader of the city's refuses
    them, engine.numerals)."""
    data = {**STOP} if form == "stop" else {**EXCHANGE, "exchanged_on": "2026-03-02"}
    before = audit_rows(db)
    refused = clerk.post(f"/service/{form}/{home.number}" + ("/review" if form == "stop" else ""),
                         data={**data, field: typed})
    assert refused.status_code == 400
    assert "Enter a whole number, e.g. 12." in text(refused)
    assert "Review the final bill" not in text(refused)
    assert audit_rows(db) == before
