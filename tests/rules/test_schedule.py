"""kind: schedule — the city's rates and fees, to the cent, with how each line was reached."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

from eval_support import example, load_text, receipts_tax
from engine.rules.errors import EvaluationError, FactError, NoVersionInForce
from engine.rules.schedule import evaluate

FEB_1 = date(2026, 2, 1)
WATER = example("water-rates-residential")
PENALTY = example("license-late-penalty")


def bill(consumption, meter='3/4"', **facts):
    """The water bill on 2026-02-01 for this consumption and meter."""
    return evaluate(WATER, {"meter_size": meter, "consumption_ccf": consumption, **facts}, FEB_1)


def amounts(result):
    """Line name -> amount as text."""
    return {line["name"]: str(line["amount"]) for line in result.lines}


def test_a_12_ccf_bill_on_a_three_quarter_inch_meter_is_89_01():
    result = bill(12)
    assert result.to_json() == {
        "total": "89.01",
        "lines": [
            {"name": "Water base charge", "amount": "24.42", "detail": 'meter size 3/4": 24.42'},
            {"name": "Water use", "amount": "27.61", "detail": "7 CCF x 2.08 + 5 CCF x 2.61"},
            {"name": "Sewer base charge", "amount": "16.59", "detail": "fixed amount 16.59"},
            {"name": "Sewer use (winter average)", "amount": "16.15", "detail": "5 CCF x 3.23"},
            {"name": "Franchise fee", "amount": "4.24", "detail": "5% of subtotal 84.77"},
        ],
        "rule": "water-rates-residential",
        "version": "2026-01-01",
        "reference": "Resolution 2025-41",
        "as_of": "2026-02-01",
    }
    assert result.total == Decimal("89.01")


def test_without_sewer_the_12_ccf_water_charges_are_52_03_and_the_sewer_lines_are_left_out():
    result = bill(12, sewer=False)
    assert amounts(result) == {"Water base charge": "24.42", "Water use": "27.61", "Franchise fee": "2.60"}
    assert str(result.total) == "54.63"  # 52.03 + 5% (2.6015)


def test_a_12_ccf_bill_on_a_one_inch_meter_uses_the_one_inch_blocks():
    result = bill(12, meter='1"')
    assert amounts(result)["Water base charge"] == "35.19"
    assert result.lines[1]["detail"] == "11 CCF x 2.08 + 1 CCF x 2.61"
    assert str(result.total) == "98.09"  # 35.19 + 25.49 + 16.59 + 16.15 = 93.42, + 4.67


def test_exactly_7_ccf_falls_in_the_first_block_and_20_ccf_reaches_the_third():
    assert bill(7).lines[1]["detail"] == "7 CCF x 2.08" and amounts(bill(7))["Water use"] == "14.56"
    assert bill(20).lines[1]["detail"] == "7 CCF x 2.08 + 5 CCF x 2.61 + 8 CCF x 3.64"
    assert amounts(bill(20))["Water use"] == "56.73"
    assert amounts(bill(0))["Water use"] == "0.00"


def test_a_winter_average_given_replaces_the_default():
    assert bill(12, winter_average_ccf="6.5").lines[3] == {
        "name": "Sewer use (winter average)", "amount": Decimal("21.00"), "detail": "6.5 CCF x 3.23"}  # 20.995


def test_a_meter_size_not_in_the_schedule_is_a_fact_error():
    with pytest.raises(FactError, match="""meter_size: '5/8"' is not one of"""):
        bill(12, meter='5/8"')


def test_before_the_first_version_nothing_is_in_force():
    with pytest.raises(NoVersionInForce, match="no version of water-rates-residential in force on 2025-12-31"):
        evaluate(WATER, {"meter_size": '1"', "consumption_ccf": 1}, date(2025, 12, 31))


@pytest.mark.parametrize("months, penalty", [(0, "0.00"), (1, "25.00"), (2, "50.00"), (5, "125.00"), (9, "125.00")])
def test_a_250_dollar_license_pays_10_percent_a_month_late_for_at_most_5_months(months, penalty):
    result = evaluate(PENALTY, {"license_fee": "250.00", "months_late": months}, FEB_1)
    assert str(result.total) == penalty


FEES = """
id: test-fees
kind: schedule
title: Fees exercising every basis
inputs:
  meter_size: {type: text}
  consumption_ccf: {type: number, min: 0}
  employees: {type: integer, min: 0}
  deposit: {type: money}
  months_late: {type: integer, min: 0}
