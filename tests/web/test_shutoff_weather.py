"""Shut-offs and the weather, on the day: a supervisor records the day's forecast on the shut-off list's page, and
the crew's shut-off step, the list and the shut-off list read it.

The city calendar here is the sample city's with `no_shutoff.forecast: {low_at_most: 32, high_at_least: 95}` added
to its 2026 version. One cycle-B account owes April's bill; its door hanger was posted on 2026-06-30 and the night
released it to the crew on its shut-off day (the release is the night's, never held by the weather). On that day,
with no forecast recorded, the crew's step is refused ("record today's forecast first") and the list says the
forecast is needed; a forecast low of 20°F holds the shut-off in the calendar's words; a mild one lets it go.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.field.lists import field_list, rows
from engine.field.forecasts import ForecastError, record_forecast
from engine.store.forecasts import DayForecast, forecast_on
from engine.store.models import AuditEntry, Case
from engine.workflow import services
from engine.workflow.runtime import StepRefused
from engine.workflow.services import Catalog
from engine.workflow.shutoffs import shutoff_day_of
from samplecity.city import APPROVAL_ROLE_IDS
from tests.factories import save_city
from tests.web.conftest import create_user
from tests.web.shutoff_cases import at, released_for_shutoff, weather_calendar

REPO = Path(__file__).resolve().parents[2]
LIST = "/field/delinquency.record_shutoff"
NEEDED = "record today's forecast first: city-calendar bars shut-offs by the weather forecast"


@pytest.fixture()
def weather_rules(tmp_path) -> Path:
    """The sample city's rules, its 2026 calendar barring shut-offs at or below 32°F or at or above 95°F."""
    return weather_calendar(tmp_path)


@pytest.fixture()
def ready(db, weather_rules) -> tuple[Catalog, date, int]:
    """One case released for shut-off: the catalog, its shut-off day and the case id."""
    catalog = Catalog.load(weather_rules, REPO / "workflows", APPROVAL_ROLE_IDS)
    save_city(db)
    create_user(db, "clerk", username="carla")
    case_id, shutoff_on = released_for_shutoff(db, catalog, name="Frost Customer", street="3 Frost Lane",
                                               parcel="W00000001", number="930-000001", meter="M-930",
                                               location="front", route="4")
    assert db.get(Case, case_id).state == "shutoff_ready"  # the night's release is not held by the weather
    return catalog, shutoff_on, case_id


def shut_off(db, catalog, case_id, day):
    return services.take_step(db, catalog, case_id, "record_shutoff", user="carla", on=day, now=at(day),
                              form={"meter_reading": 4512}, version=db.get(Case, case_id).version)


def test_no_forecast_recorded_refuses_the_shutoff_and_the_list_holds_it(db, ready):
    catalog, day, case_id = ready
    with pytest.raises(StepRefused) as refused:
        shut_off(db, catalog, case_id, day)
    assert refused.value.reasons == [f"{NEEDED}, and no forecast is recorded for {day.isoformat()}"]
    the_list = field_list(catalog, "delinquency.record_shutoff", day)
    assert rows(db, catalog, the_list, user="carla", on=day) == []
    [held] = rows(db, catalog, the_list, user="carla", on=day, held=True)
    assert held.case_id == case_id and held.held[0].startswith(NEEDED)
    listed = shutoff_day_of(db, catalog.rules, catalog.workflows, case_id, day)
    assert listed.shutoff_on == day and not listed.today(day) and listed.held[0].startswith(NEEDED)


def test_a_freezing_forecast_holds_and_a_mild_one_lets_the_shutoff_go(db, ready):
    catalog, day, case_id = ready
    record_forecast(db, day, "20", "41", actor="sam", now=at(day))
    words = f"the forecast low for {day.isoformat()} is 20°F (no shut-offs when it is at most 32°F)"
    with pytest.raises(StepRefused) as refused:
        shut_off(db, catalog, case_id, day)
    assert refused.value.reasons == [words]
    assert shutoff_day_of(db, catalog.rules, catalog.workflows, case_id, day).held == (words,)
    record_forecast(db, day, "55", "78", actor="sam", now=at(day))
    assert shutoff_day_of(db, catalog.rules, catalog.workflows, case_id, day).today(day)
    shut_off(db, catalog, case_id, day)
    assert db.get(Case, case_id).state == "disconnected"


