"""Reconnection fees of four cities, published as versions of reconnection-fee (and a delinquency workflow
version whose shut-off form asks whether service is to be restored after hours), charged when the field
shut-off is recorded, after the case has walked its notices on the days the city calendar gives.

The city publishes on 2026-07-02 (after the sample city's own 2026-07-01 version); the July bill, mailed
2026-07-08 and due 2026-07-29, is never paid.
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from engine.store.models import Case
from tests.policies.town import Town, cents, town

PUBLISHED, MAILED, DUE = date(2026, 7, 2), date(2026, 7, 8), date(2026, 7, 29)
SHUTOFF_FORM = "      - {name: meter_reading, label: Meter reading at shut-off, type: integer, min: 0, required: true}\n"
AFTER_HOURS = ("      - {name: after_hours, label: Service to be restored after hours (the customer asked), "
               "type: boolean, required: false}\n")


@pytest.fixture()
def city(db) -> Town:
    """The sample city, publishing from 2026-07-02, its shut-off form asking about after-hours restoration."""
    city = town(db, PUBLISHED)
    city.revise_workflow("delinquency", (SHUTOFF_FORM, SHUTOFF_FORM + AFTER_HOURS))
    return city


def reconnection_fee(city: Town, reference: str, business_hours: str, after_hours: str) -> None:
    """A version of reconnection-fee from the day the city publishes: one amount in business hours, one after."""
    city.add_version("reconnection-fee", f"""\
  - effective: {PUBLISHED.isoformat()}
    reference: "{reference}"
    service: fees
    lines:
      - name: Reconnection, business hours
        when: {{after_hours: false}}
        amount: {business_hours}
      - name: Reconnection, after hours
        when: {{after_hours: true}}
        amount: {after_hours}""")


def shut_off(city: Town, *, after_hours: bool) -> tuple[Case, list[tuple[date, int, str]]]:
    """An unpaid July bill walked through the reminder, the shut-off notice, the door hanger and the release on
    the days the case's fields give, then the shut-off recorded the next day: the case and the fees posted."""
    account_id = city.account(cycle="B")
    city.bill(account_id, "120.00", on=MAILED, due_on=DUE)
    case = city.open_case("delinquency", account_id, DUE + timedelta(days=1), period="2026-07")
    city.take(case, "mail_reminder", "sweep:delinquency", DUE + timedelta(days=1))
    city.take(case, "mail_shutoff_notice", "sweep:delinquency", date.fromisoformat(case.fields["shutoff_notice_on"]))
    city.take(case, "post_door_hanger", "carla", date.fromisoformat(case.fields["door_hanger_on"]))
    shutoff_on = date.fromisoformat(case.fields["shutoff_on"])
    city.take(case, "ready_for_shutoff", "sweep:delinquency", shutoff_on)
    city.take(case, "record_shutoff", "carla", shutoff_on + timedelta(days=1), meter_reading="4821",
              after_hours="yes" if after_hours else "")
    return case, city.fees(account_id)


@pytest.mark.parametrize("city_code, business_hours, after_hours", [
    # Hazard, KY, Code of Ordinances § 54.33 "Reconnection fees": "a charge of $50 shall be made for reconnection
    # ...  In instances where the customer pays after 3:00 p.m. and would like service connected the same day, a
    # charge of $75 shall apply."
    ("Hazard Code of Ordinances § 54.33", "50.00", "75.00"),
    # Greendale, IN, Code of Ordinances, water service charges (B): "a fee of $50 for turning on the water service
    # during business hours and $150 for turning on water service outside of business hours".
    ("Greendale Code of Ordinances, water service charges (B)", "50.00", "150.00"),
    # Big Spring, TX, Code of Ordinances, water and sanitation disconnection: "a reconnect fee of $10.00 charged for
    # the reconnect if made during normal work hours. The charges for reconnect made during other than normal work
    # hours shall be $15.00."
    ("Big Spring Code of Ordinances, disconnection for nonpayment", "10.00", "15.00"),
    # Eagle Pass, TX, Code of Ordinances § 27-10(b)(1): "thirty dollars ($30.00) ... if reconnection is made during
    # working hours. If such reconnection is not made during working hours, said charge shall be forty dollars
    # ($40.00)".
    ("Eagle Pass Code of Ordinances § 27-10(b)(1)", "30.00", "40.00"),
])
def test_the_reconnection_fee_is_the_citys_for_the_hours_service_is_restored(city, city_code, business_hours,
                                                                              after_hours):
    """The late fee on the first night past due (the sample city's), then the city's reconnection fee on the day
    the shut-off is recorded: its business-hours amount, or its after-hours amount when the customer asked."""
    reconnection_fee(city, city_code, business_hours, after_hours)
    case, fees = shut_off(city, after_hours=False)
    recorded = next(e.on_date for e in case.events if e.step == "record_shutoff")
    assert recorded > date.fromisoformat(case.fields["shutoff_on"]) >= DUE + timedelta(days=60)
    assert fees == [(date(2026, 7, 30), cents("12.00"), "Late payment penalty on utility bills"),
                    (recorded, cents(business_hours), "Reconnection after shut-off for nonpayment")]
    _, fees = shut_off(city, after_hours=True)
    assert fees[-1][1:] == (cents(after_hours), "Reconnection after shut-off for nonpayment")
