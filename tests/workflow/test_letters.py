"""The data a notice action fixes: the ordinance it cites, the recipient, the amounts and dates."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from engine.notices.catalog import NoticeDataError
from engine.rules.library import RuleLibrary
from engine.workflow.letters import notice_data
from tests.factories import create_account, create_customer

ON = date(2026, 6, 30)
FACTS = {"balance": Decimal("132.00"), "past_due_balance": Decimal("132.00")}
LIEN_FACTS = {**FACTS, "lien_water_charges": Decimal("0.00"), "lien_sewer_charges": Decimal("0.00")}


def test_a_door_hanger_cites_the_shutoff_rule_and_prints_the_dates(db, catalog):
    """Reference from shutoff-eligibility in force; pay by the day before shut-off; Spanish for a Spanish reader."""
    account = create_account(db, customer=create_customer(db, language="es", name="María José Ramírez"))
    language, data = notice_data(db, catalog.rules, "door-hanger", "utility_account", account.id, ON, FACTS,
                                 {"shutoff_on": "2026-07-06"}, [])
    assert language == "es"
    assert data["reference"] == ("Alder Creek Municipal Code 13.04.120; "
                                 "Health and Safety Code 116900-116926 (SB 998)")
    assert (data["amount_due"], data["shutoff_date"], data["due_date"]) == ("132.00", "2026-07-06", "2026-07-05")
    assert data["recipient"]["name"] == "María José Ramírez"
    assert data["account_number"] == account.number


def test_without_its_rule_a_notice_cites_a_rule_the_step_consulted(db, catalog):
    """A city without shutoff-eligibility: the calendar the step used is cited instead."""
    rules = RuleLibrary.from_documents([catalog.rules.get("city-calendar")])
    account = create_account(db)
    _, data = notice_data(db, rules, "door-hanger", "utility_account", account.id, ON, FACTS,
                          {"shutoff_on": "2026-07-06"}, [{"rule": "city-calendar", "version": "2026-01-01"}])
    assert data["reference"].startswith("Resolution 2025-83 (2026 holiday schedule)")


def test_a_notice_missing_its_data_names_the_key(db, catalog):
    """A lien intent without a pay-by date is refused, naming due_date."""
    account = create_account(db)
    with pytest.raises(NoticeDataError, match="lien-intent notice: the case has no 'due_date' to print"):
        notice_data(db, catalog.rules, "lien-intent", "lien", account.id, ON, LIEN_FACTS, {}, [])
