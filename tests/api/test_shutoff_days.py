"""A no-shut-off period published after the door hanger was posted: the shut-off waits for an allowed day.

The door hanger prints "shut-off on or after" a date worked out the day it was posted. Then
the city publishes a new calendar revision with a no-shut-off period (a heat alert, a freeze
warning) covering that date. Every night the sweep asks the calendar whether the release may
happen that day, and every day the day's shut-off list (the API), the phone list and the
case page give the same shut-off day: the first day on or after the printed date that is not
in the period, a holiday, a weekend, a Friday or the office day before a holiday. Once
released, the case stays on each allowed day's list until the crew records the shut-off, and
the crew's own list ("Shut-offs due") holds it on exactly those days: a shut-off is never
recorded inside the period, on a Friday, a weekend, a holiday or its eve.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy.orm import Session, sessionmaker

from engine.money import ledger
from engine.rulebook import store
from engine.rulebook.catalog_source import current_catalog
from engine.rules.loader import load_document
from engine.field.lists import field_list
from engine.field.lists import rows as field_rows
from engine.sweeps.phone_export import scheduled_for_shutoff
from engine.workflow import services
from tests.factories import NOW, create_account, create_customer, save_city
from tests.web.conftest import PASSWORD, create_user
from webapp.app import create_app
from webapp.config import TestConfig

REPO = Path(__file__).resolve().parents[2]
RULES, WORKFLOWS = REPO / "rules", REPO / "workflows"
CALENDAR = RULES / "calendar" / "city-calendar.yaml"


@dataclass(frozen=True)
class Scenario:
    """A door hanger posted on a day, a period published the day after, and the day the shut-off may happen."""

    due_on: date          # the unpaid bill's due date (60 days and more before the hanger)
    posted_on: date       # the door hanger: shut-off two days on, rolled to a shut-off day
    printed: date         # what the door hanger printed
    period: tuple[date, date, str]
    shutoff_on: date      # the first allowed day once the period is published
    barred: dict[date, str]  # what the sweep is told on some days before it


SCENARIOS = {
    # Posted Tuesday June 30: Thursday July 2 is the eve of Independence Day (observed), Friday July 3, then the
    # weekend: the hanger prints Monday July 6. A heat alert for July 6 to 9 is published on July 1; Friday July
    # 10 bars shut-offs every week, then the weekend: Monday July 13.
    "heat alert": Scenario(
        due_on=date(2026, 4, 29), posted_on=date(2026, 6, 30), printed=date(2026, 7, 6),
        period=(date(2026, 7, 6), date(2026, 7, 9), "Excessive heat warning"), shutoff_on=date(2026, 7, 13),
        barred={date(2026, 7, 6): "not before 2026-07-13; 2026-07-06 is in Excessive heat warning",
                date(2026, 7, 10): "not before 2026-07-13; 2026-07-10 is a Friday (no shut-offs on Fridays)",
                date(2026, 7, 11): "not before 2026-07-13; 2026-07-11 is a Saturday (the office is closed on "
                                   "Saturdays)"}),
    # Posted Thursday November 19: two days on is Saturday, so the hanger prints Monday November 23. A freeze
    # warning for November 23 and 24 is published on November 20; Wednesday the 25th is the office day before
    # Thanksgiving, Thursday and Friday are holidays, then the weekend: Monday November 30.
    "freeze warning before a holiday": Scenario(
        due_on=date(2026, 9, 1), posted_on=date(2026, 11, 19), printed=date(2026, 11, 23),
        period=(date(2026, 11, 23), date(2026, 11, 24), "Freeze warning"), shutoff_on=date(2026, 11, 30),
        barred={date(2026, 11, 24): "not before 2026-11-30; 2026-11-24 is in Freeze warning",
                date(2026, 11, 25): "not before 2026-11-30; 2026-11-25 is the office day before a holiday "
                                    "(Thanksgiving Day)",
                date(2026, 11, 26): "not before 2026-11-30; 2026-11-26 is a holiday (Thanksgiving Day)",
                date(2026, 11, 29): "not before 2026-11-30; 2026-11-29 is a Sunday (the office is closed on "
                                    "Sundays)"}),
    # Past the years any resolution listed: the calendar's yearly holidays (and after its winter no-shut-off period,
    # December 15 to January 5 every year). Posted Tuesday January 9, 2029: the hanger prints Thursday the 11th. A
    # freeze warning for that day is published on the 10th; Friday the 12th bars shut-offs (and is the office day
    # before Martin Luther King Jr. Day, Monday the 15th), then the weekend and the holiday: Tuesday January 16.
    "freeze warning before martin luther king jr. day, a yearly holiday": Scenario(
        due_on=date(2028, 10, 16), posted_on=date(2029, 1, 9), printed=date(2029, 1, 11),
        period=(date(2029, 1, 11), date(2029, 1, 11), "Freeze warning"), shutoff_on=date(2029, 1, 16),
        barred={date(2029, 1, 11): "not before 2029-01-16; 2029-01-11 is in Freeze warning",
                date(2029, 1, 13): "not before 2029-01-16; 2029-01-13 is a Saturday (the office is closed on "
                                   "Saturdays)",
                date(2029, 1, 15): "not before 2029-01-16; 2029-01-15 is a holiday (Martin Luther King Jr. Day)"}),
}


def at(day: date) -> datetime:
    """Five in the afternoon (UTC) of a day: morning in the city."""
    return datetime.combine(day, datetime.min.time(), tzinfo=timezone.utc) + timedelta(hours=17)


def calendar_with_period(effective: date, first: date, last: date, reason: str) -> str:
    """The city calendar with a new version from `effective`: the version then in force plus a dated no-shut-off
    period (beside its yearly ones)."""
    text = CALENDAR.read_text(encoding="utf-8")
    starts = [m.start() for m in re.finditer(r"  - effective: (\S+)", text)
              if date.fromisoformat(m[1]) <= effective]
    start, end = starts[-1], text.find("  - effective:", starts[-1] + 1)
    end = len(text) if end < 0 else end
    block = re.sub(r"effective: \S+", f"effective: {effective}", text[start:end], count=1)
    block = re.sub(r"reference: .*", f"reference: Emergency order of {effective - timedelta(days=1)} ({reason})",
                   block, count=1)
    block = re.sub(r"adopted: .*", f"adopted: {effective - timedelta(days=1)}", block, count=1)
    period = f"      periods:\n        - {{from: {first}, to: {last}, reason: {reason}}}\n"
    block = block.replace("    no_shutoff:\n", "    no_shutoff:\n" + period, 1)  # the sample's periods are yearly
    return text[:end] + block + text[end:]


@pytest.fixture()
def clock() -> dict[str, datetime]:
    """The app's moment, moved by the test day by day."""
    return {"now": NOW}


