"""Facts checked against a document's inputs: types, limits, defaults, absent optional facts."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

from engine.rules.document import InputSpec, RuleDocument, Version
from engine.rules.errors import FactError
from engine.rules.facts import check_facts


def document(**inputs: InputSpec) -> RuleDocument:
    """A one-version document that declares these inputs."""
    return RuleDocument("test-doc", "schedule", "Test", (Version(date(2026, 1, 1), {"lines": []}),), inputs)


WATER = document(
    meter_size=InputSpec("meter_size", "text", values=('3/4"', '1"')),
    consumption_ccf=InputSpec("consumption_ccf", "number", min=Decimal(0)),
    winter_average_ccf=InputSpec("winter_average_ccf", "number", min=Decimal(0), default=Decimal(5), has_default=True),
    sewer=InputSpec("sewer", "boolean", default=True, has_default=True),
)
LIEN = document(
    past_due_balance=InputSpec("past_due_balance", "money"),
    days_past_due=InputSpec("days_past_due", "integer", min=Decimal(0), max=Decimal(3650)),
    appeal_pending=InputSpec("appeal_pending", "boolean", required=False),
    notice_sent_on=InputSpec("notice_sent_on", "date", required=False, min=date(2020, 1, 1)),
)


def test_a_three_quarter_inch_meter_with_defaults_filled_in():
    facts = check_facts(WATER, {"meter_size": '3/4"', "consumption_ccf": 12})
    assert facts == {"meter_size": '3/4"', "consumption_ccf": Decimal(12), "winter_average_ccf": Decimal(5), "sewer": True}


def test_a_five_eighths_meter_is_not_among_the_sizes():
    with pytest.raises(FactError, match=r"""meter_size: '5/8"' is not one of '3/4"', '1"'"""):
        check_facts(WATER, {"meter_size": '5/8"', "consumption_ccf": 12})


def test_money_as_a_digit_string_and_as_a_json_number():
    facts = check_facts(LIEN, {"past_due_balance": "52.03", "days_past_due": 91})
    assert facts["past_due_balance"] == Decimal("52.03") and str(facts["past_due_balance"]) == "52.03"
    assert str(check_facts(LIEN, {"past_due_balance": 250, "days_past_due": 91})["past_due_balance"]) == "250.00"
    assert check_facts(LIEN, {"past_due_balance": 0.1, "days_past_due": 9})["past_due_balance"] == Decimal("0.10")


def test_money_with_three_decimals_is_refused():
    with pytest.raises(FactError, match="past_due_balance: '10.005' has more than two decimals"):
        check_facts(LIEN, {"past_due_balance": "10.005", "days_past_due": 91})


def test_ninety_and_a_half_days_is_not_an_integer():
    with pytest.raises(FactError, match="days_past_due: 90.5 is not an integer"):
        check_facts(LIEN, {"past_due_balance": "1", "days_past_due": 90.5})
    assert check_facts(LIEN, {"past_due_balance": "1", "days_past_due": "90"})["days_past_due"] == 90


def test_out_of_range_values_name_the_input():
    with pytest.raises(FactError, match="consumption_ccf: -1 is below the minimum 0"):
        check_facts(WATER, {"meter_size": '1"', "consumption_ccf": -1})
    with pytest.raises(FactError, match="days_past_due: 4000 is above the maximum 3650"):
        check_facts(LIEN, {"past_due_balance": "1", "days_past_due": 4000})
    with pytest.raises(FactError, match="notice_sent_on: 2019-12-31 is below the minimum 2020-01-01"):
        check_facts(LIEN, {"past_due_balance": "1", "days_past_due": 4, "notice_sent_on": "2019-12-31"})


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("sewer", "yes", "sewer: 'yes' is not true or false"),
        ("consumption_ccf", "twelve", "consumption_ccf: 'twelve' is not a number"),
        ("consumption_ccf", True, "consumption_ccf: true is not a number"),
        ("meter_size", 1, "meter_size: 1 is not text"),
    ],
)
def test_a_value_of_the_wrong_type_names_the_input(name, value, message):
    facts = {"meter_size": '1"', "consumption_ccf": 3, name: value}
    with pytest.raises(FactError, match=message):
        check_facts(WATER, facts)


def test_a_missing_input_without_default_is_an_error():
    with pytest.raises(FactError, match="consumption_ccf: missing"):
        check_facts(WATER, {"meter_size": '1"'})
    with pytest.raises(FactError, match="consumption_ccf: missing"):
        check_facts(WATER, {"meter_size": '1"', "consumption_ccf": None})


def test_an_optional_input_may_be_absent_and_null_is_absent():
    facts = check_facts(LIEN, {"past_due_balance": "1", "days_past_due": 4, "appeal_pending": None})
    assert "appeal_pending" not in facts and "notice_sent_on" not in facts


def test_dates_are_iso_strings_or_dates():
    facts = check_facts(LIEN, {"past_due_balance": "1", "days_past_due": 4, "notice_sent_on": "2026-03-02"})
    assert facts["notice_sent_on"] == date(2026, 3, 2)
    with pytest.raises(FactError, match="notice_sent_on: '03/02/2026' is not a date"):
        check_facts(LIEN, {"past_due_balance": "1", "days_past_due": 4, "notice_sent_on": "03/02/2026"})


def test_facts_the_document_does_not_declare_are_ignored():
    facts = check_facts(WATER, {"meter_size": '1"', "consumption_ccf": 3, "account": "A-1", "days_past_due": "x"})
    assert set(facts) == {"meter_size", "consumption_ccf", "winter_average_ccf", "sewer"}


@settings(deadline=None)
@given(st.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
def test_any_amount_with_cents_is_kept_exactly_with_two_decimals(amount):
    checked = check_facts(LIEN, {"past_due_balance": str(amount), "days_past_due": 1})["past_due_balance"]
    assert checked == amount and checked.as_tuple().exponent == -2


def test_values_of_a_number_input_are_matched_as_text():
    doc = document(meter_inches=InputSpec("meter_inches", "integer", values=(Decimal(1), Decimal(2))))
    assert check_facts(doc, {"meter_inches": "2"}) == {"meter_inches": 2}
    with pytest.raises(FactError, match="meter_inches: 3 is not one of '1', '2'"):
        check_facts(doc, {"meter_inches": 3})
