"""The one place that says whether the weather holds a shut-off: CityCalendar.weather_bars.

A calendar without `no_shutoff.forecast` never reads the weather; one with it holds a shut-off on a
day whose recorded forecast is that cold or that hot (in the rule's own words), and on a day with no
forecast recorded yet ("record today's forecast first": never a shut-off blind).
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from engine.rules.calendar import city_calendar
from engine.rules.library import RuleLibrary

CITIES = Path(__file__).parent / "cities"
REPO = Path(__file__).resolve().parents[2]
WEDNESDAY = date(2026, 7, 1)


@pytest.fixture(scope="module")
def weather():
    return city_calendar(RuleLibrary.from_folder(CITIES).get("shutoff-calendar"))


@pytest.fixture(scope="module")
def plain():
    return city_calendar(RuleLibrary.from_folder(REPO / "rules").get("city-calendar"))


def test_a_calendar_without_a_forecast_rule_never_reads_the_weather(plain):
    assert not plain.needs_forecast(WEDNESDAY)
    assert plain.weather_bars(WEDNESDAY, None) == []
    assert plain.weather_bars(WEDNESDAY, {"forecast_low": -40, "forecast_high": 130}) == []


@pytest.mark.parametrize("forecast", [None, {}, {"forecast_low": 55}, {"forecast_low": 55, "forecast_high": None}])
def test_no_forecast_recorded_holds_the_shutoff(weather, forecast):
    assert weather.needs_forecast(WEDNESDAY)
    assert weather.weather_bars(WEDNESDAY, forecast) == [
        "record today's forecast first: shutoff-calendar bars shut-offs by the weather forecast, and no forecast "
        "is recorded for 2026-07-01"]


@pytest.mark.parametrize("low, high, bars", [
    (55, 78, []),
    (33, 94, []),
    (32, 60, ["the forecast low for 2026-07-01 is 32°F (no shut-offs when it is at most 32°F)"]),
    (70, 95, ["the forecast high for 2026-07-01 is 95°F (no shut-offs when it is at least 95°F)"]),
    (-10, 120, ["the forecast low for 2026-07-01 is -10°F (no shut-offs when it is at most 32°F)",
                "the forecast high for 2026-07-01 is 120°F (no shut-offs when it is at least 95°F)"]),
])
def test_the_recorded_forecast_holds_in_the_rules_own_words(weather, low, high, bars):
    assert weather.weather_bars(WEDNESDAY, {"forecast_low": low, "forecast_high": high}) == bars
    assert weather.weather_bars(WEDNESDAY, {"forecast_low": low, "forecast_high": high}) == weather.forecast_bars(
        WEDNESDAY, low, high)  # the same words `ordinance rules eval` gives
