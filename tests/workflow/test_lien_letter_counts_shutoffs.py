"""A lien letter whose amount adds a line per shut-off: the measure counts the account's shut-offs from the states its
city tags service_off, which the step gives the letter (without them the streams are refused, never counted as none)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from engine.rules.library import RuleLibrary
from engine.rules.loader import load_document
from engine.workflow.lien_amount import lien_amount
from tests.factories import create_account

ON = date(2026, 6, 30)
SHUTOFFS = """id: shutoffs-counted
kind: measure
title: Shut-offs in the last year
subject: account
provides: shutoffs_counted
versions:
  - effective: 2025-01-01
    count:
      of: shutoffs
      within: {days: 365}
"""


def _city(catalog) -> RuleLibrary:
    """The sample city with a lien amount that adds $25.00 a shut-off."""
    docs = list(catalog.rules)
    amount = next(doc for doc in docs if doc.id == "lien-amount")
    text = amount.text.replace("  lien_sewer_charges: {type: money, min: 0}\n",
                               "  lien_sewer_charges: {type: money, min: 0}\n  shutoffs_counted: {type: integer, min: 0}\n")
    text += "      - name: Shut-off costs\n        per_unit: {fact: shutoffs_counted, rate: 25}\n"
    kept = [doc for doc in docs if doc.id != "lien-amount"]
    return RuleLibrary.from_documents([*kept, load_document(text, "lien-amount.yaml"),
                                       load_document(SHUTOFFS, "shutoffs-counted.yaml")], known=docs)


def test_the_lien_amount_counts_shutoffs_by_the_states_it_is_given(db, catalog):
    rules = _city(catalog)
    account = create_account(db)
    facts = {"lien_water_charges": Decimal("0"), "lien_sewer_charges": Decimal("0"), "shutoffs_counted": 0}
    with pytest.raises(ValueError, match="service_off"):
        lien_amount(db, rules, account.id, ON, facts)
    found = lien_amount(db, rules, account.id, ON, facts, {("delinquency", 1): ("disconnected",)})
    assert found["lien_amount"] == "0.00"
    assert [line["name"] for line in found["lien_lines"]][-1] == "Shut-off costs"


def test_the_notice_of_intent_passes_the_states_on(db, catalog):
    """notice_data gives the lien letter the states the step's city tags service_off."""
    from engine.workflow.letters import notice_data
    rules = _city(catalog)
    account = create_account(db)
    facts = {"balance": Decimal("0"), "past_due_balance": Decimal("0"), "lien_water_charges": Decimal("0"),
             "lien_sewer_charges": Decimal("0"), "shutoffs_counted": 0}
    _, data = notice_data(db, rules, "lien-intent", "lien", account.id, ON, facts, {"pay_by": "2026-07-30"}, [],
                          service_off={("delinquency", 1): ("disconnected",)})
    assert data["lien_lines"][-1]["name"] == "Shut-off costs"
