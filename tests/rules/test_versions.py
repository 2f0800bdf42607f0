"""Which version is in force: on a day, and over a billing period split for proration."""
from __future__ import annotations

from datetime import date

import pytest

from engine.rules.errors import NoVersionInForce
from engine.rules.loader import load_document
from engine.rules.versions import version_in_force, versions_over

WATER_RATES = """id: water-rates-residential
kind: schedule
title: Residential water service
inputs:
  consumption_ccf: {type: number, min: 0}
versions:
  - effective: 2025-07-01
    reference: Ordinance 4471 s.3
    lines: [{name: Water use, per_unit: {fact: consumption_ccf, rate: 2.08}}]
  - effective: 2026-01-01
    reference: Resolution 2025-41
    lines: [{name: Water use, per_unit: {fact: consumption_ccf, rate: 2.19}}]
  - effective: 2027-07-01
    retired: true
"""


@pytest.fixture
def water_rates():
    """A schedule with two versions and a retirement."""
    return load_document(WATER_RATES, "water.yaml")


@pytest.mark.parametrize("day, effective", [
    (date(2025, 7, 1), date(2025, 7, 1)),     # its first day
    (date(2025, 12, 31), date(2025, 7, 1)),   # the day before the next version
    (date(2026, 1, 1), date(2026, 1, 1)),
    (date(2027, 6, 30), date(2026, 1, 1)),    # the last day before retirement
])
def test_the_version_in_force_is_the_latest_effective_on_or_before_the_day(water_rates, day, effective):
    """On date D, the version with the greatest effective <= D."""
    assert version_in_force(water_rates, day).effective == effective


def test_before_the_first_version_nothing_is_in_force(water_rates):
    """The exact message of the format."""
    with pytest.raises(NoVersionInForce) as failure:
        version_in_force(water_rates, date(2024, 3, 1))
    assert str(failure.value) == "no version of water-rates-residential in force on 2024-03-01"


def test_from_the_retirement_day_nothing_is_in_force(water_rates):
    """A retired version means nothing is in force from that day."""
    with pytest.raises(NoVersionInForce) as failure:
        version_in_force(water_rates, date(2027, 7, 1))
    assert str(failure.value) == "no version of water-rates-residential in force on 2027-07-01"


def test_a_december_to_january_bill_splits_16_and_15_days(water_rates):
    """2025-12-16 to 2026-01-15: 16 days of the 2025 rates, 15 of the 2026 rates."""
    parts = versions_over(water_rates, date(2025, 12, 16), date(2026, 1, 15))
    assert [(v.effective, days, first, last) for v, days, first, last in parts] == [
        (date(2025, 7, 1), 16, date(2025, 12, 16), date(2025, 12, 31)),
        (date(2026, 1, 1), 15, date(2026, 1, 1), date(2026, 1, 15)),
    ]


def test_a_period_inside_one_version_is_one_part(water_rates):
    """February 2026 is 28 days of one version."""
    [(version, days, first, last)] = versions_over(water_rates, date(2026, 2, 1), date(2026, 2, 28))
    assert (version.reference, days, first, last) == ("Resolution 2025-41", 28, date(2026, 2, 1), date(2026, 2, 28))


def test_a_single_day_period_is_one_day(water_rates):
    """Both days included: a period of one day weighs one day."""
    assert [days for _, days, _, _ in versions_over(water_rates, date(2026, 1, 1), date(2026, 1, 1))] == [1]


def test_a_period_reaching_past_retirement_names_the_first_day_without_a_version(water_rates):
    """A day of the period with no version in force is an error for that day."""
    with pytest.raises(NoVersionInForce) as failure:
        versions_over(water_rates, date(2027, 6, 16), date(2027, 7, 15))
    assert str(failure.value) == "no version of water-rates-residential in force on 2027-07-01"


def test_a_period_starting_before_the_first_version_is_an_error(water_rates):
    """The first day of the period already has nothing in force."""
    with pytest.raises(NoVersionInForce, match="in force on 2025-06-16"):
        versions_over(water_rates, date(2025, 6, 16), date(2025, 7, 15))


def test_a_period_that_ends_before_it_starts_is_refused(water_rates):
    """FROM after TO is a mistake, not an empty period."""
    with pytest.raises(Exception, match="ends before it starts"):
        versions_over(water_rates, date(2026, 2, 1), date(2026, 1, 31))
