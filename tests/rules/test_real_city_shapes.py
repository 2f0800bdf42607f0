"""Rule documents in the shapes real cities publish (tests/rules/cities/), each evaluated to the cent.

Each document says in a comment which city's published policy (and year) it follows, from memory:
the figures are approximate, the shapes are the point. Every amount below is worked out by hand in
its test's docstring. Shapes that needed an extension of the format: a seasonal line (`months:`), sewer
use at most another fact (`max_units: {fact: ..}`), "per $1,000 or fraction thereof" (`per:`, `count:`),
tiers per dwelling unit (`scaled_by:`), no shut-offs by the weather forecast (`no_shutoff.forecast`) and a
term to the end of the anniversary month (`term: {months: 12, ends: month_end}`); the others (blocks by
meter size, a minimum bill, a surcharge for a date range, a percent discount, a charge per dwelling unit,
gross-receipts brackets with a minimum and a maximum, 1.5% a month with a floor, Fridays, weekends and
holidays without shut-offs) were already expressible.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from engine.rules.errors import DocumentErrors, EvaluationError
from engine.rules.kinds import kind_named
from engine.rules.library import RuleLibrary
from engine.rules.loader import load_document
from engine.rules.pricing import evaluate_batch

CITIES = Path(__file__).parent / "cities"


@pytest.fixture(scope="module")
def cities():
    """Every document of the folder, read and cross-checked as `ordinance rules validate` does."""
    return RuleLibrary.from_folder(CITIES)


def total(cities, document_id: str, facts: dict, on: str, period: tuple[str, str] | None = None) -> Decimal:
    """A schedule's total on a day (or over a period)."""
    return cities.evaluate(document_id, facts, date.fromisoformat(on), period=period).total


def test_every_city_document_loads(cities):
    """Eight documents, one per shape, and the services they bill."""
    assert len(cities) == 9


@pytest.mark.parametrize("facts, expected", [
    ({"meter_size": '3/4"', "consumption_hcf": 20}, "191.62"),
    ({"meter_size": '8"', "consumption_hcf": 40}, "1589.86"),
    ({"meter_size": '5/8"', "consumption_hcf": 0}, "25.00"),
])
def test_five_block_water_rate_with_a_fixed_charge_by_meter_size_and_a_minimum_bill(cities, facts, expected):
    """San Diego's shape. 3/4", 20 HCF: 31.50 + 4 x 5.82 (23.28) + 8 x 7.44 (59.52) + 6 x 9.10 (54.60)
    + 2 x 11.36 (22.72) = 191.62. 8", 40 HCF: 1192.30 + 23.28 + 59.52 + 54.60 + 18 x 11.36 (204.48)
    + 4 x 13.92 (55.68) = 1589.86. 5/8" with no use: 24.10, raised to the minimum bill 25.00."""
    assert total(cities, "water-rates-tiered", facts, "2024-05-01") == Decimal(expected)


@pytest.mark.parametrize("on, period, expected", [
    ("2024-03-15", None, "74.00"),
    ("2024-08-15", None, "157.85"),
    ("2024-12-01", None, "105.00"),
    ("2024-09-20", ("2024-08-17", "2024-09-15"), "157.85"),
    ("2024-10-20", ("2024-09-16", "2024-10-15"), "119.10"),
    ("2024-11-20", ("2024-10-17", "2024-11-15"), "112.05"),
])
def test_summer_and_winter_rates_and_a_drought_surcharge_for_a_date_range(cities, on, period, expected):
    """Austin's and Denver's shape. March, 20 CCF (winter, before the drought): 12.00 + 20 x 3.10 = 74.00.
    August, 30 CCF (summer, drought): 12.00 + 10 x 3.10 + 15 x 4.65 + 5 x 6.20 (131.75) + 30 x 0.47 (14.10)
    = 157.85. December (drought over): 12.00 + 30 x 3.10 = 105.00. Over a period, the read's month decides
    the season: read 2024-09-15, summer, 157.85; read 2024-10-15, winter with the surcharge, 12.00 + 93.00
    + 14.10 = 119.10; 2024-10-17 to 2024-11-15 across the drought's end, 15 days each: 119.10 / 2 = 59.55
    plus 105.00 / 2 = 52.50, 112.05."""
    assert total(cities, "water-rates-seasonal", {"consumption_ccf": 30 if on != "2024-03-15" else 20},
                 on, period) == Decimal(expected)


