"""The days a clerk writes on a record are bounded from today in the city (its saved time zone), not the UTC date.

In Honolulu (UTC-10) at 8 PM on March 2, 2026 it is already 06:00 on March 3 in UTC. A year from the city's day is
2027-03-03 (a year here is 366 days); from the UTC date it would be 2027-03-04, which the city refuses.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from engine.accounts.assistance import AssistanceError, end_enrolment, enrol
from engine.accounts.customer_record import RecordError, add_occupant, change_mailing_address, occupant_moved_out
from engine.city import get_city, today_in_city
from tests.accounts.test_assistance_programs import PROGRAMS, set_programs
from tests.factories import create_account, save_city

EVENING = datetime(2026, 3, 3, 6, 0, tzinfo=timezone.utc)  # 8 PM on March 2 in Honolulu
CITY_TODAY = date(2026, 3, 2)
LATEST = date(2027, 3, 3)  # a year (366 days) after the city's day
UTC_LATEST = date(2027, 3, 4)  # what the UTC date would have allowed


@pytest.fixture()
def honolulu(db):
    """A city whose saved time zone is Pacific/Honolulu, with its assistance programs."""
    save_city(db)
    set_programs(db, PROGRAMS)
    get_city(db).timezone = "Pacific/Honolulu"
    db.flush()
    assert today_in_city(db, EVENING) == CITY_TODAY != EVENING.date()
    return db


def _occupant(db, account, moved_in_on: date):
    return add_occupant(db, account.property_id, name="Lee Tenant", unit="", city="Alder Creek", state="CA",
                        zip_code="95601", language="en", moved_in_on=moved_in_on, actor="carla", now=EVENING)


def test_a_move_in_or_out_a_day_past_a_year_from_the_city_s_day_is_refused(honolulu):
    db, account = honolulu, create_account(honolulu)
    with pytest.raises(RecordError, match=rf"^Moved in on: at most a year ahead \(by {LATEST}\), not {UTC_LATEST}\.$"):
        _occupant(db, account, UTC_LATEST)
    occupant = _occupant(db, account, LATEST)
    with pytest.raises(RecordError, match=rf"^Moved out on: at most a year ahead \(by {LATEST}\), not {UTC_LATEST}\.$"):
        occupant_moved_out(db, occupant.id, on=UTC_LATEST, actor="carla", now=EVENING)
    assert occupant_moved_out(db, occupant.id, on=LATEST, actor="carla", now=EVENING).moved_out_on == LATEST


def test_a_forwarding_address_is_bounded_by_the_city_s_day(honolulu):
    db, account = honolulu, create_account(honolulu)
    address = dict(street="9 Forward Lane", unit="", city="Sacramento", state="CA", zip_code="95814", reason="moving",
                   actor="carla", today=CITY_TODAY, now=EVENING)
    with pytest.raises(RecordError, match=rf"^In force from: at most a year ahead \(by {LATEST}\)"):
        change_mailing_address(db, account.customer_id, in_force_from=UTC_LATEST, **address)
    assert change_mailing_address(db, account.customer_id, in_force_from=LATEST, **address).in_force_from == LATEST


def test_an_enrolment_s_days_are_bounded_by_the_city_s_day(honolulu):
    db, customer_id = honolulu, create_account(honolulu).customer_id
    with pytest.raises(AssistanceError, match=rf"^Enrolled from: at most a year ahead \(by {LATEST}\)"):
        enrol(db, customer_id, "cap", starts_on=UTC_LATEST, ends_on=None, actor="carla", now=EVENING)
    ten_years = CITY_TODAY + timedelta(days=3660)  # END_YEARS_AHEAD years of 366 days
    with pytest.raises(AssistanceError, match=rf"^Enrolled through: at most 10 years ahead \(by {ten_years}\), "
                                              rf"not {ten_years + timedelta(days=1)}\.$"):
        enrol(db, customer_id, "cap", starts_on=LATEST, ends_on=ten_years + timedelta(days=1), actor="carla",
              now=EVENING)
    row = enrol(db, customer_id, "cap", starts_on=LATEST, ends_on=None, actor="carla", now=EVENING)
    with pytest.raises(AssistanceError, match=rf"^Enrolled through: at most 10 years ahead \(by {ten_years}\)"):
        end_enrolment(db, customer_id, row.id, ends_on=ten_years + timedelta(days=1), actor="carla", now=EVENING)
    assert end_enrolment(db, customer_id, row.id, ends_on=ten_years, actor="carla", now=EVENING).ends_on == ten_years
