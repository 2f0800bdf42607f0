"""`ordinance rules lint`: warnings about valid documents that probably do not say what was meant."""
from __future__ import annotations

from pathlib import Path

from engine.rules.library import read_documents
from engine.rules.lint import lint_document, lint_documents
from engine.rules.loader import load_document

EXAMPLES = Path(__file__).parent / "examples"


def warnings(text: str) -> list[str]:
    """The warnings of one document, as `line: path: message`."""
    return [str(w).removeprefix("doc.yaml:") for w in lint_document(load_document(text, "doc.yaml"))]


def test_the_examples_of_the_format_have_no_warnings():
    """The five examples read every input they declare, in force for their holidays' year."""
    documents, errors = read_documents([EXAMPLES])
    assert errors == [] and lint_documents(documents) == []


SHUTOFF = """id: shutoff-eligibility
kind: criteria
title: Which accounts may be shut off
inputs:
  days_past_due: {type: integer}
  medical_certificate: {type: boolean, default: false}
  account_class: {type: text}
versions:
  - effective: 2026-01-01
    hit: HIT
    rules:
      - name: Medical certificate on file
        when: {medical_certificate: true}
        then: {shutoff: held}
      - name: Otherwise
        then: {shutoff: eligible}
      - name: Long past due
        when: {fact: days_past_due, gte: 60}
        then: {shutoff: eligible}
      - name: Medical again
        when: {medical_certificate: true}
        then: {shutoff: held}
"""


def test_rules_after_an_unconditional_rule_never_match_under_hit_first():
    """"Otherwise" always wins first: the two rules after it can never match; account_class is unread."""
    assert warnings(SHUTOFF.replace("HIT", "first")) == [
        "7: inputs.account_class: account_class is declared but nothing reads it",
        '17: versions[0].rules[2]: "Long past due" can never match: rules[1] "Otherwise" has no condition '
        "and always matches first",
        '20: versions[0].rules[3]: "Medical again" can never match: rules[0] "Medical certificate on file" '
        "matches whenever it does, and comes first",
    ]


def test_under_hit_unique_the_warning_says_a_match_is_an_error():
    """Under unique, the later rule matching at all is an evaluation error."""
    found = warnings(SHUTOFF.replace("HIT", "unique"))
    assert found[1].endswith("always matches first; under hit: unique every match of this rule is an error")


def test_under_hit_all_every_rule_can_match():
    """hit: all collects every match; nothing is unreachable."""
    assert warnings(SHUTOFF.replace("HIT", "all")) == [
        "7: inputs.account_class: account_class is declared but nothing reads it"]


def test_holidays_outside_the_years_of_their_version():
    """A 2027 holiday in the 2026 version, and a 2026 one in the open-ended 2027 version."""
    text = """id: city-calendar
kind: calendar
title: Office days
versions:
  - effective: 2026-01-01
    holidays: [2026-01-01, 2027-01-01]
  - effective: 2027-01-01
    holidays:
      2027-01-01: New Year's Day
      2026-12-25: Christmas Day
"""
    assert warnings(text) == [
        "6: versions[0].holidays[1]: holiday 2027-01-01 is outside the years this version is in force (2026)",
        "10: versions[1].holidays.2026-12-25: holiday 2026-12-25 is outside the years this version is in force "
        "(2027 on)",
    ]


def test_table_keys_not_among_the_meter_sizes():
    """A 5/8 inch price the input does not allow, and a 1 inch meter with no price."""
    text = (EXAMPLES / "water-rates-residential.yaml").read_text().replace(
        "values: {'3/4\"': 24.42, '1\"': 35.19}", "values: {'3/4\"': 24.42, '5/8\"': 21.10}")
    assert warnings(text) == [
        '14: versions[0].lines[0].table.values.5/8": key "5/8"" is not among the values of meter_size (3/4", 1")',
        '14: versions[0].lines[0].table.values: no entry for "1"", a value of meter_size, and no default',
    ]


def test_a_deadline_reads_what_its_penalty_schedule_reads():
    """license_fee is read by the penalty schedule the renewal links to, so it is not unread."""
    documents, _ = read_documents([EXAMPLES])
    by_id = {doc.id: doc for doc in documents}
    renewal = by_id["business-license-renewal"]
    assert lint_document(renewal, by_id) == []
    assert [w.path for w in lint_document(renewal)] == ["inputs.license_fee"]


PAYMENT_PLANS = """id: payment-plan-terms
kind: criteria
title: Payment plan terms
inputs:
  past_due_balance: {type: money}
  account_class: {type: text, values: [residential, commercial]}
  prior_default: {type: boolean, default: false}
versions:
  - effective: 2026-01-01
    rules:
      - name: Residential over 500 dollars, no prior default
        when:
          all:
            - {account_class: residential}
            - {fact: past_due_balance, gte: 500}
            - not: {prior_default: true}
        then: {months: 12}
      - name: Over 500 dollars
        when: {fact: past_due_balance, gt: 500}
        then: {months: 6}
      - name: 100 dollars or more
        when: {fact: past_due_balance, gte: 100}
        then: {months: 3}
      - name: Under 100 dollars
        when: {fact: past_due_balance, lt: 100, gte: 0}
        then: {months: 1}
"""


def test_payment_plans_from_the_narrowest_rule_to_the_widest_have_no_warnings():
    """Each rule can still match: the narrower ranges come first."""
    assert warnings(PAYMENT_PLANS) == []


def test_a_wider_range_first_hides_every_narrower_rule_after_it():
    """With "$100 or more" first, over $500 (and the residential rule, whatever its `not`) never match."""
    rules = PAYMENT_PLANS.split("      - name: ")
    reordered = "      - name: ".join([rules[0], rules[3], rules[1], rules[2], rules[4]])
    assert warnings(reordered) == [
        '14: versions[0].rules[1]: "Residential over 500 dollars, no prior default" can never match: '
        'rules[0] "100 dollars or more" matches whenever it does, and comes first',
        '21: versions[0].rules[2]: "Over 500 dollars" can never match: '
        'rules[0] "100 dollars or more" matches whenever it does, and comes first',
    ]


def test_a_table_key_of_a_money_fact_without_its_cents_never_matches():
    """A money fact's value is matched with its cents: `5000` and `none` never match; `10000.00` does."""
    text = """id: bond-deposit
kind: schedule
title: Cleanup deposit
inputs:
  bond_posted: {type: money, min: 0}
versions:
  - effective: 2026-01-01
    lines:
      - name: Cleanup deposit
        table:
          fact: bond_posted
          values: {5000: 250.00, 10000.00: 150.00, 7500.5: 200.00, none: 500.00}
          default: 400.00
"""
    assert warnings(text) == [
        '12: versions[0].lines[0].table.values.5000: key "5000" never matches: bond_posted is money, matched with '
        'its cents (write 5000.00)',
        '12: versions[0].lines[0].table.values.7500.5: key "7500.5" never matches: bond_posted is money, matched with '
        'its cents (write 7500.50)',
        '12: versions[0].lines[0].table.values.none: key "none" never matches: bond_posted is money, matched with '
        'its cents']