@pytest.fixture()
def app(db: Session, database_url: str, tmp_path: Path, clock: dict[str, datetime]) -> Flask:
    """The app on the test database, its clock the test's, its rules the store's published revisions."""
    sessions = sessionmaker(bind=db.bind, join_transaction_mode="create_savepoint", expire_on_commit=False)
    return create_app(TestConfig(database_url=database_url, instance=tmp_path, CLOCK=lambda: clock["now"]),
                      sessions=sessions)


@pytest.fixture()
def published(db: Session) -> tuple[str, str]:
    """The sample city's rules published in the store (the first set-up), and two supervisors who edit rules."""
    save_city(db)
    store.import_folder(db, RULES, actor="test", now=NOW, today=NOW.date())
    return create_user(db, "supervisor").username, create_user(db, "supervisor").username


def publish_period(db: Session, editors: tuple[str, str], on: date, period: tuple[date, date, str]) -> None:
    """A new calendar revision, drafted by one supervisor and approved by another, in force from the next day."""
    text = calendar_with_period(on + timedelta(days=1), *period)
    store.import_documents(db, [load_document(text, "city-calendar")], actor="test", now=at(on), today=on,
                           author=editors[0], approver=editors[1])


def door_hanger_case(db: Session, scenario: Scenario, clerk_name: str):
    """A case whose shut-off notice was mailed, its door hanger posted on the scenario's day."""
    account = create_account(db, create_customer(db, phone="530-555-0188"), cycle="B")
    ledger.post_charge(db, account.id, Decimal("212.40"), on=scenario.due_on - timedelta(days=21),
                       due_on=scenario.due_on, now=NOW, actor="billing", description="Water and sewer")
    catalog = current_catalog(db, RULES, WORKFLOWS)
    case = services.open_case(db, catalog, "delinquency", account.id, actor="sweep:delinquency",
                              on=scenario.posted_on, now=at(scenario.posted_on), state="shutoff_notice",
                              fields={"period": f"{scenario.due_on:%Y-%m}",
                                      "door_hanger_on": scenario.posted_on.isoformat()})
    services.take_step(db, catalog, case.id, "post_door_hanger", user=clerk_name, on=scenario.posted_on,
                       now=at(scenario.posted_on), version=case.version)
    assert case.fields["shutoff_on"] == scenario.printed.isoformat()
    return account, case


