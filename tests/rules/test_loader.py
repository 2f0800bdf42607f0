"""Reading rule documents: the RULES-FORMAT.md examples load, and what they load into."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.rules.errors import DocumentErrors
from engine.rules.loader import load_document

EXAMPLES = Path(__file__).parent / "examples"
EXAMPLE_IDS = ["water-rates-residential", "lien-eligibility", "city-calendar",
               "business-license-renewal", "license-late-penalty"]


def example(name: str):
    """One example document, read by the real loader."""
    path = EXAMPLES / f"{name}.yaml"
    return load_document(path.read_text(), str(path))


def errors_of(text: str) -> list[str]:
    """The messages a document text is refused with (`line: path: message`)."""
    with pytest.raises(DocumentErrors) as failure:
        load_document(text, "doc.yaml")
    return [str(e).removeprefix("doc.yaml:") for e in failure.value.errors]


@pytest.mark.parametrize("name", EXAMPLE_IDS)
def test_every_example_of_the_format_loads(name):
    """The five complete documents of RULES-FORMAT.md are valid, with the id of their file."""
    doc = example(name)
    assert doc.id == name and doc.versions[0].effective == date(2026, 1, 1)


def test_water_rates_load_with_exact_numbers_and_keys_as_written():
    """The 3/4 inch meter's base charge is Decimal 24.42 under the key 3/4"."""
    doc = example("water-rates-residential")
    version = doc.versions[0]
    assert doc.kind == "schedule" and doc.title == "Residential water and sewer"
    assert version.reference == "Resolution 2025-41" and "reference" not in version.body
    base, water_use = version.body["lines"][0], version.body["lines"][1]
    assert base["table"]["values"] == {'3/4"': Decimal("24.42"), '1"': Decimal("35.19")}
    assert water_use["tiers"]["blocks"]['3/4"'][0] == {"upto": Decimal("7"), "rate": Decimal("2.08")}
    assert version.line == 10 and version.index == 0
    assert doc.line_of("versions[0].lines[1].tiers.blocks") == 19


def test_inputs_become_input_specs_with_types_limits_and_defaults():
    """Meter sizes are the text values; the winter average defaults to 5 CCF; sewer to true."""
    inputs = example("water-rates-residential").inputs
    assert inputs["meter_size"].values == ('3/4"', '1"') and inputs["meter_size"].type == "text"
    assert inputs["consumption_ccf"].min == Decimal("0") and not inputs["consumption_ccf"].has_default
    assert inputs["winter_average_ccf"].default == Decimal("5") and inputs["winter_average_ccf"].has_default
    assert inputs["sewer"].default is True and inputs["sewer"].required


def test_optional_inputs_of_the_license_renewal():
    """issued_on and expires_on may be absent; the license fee may not."""
    inputs = example("business-license-renewal").inputs
    assert not inputs["issued_on"].required and not inputs["expires_on"].required
    assert inputs["license_fee"].required and inputs["license_fee"].type == "money"


def test_calendar_holidays_keep_their_dates_as_text_keys():
    """Juneteenth is 2026-06-19 in the city calendar; the timeline keeps its order."""
    body = example("city-calendar").versions[0].body
    assert body["holidays"]["2026-06-19"] == "Juneteenth"
    assert list(body["timeline"]) == ["due", "late_fee", "shutoff_notice", "door_hanger", "shutoff"]
    assert body["no_shutoff"]["periods"][0]["from"] == date(2026, 12, 15)


def test_retired_version_is_lifted_out_of_the_body():
    """A retired version carries only its date; the loader marks it retired."""
    text = (EXAMPLES / "license-late-penalty.yaml").read_text() + "  - effective: 2027-07-01\n    retired: true\n"
    doc = load_document(text, "penalty.yaml")
    assert doc.versions[1].retired and doc.versions[1].body == {} and not doc.versions[0].retired


