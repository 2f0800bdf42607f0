"""The phone notification list on a day the weather holds shut-offs, and the day's forecast recorded from the command
line.

The calendar is the sample city's with `no_shutoff.forecast: {low_at_most: 32, high_at_least: 95}` in its 2026
version. One account's case is released to the crew for its shut-off day, Monday 2026-07-06. While the weather holds
that day's shut-off (no forecast recorded yet, or a low of 20°F), the vendor's list of that day leaves the account
out — it would be phoned "shut off today" on a day the city will not — and says how many it left out and why; with a
mild forecast it is listed with the day as its shut-off day. The web download, the sweeps page, the API's day list
and `ordinance sweep phone-export` read the same answer. `ordinance forecast record` records the forecast as the page
does: the day_forecast duty of the user named by --as, the same checks, the same audit row.
"""
from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.store.forecasts import DayForecast
from engine.store.models import AuditEntry
from engine.workflow.services import Catalog
from samplecity.city import APPROVAL_ROLE_IDS
from tests.factories import save_city
from tests.web.conftest import create_user
from tests.web.shutoff_cases import REPO, at, released_for_shutoff, weather_calendar
from webapp.api.services import shutoffs_on

DAY = date(2026, 7, 6)
NEEDED = ("record today's forecast first: city-calendar bars shut-offs by the weather forecast, and no forecast is "
          "recorded for 2026-07-06")
FROST = "the forecast low for 2026-07-06 is 20°F (no shut-offs when it is at most 32°F)"
HEADER = "account_number,name,phone,language,amount,shutoff_on"


@pytest.fixture()
def weather_rules(tmp_path) -> Path:
    return weather_calendar(tmp_path)


def released(session, weather_rules: Path) -> Catalog:
    """The city, carla (who posts the door hanger) and sam (a supervisor), and Frost Customer's case released for
    its shut-off day: the catalog."""
    catalog = Catalog.load(weather_rules, REPO / "workflows", APPROVAL_ROLE_IDS)
    save_city(session)
    create_user(session, "clerk", username="carla")
    create_user(session, "supervisor", username="sam")
    _, shutoff_on = released_for_shutoff(session, catalog, name="Frost Customer", street="3 Frost Lane",
                                         parcel="W00000002", number="931-000001", meter="M-931", location="front",
                                         route="4")
    assert shutoff_on == DAY
    return catalog


def downloads(db) -> list[dict]:
    return [a.detail for a in db.scalars(select(AuditEntry).where(AuditEntry.action == "download")
                                         .order_by(AuditEntry.id))]


def test_the_download_leaves_out_a_shutoff_the_weather_holds_today_and_says_so(app, db, weather_rules, login_as):
    catalog = released(db, weather_rules)
    app.config["RULES_DIR"], app.config["CLOCK"] = str(weather_rules), lambda: at(DAY)
    supervisor = login_as("supervisor")

    page = supervisor.get("/sweeps/").get_data(as_text=True)
    assert 'id="weather-holds"' in page and "record today&#39;s forecast first" in page
    assert supervisor.get("/sweeps/phone-export.csv").get_data(as_text=True).splitlines() == [HEADER]
    assert shutoffs_on(db, catalog, DAY)["accounts"] == []  # the API's day list agrees
    assert downloads(db)[-1]["rows"] == 0 and downloads(db)[-1]["filters"] == {"as_of": "2026-07-06",
                                                                                 "held_by_the_weather": 1}

    supervisor.post("/field/delinquency.record_shutoff/forecast", data={"forecast_low": "20", "forecast_high": "41"})
    page = supervisor.get("/sweeps/").get_data(as_text=True)
    assert "the forecast low for Jul 6, 2026 is 20°F (no shut-offs when it is at most 32°F)" in page
    assert supervisor.get("/sweeps/phone-export.csv").get_data(as_text=True).splitlines() == [HEADER]

    supervisor.post("/field/delinquency.record_shutoff/forecast", data={"forecast_low": "55", "forecast_high": "78"})
    assert 'id="weather-holds"' not in supervisor.get("/sweeps/").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(supervisor.get("/sweeps/phone-export.csv").get_data(as_text=True))))
    assert [(r["name"], r["shutoff_on"]) for r in rows] == [("Frost Customer", "2026-07-06")]
    assert downloads(db)[-1]["rows"] == 1 and downloads(db)[-1]["filters"] == {"as_of": "2026-07-06"}
    assert [a["name"] for a in shutoffs_on(db, catalog, DAY)["accounts"]] == ["Frost Customer"]


def test_the_downloads_page_shows_how_many_the_weather_held(app, db, weather_rules, login_as):
    released(db, weather_rules)
    app.config["RULES_DIR"], app.config["CLOCK"] = str(weather_rules), lambda: at(DAY)
    login_as("supervisor").get("/sweeps/phone-export.csv")
    page = login_as("admin").get("/admin/downloads").get_data(as_text=True)
    assert "Phone notification list" in page and "held by the weather 1" in page


@pytest.fixture()
def city_on_the_day(committing_db, weather_rules, monkeypatch) -> Path:
    """The committed city with Frost Customer's case released, the command line's clock on its shut-off day: the
    rules folder."""
    with committing_db() as session:
        released(session, weather_rules)
        session.commit()
    monkeypatch.setattr("webapp.cli.context.now", lambda: at(DAY))
    return weather_rules


def phone_export(cli, rules: Path, *more: str):
    return cli("sweep", "phone-export", "--rules-dir", str(rules), "--workflows-dir", str(REPO / "workflows"), *more)