versions:
  - effective: 2026-01-01
    reference: Test 1
    rounding: half_even
    minimum: 10.00
    maximum: 2000
    lines:
      - name: Meter charge
        table: {fact: meter_size, values: {'3/4"': 24.42, '1"': 35.19}, default: 99.00}
      - name: Irrigation over 5 CCF, at most 30
        per_unit: {fact: consumption_ccf, rate: 1.50, over: 5, max_units: 30}
      - name: Bulk water
        tiers:
          fact: consumption_ccf
          mode: all_units
          blocks: [{upto: 10, rate: 1.00}, {upto: 20, rate: 0.90}, {rate: 0.80}]
      - name: Business license band
        tiers:
          fact: employees
          mode: all_units
          blocks: [{upto: 24, amount: 213.93}, {upto: 49, amount: 313.93}, {amount: 413.93}]
      - name: Deposit interest
        percent: {of: {fact: deposit}, rate: 5}
      - name: Meter surcharge
        percent: {of: {line: Meter charge}, rate: 10}
        multiply_by: {fact: months_late, max: 3}
        min: 1.00
        max: 5.00
"""


def fees(**changes):
    """The test fee schedule on 2026-02-01."""
    facts = {"meter_size": '3/4"', "consumption_ccf": 12, "employees": 30, "deposit": "84.50", "months_late": 1}
    facts.update(changes)
    return evaluate(load_text(FEES), facts, FEB_1)


def test_every_basis_with_its_detail():
    result = fees()
    assert [(l["name"], str(l["amount"]), l["detail"]) for l in result.lines] == [
        ("Meter charge", "24.42", 'meter size 3/4": 24.42'),
        ("Irrigation over 5 CCF, at most 30", "10.50", "7 CCF x 1.50 (over the first 5 CCF)"),
        ("Bulk water", "10.80", "12 CCF x 0.90 (up to 20)"),
        ("Business license band", "313.93", "employees 30 (up to 49): 313.93"),
        ("Deposit interest", "4.22", "5% of deposit $84.50"),  # 4.225, half_even
        ("Meter surcharge", "2.44", "10% of Meter charge 24.42 x 1 (months late)"),
    ]
    assert str(result.total) == "366.31"


def test_a_table_key_not_listed_takes_the_default():
    assert fees(meter_size='5/8"').lines[0]["amount"] == Decimal("99.00")


def test_per_unit_over_and_max_units():
    assert fees(consumption_ccf=3).lines[1]["amount"] == Decimal("0.00")
    assert fees(consumption_ccf=100).lines[1]["detail"] == \
        "25 CCF x 1.50 (consumption ccf 100 CCF, at most 30 CCF; over the first 5 CCF)"


def test_all_units_at_the_rate_of_the_block_reached_a_value_on_a_limit_falls_in_that_block():
    assert fees(consumption_ccf=10).lines[2]["detail"] == "10 CCF x 1.00 (up to 10)"
    assert fees(consumption_ccf=25).lines[2]["amount"] == Decimal("20.00")
    assert fees(employees=24).lines[3]["amount"] == Decimal("213.93")
    assert fees(employees=50).lines[3]["detail"] == "employees 50 (over the last limit): 413.93"


def test_multiply_by_stops_at_its_max_and_the_line_is_clamped_after():
    assert fees(months_late=2).lines[5]["amount"] == Decimal("4.88")
    assert fees(months_late=4).lines[5]["detail"].startswith("10% of Meter charge 24.42 x 3 (months late 4, at most 3)")
    assert fees(months_late=3).lines[5]["amount"] == Decimal("5.00")  # 7.326 lowered to the maximum
    assert fees(months_late=0).lines[5]["amount"] == Decimal("1.00")  # raised to the minimum


def test_the_version_minimum_and_maximum_apply_to_the_sum():
    big = fees(employees=10, deposit="100000.00")
    assert str(big.total) == "2000.00" and big.to_json()["adjusted"] == "lowered to the maximum 2000.00"


RECEIPTS_FEES = """
id: receipts-fees
kind: schedule
title: Fees on money facts
inputs:
  gross_receipts: {type: money, min: 0}
  bond_posted: {type: money, required: false}
  employees: {type: integer, min: 0}
