"""Which renewal deadline governs a license is the deadlines' to say (`license_types:`), not Python's.

The sample city's one deadline, business-license-renewal, lists both its license types: 31
days' grace after December 31 (through Monday 2027-02-01). Here a city renews home occupation
permits on a deadline of their own, with 10 days' grace and one reminder 60 days before; its
general business licenses stay on the sample deadline.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from engine.rules.errors import DocumentErrors
from engine.rules.library import RuleLibrary
from engine.rules.loader import load_document
from engine.workflow.facts import FactContext, license_facts, license_type_name, renewal_deadline
from engine.workflow.letters import SUBJECT_LINES
from tests.factories import create_license

REPO = Path(__file__).resolve().parents[2]
HOME_RENEWAL = """\
id: home-occupation-renewal
kind: deadline
title: Home occupation permit renewal
license_types: [home_occupation]
inputs:
  issued_on: {type: date, required: false}
  expires_on: {type: date, required: false}
  license_fee: {type: money, min: 0}
versions:
  - effective: 2025-01-01
    calendar: city-calendar
    term: {every: year, date: 12-31}
    reminders:
      - {days_before: 60, notice: license-renewal-reminder}
    grace: {days: 10}
    late_penalty: {schedule: license-late-penalty}
    lapse: {days_after: 120, notice: license-lapsed}
"""


def city(home_renewal: str = HOME_RENEWAL) -> RuleLibrary:
    """The sample rules, with home occupation permits taken off the sample deadline onto their own."""
    docs = list(RuleLibrary.from_folder(REPO / "rules"))
    sample = next(doc for doc in docs if doc.id == "business-license-renewal")
    text = sample.text.replace("license_types: [general_business, home_occupation]",
                               "license_types: [general_business]")
    assert text != sample.text
    kept = [doc for doc in docs if doc.id != sample.id]
    return RuleLibrary.from_documents([*kept, load_document(text, "business-license-renewal.yaml"),
                                       load_document(home_renewal, "home-occupation-renewal.yaml")])


def test_each_license_type_renews_on_the_deadline_that_lists_it(db):
    """On 2027-01-15 the general business license is in its grace period, the permit is already late."""
    rules = city()
    assert renewal_deadline(rules, "general_business") == "business-license-renewal"
    assert renewal_deadline(rules, "home_occupation") == "home-occupation-renewal"
    shop = create_license(db, license_type="general_business")
    home = create_license(db, license_type="home_occupation")
    on = FactContext(db, rules, date(2027, 1, 15))
    shop_facts, home_facts = license_facts(on, shop.id, {}), license_facts(on, home.id, {})
    assert (shop_facts["renewal_status"], shop_facts["penalty_free_until"]) == ("grace", date(2027, 2, 1))
    assert (home_facts["renewal_status"], home_facts["penalty_free_until"]) == ("late", date(2027, 1, 11))
    assert home_facts["days_late"] == 4 and home_facts["months_late"] == 1
    # the reminder of 60 days before (2026-11-01) is the permit's; the sample's 45 days before is not yet due
    autumn = FactContext(db, rules, date(2026, 11, 2))
    assert license_facts(autumn, home.id, {})["reminder_due"] == "license-renewal-reminder"
    assert "reminder_due" not in license_facts(autumn, shop.id, {})


def test_the_sample_city_renews_both_its_license_types_on_one_deadline(db):
    rules = RuleLibrary.from_folder(REPO / "rules")
    home = create_license(db, license_type="home_occupation")
    facts = license_facts(FactContext(db, rules, date(2027, 1, 15)), home.id, {})
    assert (facts["renewal_status"], facts["penalty_free_until"]) == ("grace", date(2027, 2, 1))


def test_a_license_type_no_deadline_lists_has_no_renewal_facts(db):
    """Taken off both deadlines, a home occupation permit has its record's facts but no renewal status."""
    rules = city(HOME_RENEWAL.replace("license_types: [home_occupation]\n", ""))
    assert renewal_deadline(rules, "home_occupation") is None
    home = create_license(db, license_type="home_occupation")
    facts = license_facts(FactContext(db, rules, date(2027, 1, 15)), home.id, {})
    assert facts["license_type"] == "home_occupation" and "renewal_status" not in facts


def test_a_license_type_that_cannot_be_one_is_refused_with_its_line():
    with pytest.raises(DocumentErrors) as refused:
        load_document(HOME_RENEWAL.replace("[home_occupation]", "[Home Occupation]"), "home.yaml")
    assert [(e.line, e.path) for e in refused.value.errors] == [(4, "license_types[0]")]


def test_a_license_is_printed_with_the_name_its_deadline_gives(db):
    """The sample city's names come from business-license-renewal's `license_names`; a city that renames a type
    on its own deadline prints its name; a type no deadline names is printed in words."""
    sample = RuleLibrary.from_folder(REPO / "rules")
    shop = create_license(db, license_type="general_business")
    home = create_license(db, license_type="home_occupation")
    assert SUBJECT_LINES["license"](db, sample, shop.id)[1]["license_type"] == "General business license"
    assert SUBJECT_LINES["license"](db, sample, home.id)[1]["license_type"] == "Home occupation permit"
    renamed = city(HOME_RENEWAL.replace("license_types: [home_occupation]\n", "license_types: [home_occupation]\n"
                                        "license_names: {home_occupation: Home-based business permit}\n"))
    assert SUBJECT_LINES["license"](db, renamed, home.id)[1]["license_type"] == "Home-based business permit"
    assert license_type_name(renamed, "general_business") == "General business license"
    assert license_type_name(sample, "food_truck") == "Food truck"


def test_a_license_name_that_cannot_be_one_is_refused_with_its_line():
    named = HOME_RENEWAL.replace("license_types: [home_occupation]\n", "license_types: [home_occupation]\n"
                                 "license_names: {Home: Home permit, home_occupation: ''}\n")
    with pytest.raises(DocumentErrors) as refused:
        load_document(named, "home.yaml")
    assert {e.line for e in refused.value.errors} == {5}, refused.value.errors