def test_every_error_of_a_document_is_reported_at_once():
    """Three semantic mistakes, three messages in line order."""
    text = """id: tap-fees
kind: schedule
title: Tap fees
inputs:
  meter_size: {type: text, values: ['3/4"', '1"']}
  units: {type: integer, default: 1.5}
versions:
  - effective: 2026-01-01
    lines:
      - name: Tap
        when: {meter: '1"'}
        amount: 1200
      - name: Tap
        per_unit: {fact: units, rate: 75}
"""
    assert errors_of(text) == [
        "6: inputs.units.default: expected a whole number for units, found the number 1.5",
        '11: versions[0].lines[0].when.meter: a condition names "meter", which is not a declared input '
        "(declared: meter_size, units)",
        '13: versions[0].lines[1].name: line name "Tap" is already used by lines[0]',
    ]


def test_conditions_compare_dates_with_dates_and_money_with_numbers():
    """A date input compares with a date; money with a number; in-lists must fit the type."""
    text = """id: renewal-check
kind: criteria
title: Renewal check
inputs:
  expires_on: {type: date}
  license_fee: {type: money}
  category: {type: text, values: [retail, food]}
versions:
  - effective: 2026-01-01
    rules:
      - name: Expired
        when:
          all:
            - {fact: expires_on, lt: 2026-01-01}
            - {fact: license_fee, gte: 100.005}
            - {fact: category, in: [retail, restaurant]}
            - {fact: expires_on, gte: 30}
        then: {renew: true}
"""
    assert errors_of(text) == [
        '16: versions[0].rules[0].when.all[2].in: "restaurant" is not among the values of category (retail, food)',
        "17: versions[0].rules[0].when.all[3].gte: expires_on is date: expected a date, found the number 30",
    ]


def test_tiers_by_meter_size_check_each_block_list():
    """With `by`, each meter size's blocks must ascend and end open."""
    text = (EXAMPLES / "water-rates-residential.yaml").read_text().replace(
        "[{upto: 11, rate: 2.08}, {upto: 19, rate: 2.61}, {rate: 3.64}]",
        "[{upto: 11, rate: 2.08}, {upto: 19, rate: 2.61}, {upto: 30, rate: 3.64}]")
    assert errors_of(text) == [
        "21: versions[0].lines[1].tiers.blocks.1\"[2].upto: the last block must be open: remove its upto"]


def test_deadline_without_expiry_input_or_term_is_refused():
    """A deadline needs an expiry: an expires_on input, or issued_on and a term."""
    text = (EXAMPLES / "business-license-renewal.yaml").read_text()
    no_term = text.replace("  expires_on: {type: date, required: false}     # given, or computed from issued_on by `term`\n", "")
    no_term = no_term.replace("    term: {every: year, date: 12-31}   # the first Dec 31 on or after issued_on; or {months: 12}\n", "")
    assert errors_of(no_term) == [
        "8: versions[0]: without an expires_on input, a term is needed to compute the expiry from issued_on"]


def test_not_the_words_of_conditions_as_input_names():
    """An input named `all` would read as a combinator."""
    text = "id: x\nkind: criteria\ntitle: X\ninputs:\n  all: {type: boolean}\nversions:\n" \
           "  - effective: 2026-01-01\n    rules: [{name: Any, then: {ok: true}}]\n"
    assert errors_of(text) == ['5: inputs.all: "all" is a word of conditions and cannot name an input']


CHARACTERS = list(":-[]{}&*!|>'\"#@`,? \t\n0123456789.~") + ["yes", "  ", "---\n", "<<: ", "!!str "]


@settings(max_examples=150, deadline=None)
@given(name=st.sampled_from(EXAMPLE_IDS),
       edits=st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from(CHARACTERS), st.booleans()),
                      min_size=1, max_size=4))
def test_a_mangled_document_is_either_valid_or_refused_with_document_errors(name, edits):
    """Typing slips anywhere in a document never crash the loader: it loads, or names the problem."""
    text = (EXAMPLES / f"{name}.yaml").read_text()
    for where, typed, replace in edits:
        at = where % len(text)
        text = text[:at] + typed + text[at + replace:]
    try:
        load_document(text, "doc.yaml")
    except DocumentErrors as errors:
        assert errors.errors and all(e.source == "doc.yaml" and e.line >= 1 for e in errors.errors)