def test_a_seasonal_line_says_its_months_in_its_detail_and_words(cities):
    """Only the season's line is on the bill; the version in words names the months."""
    result = cities.evaluate("water-rates-seasonal", {"consumption_ccf": 30}, date(2024, 8, 15))
    assert [line["name"] for line in result.lines] == ["Service charge", "Water use, summer (June to September)",
                                                       "Drought surcharge"]
    doc = cities.get("water-rates-seasonal")
    words = [(t.label, t.value) for t in kind_named("schedule").terms(doc, doc.versions[0])
             if t.group == "Water use, summer (June to September)"]
    assert ("only in", "June, July, August, September") in words


@pytest.mark.parametrize("facts, expected", [
    ({"consumption_ccf": 14, "winter_average_ccf": "8.5"}, "111.60"),
    ({"consumption_ccf": 6, "winter_average_ccf": "8.5"}, "81.67"),
    ({"consumption_ccf": 30, "winter_average_ccf": 22, "dwelling_units": 4, "low_income": True}, "257.33"),
])
def test_sewer_on_use_capped_at_the_winter_average_per_dwelling_unit_with_a_low_income_discount(cities, facts,
                                                                                                  expected):
    """Portland's, Seattle's and Philadelphia's shapes. 14 CCF, winter average 8.5: 9.85 + 8.5 x 11.97 (101.745,
    101.75) = 111.60; 6 CCF, under the average: 9.85 + 6 x 11.97 (71.82) = 81.67; a fourplex in the low-income
    program, 30 CCF, average 22: 4 x 9.85 (39.40) + 22 x 11.97 (263.34) = 302.74, less 15% (45.411, 45.41)
    = 257.33."""
    assert total(cities, "sewer-winter-average", facts, "2024-05-01") == Decimal(expected)


def test_sewer_use_over_the_winter_average_says_the_use_and_the_cap_it_was_charged_at(cities):
    """The bill says why 8.5 CCF was charged of 14: the use, and the winter average it stops at; a use under the
    average is charged as it is and says nothing more."""
    def detail(facts: dict) -> str:
        [line] = [line for line in cities.evaluate("sewer-winter-average", facts, date(2024, 5, 1)).lines
                  if line["name"] == "Sewer use (at most the winter average)"]
        return line["detail"]

    assert detail({"consumption_ccf": 14, "winter_average_ccf": "8.5"}) == \
        "8.5 CCF x 11.97 (consumption ccf 14 CCF, at most winter average ccf 8.5 CCF)"
    assert detail({"consumption_ccf": 6, "winter_average_ccf": "8.5"}) == "6 CCF x 11.97"


@pytest.mark.parametrize("facts, expected, detail", [
    ({"consumption_ccf": 30, "dwelling_units": 4}, "322.40",
     "12 CCF x 9.10 + 18 CCF x 10.40; block limits x 4 (dwelling units)"),
    ({"consumption_ccf": 10, "dwelling_units": 1}, "110.20",
     "3 CCF x 9.10 + 5 CCF x 10.40 + 2 CCF x 12.20; block limits x 1 (dwelling units)"),
])
def test_multifamily_tiers_per_dwelling_unit(cities, facts, expected, detail):
    """San Francisco's shape. A fourplex using 30 CCF: 4 x 6.50 = 26.00; its tiers end at 12 and 32 CCF, so
    12 x 9.10 (109.20) + 18 x 10.40 (187.20): 322.40. A house using 10 CCF: 6.50 + 3 x 9.10 (27.30) + 5 x 10.40
    (52.00) + 2 x 12.20 (24.40) = 110.20."""
    result = cities.evaluate("water-rates-multifamily", facts, date(2024, 5, 1))
    assert (result.total, result.lines[1]["detail"]) == (Decimal(expected), detail)