def case_page_says(client, case_id: int) -> tuple[str, bool]:
    """The shut-off day the case page shows, and whether it says the account may be shut off today."""
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    found = re.search(r'id="shutoff-day" data-shutoff-on="([0-9-]+)" data-today="(yes|no)"', page)
    assert found, "the case page shows no shut-off day"
    return found[1], found[2] == "yes"


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_a_period_published_after_the_door_hanger_holds_the_shutoff_and_every_list_agrees(
        name, db, published, clock, login_as, api):
    scenario = SCENARIOS[name]
    clerk = login_as("clerk")
    account, case = door_hanger_case(db, scenario, clerk.user.username)
    vendor = api("shutoffs:read")
    released, day = [], scenario.posted_on
    while day <= scenario.shutoff_on + timedelta(days=2):
        clock["now"] = at(day)
        clerk.post("/login", data={"username": clerk.user.username, "password": PASSWORD})  # a new day's sign-in
        if day == scenario.posted_on + timedelta(days=1):
            publish_period(db, published, day, scenario.period)
        catalog = current_catalog(db, RULES, WORKFLOWS)
        # after the release, each following day is a shut-off day in both scenarios (Tuesday, Wednesday)
        expected = scenario.printed if day <= scenario.posted_on else max(scenario.shutoff_on, day)
        if day in scenario.barred:
            release = {s.id: s for s in services.steps_for(db, catalog, case.id, user="sweep:delinquency", on=day)}
            assert release["ready_for_shutoff"].reasons == [scenario.barred[day]], day
        released += [e.on_date for e in services.advance(db, catalog, case.id, sweep="delinquency", on=day,
                                                          now=at(day)) if e.step == "ready_for_shutoff"]
        page_day, page_today = case_page_says(clerk, case.id)
        listed = [a["shutoff_on"] for a in vendor.get(f"/api/v1/shutoffs?date={day}").json["accounts"]
                  if a["account_number"] == account.number]
        phoned = [row["shutoff_on"] for row in scheduled_for_shutoff(db, catalog, day)
                  if row["account_number"] == account.number]
        assert page_day == expected.isoformat(), day
        assert page_today == (day == expected) == (listed == [day.isoformat()]), day
        assert phoned == [page_day], day
        crew = [row.case_id for row in field_rows(db, catalog, field_list(catalog, "delinquency.record_shutoff", day),
                                                  user=clerk.user.username, on=day)]
        assert crew == ([case.id] if page_today and case.state == "shutoff_ready" else []), day
        day += timedelta(days=1)
    assert released == [scenario.shutoff_on]
    page = clerk.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f"is in {scenario.period[2]}" in page  # the case page says why the printed date moved


def test_a_period_published_after_the_release_holds_the_crews_shutoff_too(db, published, clock, login_as, api):
    """Released on Monday July 6; a heat alert for July 7 and 8 is published that day. The crew's list and the
    shut-off step wait: Thursday the 9th is the next shut-off day (Friday the 10th bars shut-offs, then the weekend),
    and every list says so each day until the crew records it."""
    scenario = SCENARIOS["heat alert"]
    clerk = login_as("clerk")
    account, case = door_hanger_case(db, scenario, clerk.user.username)
    released_on = scenario.printed  # no period yet: the printed Monday
    clock["now"] = at(released_on)
    catalog = current_catalog(db, RULES, WORKFLOWS)
    assert [e.step for e in services.advance(db, catalog, case.id, sweep="delinquency", on=released_on,
                                             now=at(released_on))] == ["ready_for_shutoff"]
    publish_period(db, published, released_on, (date(2026, 7, 7), date(2026, 7, 8), "Excessive heat warning"))
    vendor = api("shutoffs:read")
    next_day = {date(2026, 7, 7): date(2026, 7, 9), date(2026, 7, 8): date(2026, 7, 9),
                date(2026, 7, 9): date(2026, 7, 9), date(2026, 7, 10): date(2026, 7, 13),
                date(2026, 7, 11): date(2026, 7, 13), date(2026, 7, 12): date(2026, 7, 13)}
    for day, expected in next_day.items():
        clock["now"] = at(day)
        clerk.post("/login", data={"username": clerk.user.username, "password": PASSWORD})
        catalog = current_catalog(db, RULES, WORKFLOWS)
        page_day, page_today = case_page_says(clerk, case.id)
        listed = [a["shutoff_on"] for a in vendor.get(f"/api/v1/shutoffs?date={day}").json["accounts"]
                  if a["account_number"] == account.number]
        phoned = [row["shutoff_on"] for row in scheduled_for_shutoff(db, catalog, day)
                  if row["account_number"] == account.number]
        crew = [row.case_id for row in field_rows(db, catalog, field_list(catalog, "delinquency.record_shutoff", day),
                                                  user=clerk.user.username, on=day)]
        record = {s.id: s for s in services.steps_for(db, catalog, case.id, user=clerk.user.username, on=day)}
        assert (page_day, phoned) == (expected.isoformat(), [expected.isoformat()]), day
        assert page_today == (day == expected) == (listed == [day.isoformat()]) == (crew == [case.id]) \
            == record["record_shutoff"].allowed, day
        if day != expected:
            assert record["record_shutoff"].reasons[0].startswith(f"not before {expected.isoformat()}; {day}"), day
    assert case.state == "shutoff_ready"
    response = clerk.post(f"/cases/{case.id}/steps/record_shutoff",  # Sunday the 12th, from the case page
                          data={"record_shutoff-version": case.version, "record_shutoff-meter_reading": "4821"})
    assert response.status_code == 400
    assert "was not taken" in response.get_data(as_text=True) and "is a Sunday" in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(type(case), case.id).state == "shutoff_ready"