def test_the_command_line_list_and_forecast_agree_with_the_page(cli, city_on_the_day):
    rules = city_on_the_day
    blind = phone_export(cli, rules)
    assert blind.exit_code == 0, blind.stderr
    assert blind.stdout.splitlines() == [HEADER]
    assert blind.stderr.splitlines() == ["0 accounts scheduled for shut-off on or after 2026-07-06",
                                         f"1 shut-offs due 2026-07-06 held by the weather, left out: {NEEDED}"]

    recorded = cli("forecast", "record", "--low", "20", "--high", "41", "--as", "sam")
    assert recorded.exit_code == 0, recorded.output
    assert recorded.stdout == "Forecast for 2026-07-06 recorded by sam: low 20°F, high 41°F.\n"
    shown = cli("forecast", "show", "--rules-dir", str(rules), "--workflows-dir", str(REPO / "workflows"))
    assert shown.stdout.splitlines() == ["Forecast for 2026-07-06: low 20°F, high 41°F (recorded by sam).",
                                         f"Shut-offs held by the weather: {FROST}."]
    frost = phone_export(cli, rules)
    assert frost.stdout.splitlines() == [HEADER] and f"left out: {FROST}" in frost.stderr

    assert cli("forecast", "record", "--day", "2026-07-06", "--low", "55", "--high", "78", "--as", "sam").exit_code == 0
    mild = phone_export(cli, rules)
    assert [(r["name"], r["shutoff_on"]) for r in csv.DictReader(io.StringIO(mild.stdout))] == [
        ("Frost Customer", "2026-07-06")]
    assert mild.stderr.splitlines() == ["1 accounts scheduled for shut-off on or after 2026-07-06"]
    assert cli("forecast", "show", "--rules-dir", str(rules), "--workflows-dir", str(REPO / "workflows")).stdout \
        .splitlines() == ["Forecast for 2026-07-06: low 55°F, high 78°F (recorded by sam).",
                          "The weather holds no shut-off due that day."]

    # not shut off on Monday: on Tuesday it is held again until Tuesday's forecast is recorded
    tuesday = phone_export(cli, rules, "--as-of", "2026-07-07")
    assert tuesday.stdout.splitlines() == [HEADER]
    assert "1 shut-offs due 2026-07-07 held by the weather, left out: record today's forecast first" in tuesday.stderr


@pytest.mark.parametrize("args, said", [
    (["--low", "cold", "--high", "40", "--as", "sam"],
     "--low: Forecast low: 'cold' is not a whole number of degrees Fahrenheit; nothing was recorded"),
    (["--low", "20", "--high", "200", "--as", "sam"],
     "--high: Forecast high: 200°F is not from -100 to 150°F; nothing was recorded"),
    (["--low", "50", "--high", "40", "--as", "sam"],
     "--low: Forecast low: 50°F is above the forecast high (40°F); nothing was recorded"),
    (["--low", "20", "--high", "41", "--as", "nobody"],
     "--as: no active user 'nobody'; the forecast is recorded by a member of staff the city lets; nothing was "
     "recorded"),
    (["--low", "20", "--high", "41", "--as", "carla"],
     "--as: only supervisors and administrators may record the day's weather forecast here (carla is a clerk); the "
     "city settings say who may; nothing was recorded"),
])
def test_a_bad_forecast_or_someone_without_the_duty_is_refused_and_nothing_is_kept(cli, committing_db,
                                                                                   city_on_the_day, args, said):
    refused = cli("forecast", "record", "--day", "2026-07-06", *args)
    assert refused.exit_code == 2 and refused.stderr == f"Error: {said}\n"
    with committing_db() as session:
        assert session.scalars(select(DayForecast)).all() == []
        assert session.scalars(select(AuditEntry).where(AuditEntry.action == "forecast.record")).all() == []


def test_each_recording_from_the_command_line_is_audited_with_the_old_values(cli, committing_db, city_on_the_day):
    assert cli("forecast", "record", "--low", "20", "--high", "41", "--as", "sam").exit_code == 0
    assert cli("forecast", "record", "--low", " 25 ", "--high", "44", "--as", "sam").exit_code == 0
    with committing_db() as session:
        kept = session.get(DayForecast, DAY)
        assert (kept.low_f, kept.high_f, kept.recorded_by) == (25, 44, "sam")
        audits = session.scalars(select(AuditEntry).where(AuditEntry.action == "forecast.record")
                                 .order_by(AuditEntry.id)).all()
    assert [(a.actor, a.subject_id, a.detail["old"], a.detail["new"]) for a in audits] == [
        ("sam", "2026-07-06", None, {"low": 20, "high": 41}),
        ("sam", "2026-07-06", {"low": 20, "high": 41, "recorded_by": "sam"}, {"low": 25, "high": 44})]


def test_the_command_line_page_shows_what_the_commands_say(cli, city_on_the_day):
    """docs/command-line.md's forecast and phone-list outputs are the commands' own, word for word."""
    page = (REPO / "docs" / "command-line.md").read_text(encoding="utf-8")
    for args in (["--low", "cold", "--high", "40", "--as", "sam"], ["--low", "20", "--high", "41", "--as", "carla"]):
        refused = cli("forecast", "record", "--day", "2026-07-06", *args).stderr.strip()
        assert f"\n{refused}\n" in page, refused
    recorded = cli("forecast", "record", "--day", "2026-07-06", "--low", "20", "--high", "41", "--as", "sam")
    shown = cli("forecast", "show", "--day", "2026-07-06", "--rules-dir", str(city_on_the_day),
                "--workflows-dir", str(REPO / "workflows"))
    listed = phone_export(cli, city_on_the_day)
    for said in (recorded.stdout, shown.stdout, listed.stderr):
        assert f"\n{said}```" in page, said