@pytest.mark.parametrize("receipts, expected", [("1250000.00", "1275.00"), ("20000.00", "75.00"),
                                                ("60000000.00", "25000.00")])
def test_business_tax_by_gross_receipts_brackets_with_a_minimum_and_a_maximum(cities, receipts, expected):
    """Oakland's shape. $1,250,000: 450,000 x 0.0012 (540.00) + 750,000 x 0.0009 (675.00) + 60.00 = 1275.00;
    $20,000: 60.00, raised to the minimum 75.00; $60,000,000: 540 + 4,050 + 33,000 + 60 = 37,650.00, lowered
    to the maximum 25,000.00."""
    assert total(cities, "business-license-gross-receipts", {"gross_receipts": receipts},
                 "2024-05-01") == Decimal(expected)


@pytest.mark.parametrize("receipts, expected", [("1250000.00", "1500.00"), ("1250000.01", "1501.20"),
                                                ("50999.99", "75.00"), ("100000.00", "120.00")])
def test_business_tax_per_1000_or_fraction_thereof(cities, receipts, expected):
    """Oakland's "per $1,000 or fraction thereof", from 2025. $1,250,000: 1,200,000 over $50,000 is 1,200
    thousands, x 1.20 = 1440.00, + 60.00 = 1500.00; a cent more starts a 1,201st thousand: 1441.20 + 60.00
    = 1501.20; $50,999.99: 949.99 over, one thousand started, 1.20 + 60.00 = 61.20, raised to 75.00;
    $100,000.00: 50 thousands, 60.00 + 60.00 = 120.00."""
    assert total(cities, "business-license-gross-receipts", {"gross_receipts": receipts},
                 "2025-05-01") == Decimal(expected)


def test_units_counted_per_1000_say_so_in_the_detail(cities):
    """The bill shows the thousands counted, the rate per $1,000.00 and the amount they were counted from, over the
    first $50,000.00 (gross receipts are money)."""
    result = cities.evaluate("business-license-gross-receipts", {"gross_receipts": "1250000.01"}, date(2025, 5, 1))
    assert result.lines[0]["detail"] == \
        "1201 x 1.20 per $1,000.00 ($1,200,000.01 over the first $50,000.00, a part of a unit counts whole)"


@pytest.mark.parametrize("balance, months, expected", [("412.37", 3, "18.56"), ("40.00", 1, "1.00"),
                                                       ("412.37", 0, "0.00")])
def test_late_penalty_of_one_and_a_half_percent_a_month_with_a_floor(cities, balance, months, expected):
    """Philadelphia's shape. 1.5% of 412.37 = 6.18555, x 3 months = 18.55665, 18.56; 1.5% of 40.00 = 0.60,
    raised to the floor 1.00; not yet a month late: nothing."""
    assert total(cities, "utility-late-penalty", {"past_due_balance": balance, "months_late": months},
                 "2024-05-01") == Decimal(expected)


@pytest.mark.parametrize("day, allowed, next_allowed", [
    ("2026-07-01", True, None),          # a Wednesday
    ("2026-07-02", False, "2026-07-06"),  # the office day before Independence Day (observed)
    ("2026-07-03", False, "2026-07-06"),  # the holiday, a Friday
    ("2026-07-04", False, "2026-07-06"),  # a Saturday
    ("2026-05-22", False, "2026-05-26"),  # a Friday, and the day before Memorial Day
])
def test_no_shutoffs_on_fridays_weekends_holidays_or_the_day_before_a_holiday(cities, day, allowed, next_allowed):
    """Sacramento's shape: the shut-off day check and the next day allowed (on a mild day)."""
    result = cities.evaluate("shutoff-calendar", {"date": day, "action": "shutoff", **MILD},
                             date(2026, 5, 1)).to_json()
    assert (result["allowed"], result["next_allowed"]) == (allowed, next_allowed)


