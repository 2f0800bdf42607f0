"""The sample city's calendar says its winter no-shut-off period once a year (`no_shutoff.every_year`): the same
shut-off days as the dated winters it replaced, on every day those covered, and every winter after them."""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from engine.rules.calendar import CityCalendar
from engine.rules.loader import load_document

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "rules" / "calendar" / "city-calendar.yaml"
DATED = Path(__file__).parent / "sample_dated" / "city-calendar.yaml"  # the sample with each winter's dates
FIRST, LAST = date(2025, 1, 1), date(2028, 1, 5)  # the first version's day and the last dated winter's end


def calendar(path: Path) -> CityCalendar:
    return CityCalendar(load_document(path.read_text(encoding="utf-8"), str(path)))


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def test_every_day_the_dated_winters_covered_is_barred_or_allowed_as_before_and_for_the_same_reasons():
    dated, yearly = calendar(DATED), calendar(SAMPLE)
    differ = [(day, dated.shutoff_bars(day), yearly.shutoff_bars(day)) for day in days(FIRST, LAST)
              if dated.shutoff_bars(day) != yearly.shutoff_bars(day)]
    assert differ == []
    winter = [day for day in days(FIRST, LAST)
              if f"{day.isoformat()} is in Winter holidays" in yearly.shutoff_bars(day)]
    assert len(winter) == 5 + 3 * 22 and winter[0] == FIRST and winter[-1] == LAST  # the comparison saw each winter


@pytest.mark.parametrize("year", [2028, 2031, 2040])
def test_the_winter_period_goes_on_after_the_last_dated_one(year):
    """December 15 to January 5 of every later winter: where the dated sample let shut-offs start again."""
    dated, yearly = calendar(DATED), calendar(SAMPLE)
    for day in days(date(year, 12, 15), date(year + 1, 1, 5)):
        assert f"{day.isoformat()} is in Winter holidays" in yearly.shutoff_bars(day)
    for day in (date(year, 12, 14), date(year + 1, 1, 6)):
        assert f"{day.isoformat()} is in Winter holidays" not in yearly.shutoff_bars(day)
    open_days = [day for day in days(date(year, 12, 15), date(year + 1, 1, 5)) if dated.is_shutoff_day(day)]
    assert open_days and not any(yearly.is_shutoff_day(day) for day in open_days)