versions:
  - effective: 2026-01-01
    reference: Test 2
    lines:
      - name: Receipts surcharge, a cent a dollar, counted to $200,000
        amount: 0.01
        multiply_by: {fact: gross_receipts, max: 200000}
      - name: Cleanup deposit by bond
        table: {fact: bond_posted, values: {5000.00: 250.00, 10000.00: 150.00}, default: 400.00}
      - name: Receipts band
        tiers:
          fact: gross_receipts
          mode: all_units
          blocks: [{upto: 100000, amount: 75.00}, {upto: 500000, amount: 180.00}, {amount: 420.00}]
      - name: Receipts band, by the rate
        tiers:
          fact: gross_receipts
          mode: all_units
          blocks: [{upto: 100000.005, rate: 0.001}, {rate: 0.0005}]
      - name: Per employee
        amount: 2.00
        multiply_by: {fact: employees, max: 10}
"""


def receipts_fees(**facts):
    """The fees on money facts on 2026-02-01: $12,400.00 of receipts, a $5,000.00 bond, 3 employees unless given."""
    return evaluate(load_text(RECEIPTS_FEES),
                    {"gross_receipts": "12400.00", "bond_posted": "5000.00", "employees": 3, **facts}, FEB_1)


def test_a_line_multiplied_by_a_money_fact_says_the_fact_as_money():
    assert receipts_fees().lines[0]["detail"] == "fixed amount 0.01 x $12,400.00 (gross receipts)"
    capped = receipts_fees(gross_receipts="250000.00").lines[0]
    assert (capped["detail"], str(capped["amount"])) == (
        "fixed amount 0.01 x $200,000.00 (gross receipts $250,000.00, at most $200,000.00)", "2000.00")


def test_a_line_multiplied_by_a_count_says_it_as_written():
    assert receipts_fees(employees=12).lines[4]["detail"] == "fixed amount 2.00 x 10 (employees 12, at most 10)"


def test_a_table_on_a_money_fact_says_its_key_as_money():
    assert receipts_fees().lines[1]["detail"] == "bond posted $5,000.00: 250.00"
    assert receipts_fees(bond_posted="7500").lines[1]["detail"] == "bond posted $7,500.00: not listed, default 400.00"


def test_a_table_on_a_money_fact_given_none_says_absent():
    """An optional money fact left out: "absent" in words, never as money; the table's default applies."""
    facts = {"gross_receipts": "12400.00", "employees": 3}
    assert evaluate(load_text(RECEIPTS_FEES), facts, FEB_1).lines[1]["detail"] == \
        "bond posted absent: not listed, default 400.00"


def test_a_band_on_a_money_fact_says_its_limit_as_money_and_a_limit_finer_than_a_cent_as_written():
    result = receipts_fees(gross_receipts="250000.00")
    assert result.lines[2]["detail"] == "gross receipts $250,000.00 (up to $500,000.00): 180.00"
    assert receipts_fees(gross_receipts="100000.00").lines[3]["detail"] == \
        "$100,000.00 x 0.001 (up to 100000.005)"
    assert receipts_fees(gross_receipts="600000.00").lines[2]["detail"] == \
        "gross receipts $600,000.00 (over the last limit): 420.00"


def receipts_taxed(receipts: str, rooms: int = 12):
    """The tax per $1,000 of gross receipts (and per 5 rooms) on 2026-02-01."""
    return evaluate(receipts_tax(), {"gross_receipts": receipts, "rooms": rooms}, FEB_1)


def test_units_counted_per_an_amount_of_a_money_fact_say_the_amount_and_what_is_not_charged_as_money():
    """$1,250,000.01 less the first $50,000.00 is $1,200,000.01: 1,201 thousands started (a count, as written)."""
    line = receipts_taxed("1250000.01").lines[0]
    assert (line["detail"], str(line["amount"])) == (
        "1201 x 1.20 per $1,000.00 ($1,200,000.01 over the first $50,000.00, a part of a unit counts whole)",
        "1441.20")


def test_units_counted_per_an_amount_of_a_money_fact_capped_count_from_the_cap():
    """max_units caps the receipts themselves: $3,000,000.00 counts as $2,000,000.00, 1,950 thousands over $50,000."""
    line = receipts_taxed("3000000.00").lines[0]
    assert (line["detail"], str(line["amount"])) == (
        "1950 x 1.20 per $1,000.00 ($1,950,000.00 over the first $50,000.00, a part of a unit counts whole; "
        "gross receipts $3,000,000.00, at most $2,000,000.00)", "2340.00")