MILD = {"forecast_low": 55, "forecast_high": 78}


@pytest.mark.parametrize("low, high, reasons", [
    (55, 78, []),
    (33, 60, []),
    (32, 45, ["the forecast low for 2026-07-01 is 32°F (no shut-offs when it is at most 32°F)"]),
    ("-4.5", 20, ["the forecast low for 2026-07-01 is -4.5°F (no shut-offs when it is at most 32°F)"]),
    (80, "94.9", []),
    (82, 95, ["the forecast high for 2026-07-01 is 95°F (no shut-offs when it is at least 95°F)"]),
])
def test_no_shutoffs_when_the_forecast_is_freezing_or_hot(cities, low, high, reasons):
    """Arizona's shape: at most 32°F or at least 95°F forecast on the day bars the shut-off, with the reason."""
    result = cities.evaluate("shutoff-calendar", {"date": "2026-07-01", "forecast_low": low, "forecast_high": high},
                             date(2026, 5, 1)).to_json()
    assert (result["allowed"], result["reasons"]) == (not reasons, reasons)


@pytest.mark.parametrize("facts, message", [
    ({"date": "2026-07-01"}, "forecast_low: missing: shutoff-calendar bars shut-offs by the weather forecast, so "
                             "whether 2026-07-01 is a shut-off day needs its forecast (forecast_low and forecast_high, "
                             "degrees Fahrenheit)"),
    ({"date": "2026-07-01", "forecast_low": "nan", "forecast_high": 80},
     "forecast_low: 'nan' is not a temperature from -100 to 150 (°F)"),
    ({"date": "2026-07-01", "forecast_low": 40, "forecast_high": "1e400"},
     "forecast_high: '1e400' is not a temperature from -100 to 150 (°F)"),
    ({"date": "2026-07-01", "forecast_low": True, "forecast_high": 80},
     "forecast_low: 'True' is not a temperature from -100 to 150 (°F)"),
])
def test_a_shutoff_day_asked_without_a_sound_forecast_is_refused(cities, facts, message):
    """The calendar never answers "allowed" for a day whose forecast it needs and was not given."""
    with pytest.raises(EvaluationError) as failure:
        cities.evaluate("shutoff-calendar", facts, date(2026, 5, 1))
    assert str(failure.value) == message


def test_the_office_day_check_needs_no_forecast(cities):
    """Whether the office is open does not depend on the weather."""
    result = cities.evaluate("shutoff-calendar", {"date": "2026-07-01", "action": "office"}, date(2026, 5, 1))
    assert result.to_json()["allowed"] is True


@pytest.mark.parametrize("issued, on, expires, status", [
    ("2026-03-10", "2027-02-01", "2027-03-31", "active"),
    ("2026-03-10", "2027-03-05", "2027-03-31", "renewal_due"),
    ("2026-03-10", "2027-04-01", "2027-03-31", "late"),
    ("2024-01-31", "2024-06-01", "2025-01-31", "active"),
    ("2023-02-28", "2023-06-01", "2024-02-29", "active"),
])
def test_renewal_by_the_last_day_of_the_anniversary_month(cities, issued, on, expires, status):
    """Los Angeles's shape: issued March 10, due March 31 a year later; February's last day in a leap year."""
    result = cities.evaluate("license-anniversary-renewal", {"issued_on": issued},
                             date.fromisoformat(on)).to_json()
    assert (result["expires_on"], result["status"]) == (expires, status)