@pytest.mark.parametrize("low, high, said", [
    ("200", "210", "Forecast low: 200°F is not from -100 to 150°F"),
    ("20", "-101", "Forecast high: -101°F is not from -100 to 150°F"),
    ("cold", "40", "Forecast low: 'cold' is not a whole number of degrees Fahrenheit"),
    ("", "40", "Forecast low: required (degrees Fahrenheit)"),
    ("50", "40", "Forecast low: 50°F is above the forecast high (40°F)"),
])
def test_a_bad_forecast_is_refused_naming_its_field(db, low, high, said):
    with pytest.raises(ForecastError, match=said.replace("(", r"\(").replace(")", r"\)")):
        record_forecast(db, date(2026, 7, 1), low, high, actor="sam", now=at(date(2026, 7, 1)))
    assert db.scalars(select(DayForecast)).all() == []


def test_the_page_records_the_forecast_holds_the_list_and_audits_each_change(app, db, ready, weather_rules, login_as):
    catalog, day, case_id = ready
    app.config["RULES_DIR"], app.config["CLOCK"] = str(weather_rules), lambda: at(day)
    supervisor = login_as("supervisor")
    page = supervisor.get(LIST).get_data(as_text=True)
    assert "The calendar bars shut-offs by the weather: today's forecast is needed before any shut-off." in page
    assert "Held today" in page and "3 Frost Lane" in page and "record today&#39;s forecast first" in page

    refused = supervisor.post(f"{LIST}/forecast", data={"forecast_low": "200", "forecast_high": "210"},
                              follow_redirects=True).get_data(as_text=True)
    assert "Not recorded: Forecast low: 200°F is not from -100 to 150°F." in refused
    assert forecast_on(db, day) is None

    held = supervisor.post(f"{LIST}/forecast", data={"forecast_low": "20", "forecast_high": "41"},
                           follow_redirects=True).get_data(as_text=True)
    words = f"the forecast low for {day.isoformat()} is 20°F (no shut-offs when it is at most 32°F)"
    assert "Today&#39;s forecast recorded: low 20°F, high 41°F." in held
    assert f"Shut-offs held today: {words}." in held and "Held today" in held
    assert 'name="done"' not in held  # nothing to tick: the one stop is held
    case_page = supervisor.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'data-today="no"' in case_page and "Held today by the weather" in case_page
    assert "is 20°F (no shut-offs when it is at most 32°F)" in case_page

    mild = supervisor.post(f"{LIST}/forecast", data={"forecast_low": "55", "forecast_high": "78"},
                           follow_redirects=True).get_data(as_text=True)
    assert "Shut-offs held today" not in mild and "Held today" not in mild and 'name="done"' in mild
    audits = db.scalars(select(AuditEntry).where(AuditEntry.action == "forecast.record").order_by(AuditEntry.id)).all()
    assert [(a.actor, a.subject_id, a.detail["old"], a.detail["new"]) for a in audits] == [
        (supervisor.user.username, day.isoformat(), None, {"low": 20, "high": 41}),
        (supervisor.user.username, day.isoformat(), {"low": 20, "high": 41, "recorded_by": supervisor.user.username},
         {"low": 55, "high": 78})]


def test_a_clerk_may_not_record_the_forecast_by_default(app, db, ready, weather_rules, login_as):
    catalog, day, _ = ready
    app.config["RULES_DIR"], app.config["CLOCK"] = str(weather_rules), lambda: at(day)
    clerk = login_as("clerk")
    assert "Record today&#39;s forecast" not in clerk.get(LIST).get_data(as_text=True)
    assert clerk.post(f"{LIST}/forecast", data={"forecast_low": "20", "forecast_high": "41"}).status_code == 403
    assert forecast_on(db, day) is None