def test_units_counted_per_a_number_of_a_count_say_it_as_written():
    assert receipts_taxed("0.00", rooms=12).lines[1]["detail"] == \
        "2 x 2.00 per 5 (10 over the first 2, a part of a unit counts whole)"


HALF_EVEN_FRANCHISE = """
id: franchise
kind: schedule
title: Franchise fee only
inputs:
  subtotal_base: {type: money}
versions:
  - effective: 2026-01-01
    ROUNDING
    lines:
      - name: Base
        percent: {of: {fact: subtotal_base}, rate: 100}
      - name: Franchise fee
        percent: {of: subtotal, rate: 5}
"""


@pytest.mark.parametrize("rounding, fee", [("", "4.23"), ("rounding: half_up", "4.23"), ("rounding: half_even", "4.22")])
def test_4_225_rounds_half_up_to_4_23_and_half_even_to_4_22(rounding, fee):
    doc = load_text(HALF_EVEN_FRANCHISE.replace("ROUNDING", rounding or "reference: none"))
    assert str(evaluate(doc, {"subtotal_base": "84.50"}, FEB_1).lines[1]["amount"]) == fee


TWO_VERSIONS = """
id: service-fee
kind: schedule
title: Monthly service fee
inputs:
  units: {type: integer, min: 0}
versions:
  - effective: 2025-07-01
    reference: Ordinance 4471
    lines:
      - name: Service fee
        per_unit: {fact: units, rate: 40.00}
  - effective: 2026-01-01
    reference: Ordinance 4502
    lines:
      - name: Service fee
        per_unit: {fact: units, rate: 50.00}
"""


def test_a_period_across_new_year_is_prorated_16_31_and_15_31():
    doc = load_text(TWO_VERSIONS)
    result = evaluate(doc, {"units": 1}, date(2026, 1, 20), period=(date(2025, 12, 16), date(2026, 1, 15)))
    # 40.00 x 16/31 = 20.645.. -> 20.65; 50.00 x 15/31 = 24.193.. -> 24.19
    assert result.to_json()["parts"] == [
        {"version": "2025-07-01", "days": 16, "total": "20.65"},
        {"version": "2026-01-01", "days": 15, "total": "24.19"},
    ]
    assert str(result.total) == "44.84"
    assert result.version == date(2026, 1, 1) and result.reference == "Ordinance 4502"
    assert result.lines == [{"name": "Service fee", "amount": Decimal("50.00"), "detail": "1 units x 50.00"}]


def test_a_period_with_a_day_before_the_first_version_is_an_error():
    with pytest.raises(NoVersionInForce):
        evaluate(load_text(TWO_VERSIONS), {"units": 1}, FEB_1, period=(date(2025, 6, 30), date(2025, 7, 30)))


def test_a_period_that_ends_before_it_starts_is_an_error():
    with pytest.raises(EvaluationError, match="ends before it starts"):
        evaluate(WATER, {"meter_size": '1"', "consumption_ccf": 1}, FEB_1, period=(date(2026, 2, 2), date(2026, 2, 1)))


consumption = st.decimals(min_value=0, max_value=500, places=2, allow_nan=False, allow_infinity=False)
meters = st.sampled_from(['3/4"', '1"'])


@settings(deadline=None)
@given(consumption, meters, st.booleans())
def test_every_money_result_has_two_decimals(ccf, meter, sewer):
    result = bill(ccf, meter, sewer=sewer)
    assert all(Decimal(l["amount"]).as_tuple().exponent == -2 for l in result.lines)
    assert result.total.as_tuple().exponent == -2 and result.total == sum(l["amount"] for l in result.lines)


@settings(deadline=None)
@given(consumption, consumption, meters)
def test_more_water_never_costs_less(a, b, meter):
    low, high = sorted((a, b))
    assert bill(low, meter).total <= bill(high, meter).total


@settings(max_examples=50, deadline=None)
@given(consumption, meters, st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 1)), st.integers(0, 30))
def test_a_period_inside_one_version_is_the_plain_bill(ccf, meter, first, length):
    period = (first, date.fromordinal(first.toordinal() + length))
    prorated = evaluate(WATER, {"meter_size": meter, "consumption_ccf": ccf}, FEB_1, period=period)
    assert prorated.total == bill(ccf, meter).total and len(prorated.parts) == 1