@pytest.mark.parametrize("document_id, facts_list, on, period", [
    ("water-rates-seasonal", [{"consumption_ccf": n} for n in (0, 9, 20, 30, 44)], "2024-08-15", None),
    ("water-rates-seasonal", [{"consumption_ccf": n} for n in (0, 9, 20, 30, 44)], "2024-11-20",
     ("2024-10-17", "2024-11-15")),
    ("sewer-winter-average", [{"consumption_ccf": n, "winter_average_ccf": w, "dwelling_units": u}
                              for n, w, u in ((0, 5, 1), (6, "8.5", 1), (14, "8.5", 2), (30, 22, 4))], "2024-05-01",
     None),
    ("business-license-gross-receipts", [{"gross_receipts": g} for g in ("0.00", "50000.01", "1250000.01")],
     "2025-05-01", None),
    ("water-rates-multifamily", [{"consumption_ccf": n, "dwelling_units": u} for n, u in ((0, 1), (10, 1), (30, 4),
                                                                                          (500, 40))],
     "2024-05-01", None),
])
def test_the_billing_runs_batch_pricing_gives_the_same_totals(cities, document_id, facts_list, on, period):
    """A billing run prices many accounts at once (engine.rules.pricing): the new shapes give what one by one does."""
    doc, day = cities.get(document_id), date.fromisoformat(on)
    span = tuple(date.fromisoformat(d) for d in period) if period else None
    batch = evaluate_batch(doc, facts_list, day, period=span)
    assert batch.totals == [cities.evaluate(document_id, facts, day, period=span).total for facts in facts_list]


@pytest.mark.parametrize("name, edit, message", [
    ("water-rates-seasonal", ("months: [6, 7, 8, 9]", "months: [6, 7, 13]"),
     "20: versions[0].lines[2].months[2]: must be at most 12, not 13"),
    ("water-rates-seasonal", ("months: [6, 7, 8, 9]", "months: [6, 6]"),
     "20: versions[0].lines[2].months: lists the same value twice"),
    ("sewer-winter-average", ("max_units: {fact: winter_average_ccf}", "max_units: {fact: winter_average}"),
     '25: versions[0].lines[1].per_unit.max_units.fact: max_units names "winter_average", which is not a declared '
     'input (declared: consumption_ccf, winter_average_ccf, dwelling_units, low_income)'),
    ("sewer-winter-average", ("max_units: {fact: winter_average_ccf}", "max_units: {fact: low_income}"),
     "25: versions[0].lines[1].per_unit.max_units.fact: max_units needs a number; low_income is boolean"),
    ("business-license-gross-receipts", ("per: 1000", "per: 0"),
     "33: versions[1].lines[0].per_unit.per: must be above 0, not 0"),
    ("business-license-gross-receipts", ("count: started", "count: rounded"),
     '33: versions[1].lines[0].per_unit.count: expected started (a part of a unit counts whole) or completed, '
     'found the text "rounded"'),
    ("water-rates-multifamily", ("scaled_by: dwelling_units", "scaled_by: units"),
     '22: versions[0].lines[1].tiers.scaled_by: scaled_by names "units", which is not a declared input (declared: '
     'consumption_ccf, dwelling_units)'),
    ("shutoff-calendar", ("forecast: {low_at_most: 32, high_at_least: 95}", "forecast: {}"),
     "20: versions[0].no_shutoff.forecast: must not be empty"),
    ("shutoff-calendar", ("low_at_most: 32", "low_at_most: 1e400"),
     "20: versions[0].no_shutoff.forecast.low_at_most: must be at most 150, not 1E+400"),
    ("license-anniversary-renewal", ("ends: month_end", "ends: year_end"),
     '14: versions[0].term.ends: expected month_end (the last day of the month the term ends in), found the text '
     '"year_end"'),
    ("license-anniversary-renewal", ("term: {months: 12, ends: month_end}", "term: {every: year, date: 12-31, "
                                     "ends: month_end}"),
     '14: versions[0].term.ends: unknown key "ends" (allowed here: every, date)'),
])
def test_the_new_keys_refuse_nonsense_with_line_and_path(name, edit, message):
    """A month 13 or twice, a cap on an undeclared or a yes/no fact, a unit of nothing, a count that is not one, an
    empty forecast rule, 1e400 degrees, an unknown end: each refused with its line and path."""
    text = (CITIES / f"{name}.yaml").read_text().replace(*edit, 1)
    with pytest.raises(DocumentErrors) as failure:
        load_document(text, f"{name}.yaml")
    assert [str(e) for e in failure.value.errors] == [f"{name}.yaml:{message}"]
