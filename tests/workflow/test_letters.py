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
    """Reference from shutoff-eligibility in force (the rule the sample city's notice: action cites); pay by the day
    the workflow set (the sample city's: the day before shut-off); Spanish for a Spanish reader."""
    account = create_account(db, customer=create_customer(db, language="es", name="María José Ramírez"))
    language, data = notice_data(db, catalog.rules, "door-hanger", "utility_account", account.id, ON, FACTS,
                                 {"shutoff_on": "2026-07-06", "shutoff_pay_by": "2026-07-05"}, [],
                                 cites="shutoff-eligibility")
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


def test_the_rule_a_notice_cites_is_the_workflows_to_say(db, catalog):
    """The sample city's door hanger cites shutoff-eligibility because its workflow says so (`cites:`); a city citing
    its reconnection fee schedule prints that schedule's reference; citing nothing, the rule the step consulted."""
    from engine.rules.versions import version_in_force
    from engine.workflow.model import notice_of
    hanger = next(a.value for t in catalog.workflows.get("delinquency").transitions for a in t.actions
                  if a.kind == "notice" and notice_of(a.value)[0] == "door-hanger")
    assert notice_of(hanger) == ("door-hanger", "shutoff-eligibility")
    account = create_account(db)
    args = (db, catalog.rules, "door-hanger", "utility_account", account.id, ON, FACTS, {"shutoff_on": "2026-07-06"})
    other = notice_data(*args, [], cites="reconnection-fee")[1]["reference"]
    assert other == version_in_force(catalog.rules.get("reconnection-fee"), ON).reference and "13.04.130" in other
    consulted = notice_data(*args, [{"rule": "late-fee", "version": "2024-07-01"}])[1]["reference"]
    assert consulted == version_in_force(catalog.rules.get("late-fee"), ON).reference
    assert notice_data(*args, [])[1]["reference"] == "Final Shut-Off Notice"  # nothing cited or consulted: the title


def test_a_reminder_prints_the_pay_by_day_the_workflow_set_and_no_day_of_its_own(db, catalog):
    """How long a past-due reminder gives is the workflow's (it sets shutoff_notice_on); without it the letter is
    refused by name rather than printing a number of days the code chose."""
    account = create_account(db)
    args = (db, catalog.rules, "past-due-reminder", "utility_account", account.id, ON, FACTS)
    assert notice_data(*args, {"shutoff_notice_on": "2026-07-21"}, [], cites="late-fee")[1]["due_date"] == "2026-07-21"
    with pytest.raises(NoticeDataError, match="past-due-reminder notice: the case has no 'shutoff_notice_on' to print"):
        notice_data(*args, {}, [])


def test_the_fee_a_letter_prints_is_the_one_its_notice_action_names(db, catalog):
    """A city whose late charge is its own schedule, `penalty-for-late-payment`, names it (`fee:`): the reminder prints
    that fee; naming nothing, it prints the fee posted under the rule it cites; a fee of another schedule is not
    printed as the late fee. The license letters of the sample city name license-late-penalty so."""
    from engine.workflow.model import notice_fee
    account = create_account(db)
    fields = {"shutoff_notice_on": "2026-07-10", "fees": {"penalty-for-late-payment": "12.50", "other": "3.00"}}
    args = (db, catalog.rules, "past-due-reminder", "utility_account", account.id, ON, FACTS, fields, [])
    assert notice_data(*args, fee="penalty-for-late-payment")[1]["late_fee"] == "12.50"
    assert notice_data(*args, cites="penalty-for-late-payment")[1]["late_fee"] == "12.50"
    assert "late_fee" not in notice_data(*args, cites="late-fee")[1]
    lapsed = [a.value for t in catalog.workflows.get("licensing").transitions for a in t.actions
              if a.kind == "notice"]
    assert lapsed and {notice_fee(value) for value in lapsed} == {"license-late-penalty"}


def test_the_pay_by_day_of_a_shutoff_notice_is_the_workflows_to_set(db, catalog):
    """The shut-off notice prints the pay-by day the workflow's `set:` gave (`shutoff_pay_by`), however far before
    the shut-off; a workflow that sets none asks for payment by the shut-off day itself. The sample workflow sets it
    to the day before, at each step that sets the shut-off day."""
    account = create_account(db)

    def printed(fields: dict) -> tuple[str, str]:
        data = notice_data(db, catalog.rules, "shutoff-notice", "utility_account", account.id, ON, FACTS, fields,
                           [], cites="shutoff-eligibility")[1]
        return data["shutoff_date"], data["due_date"]

    assert printed({"shutoff_on": "2026-07-20", "shutoff_pay_by": "2026-07-15"}) == ("2026-07-20", "2026-07-15")
    assert printed({"shutoff_on": "2026-07-20"}) == ("2026-07-20", "2026-07-20")
    sample = catalog.workflows.get("delinquency")
    setting = [t for t in sample.transitions for a in t.actions
               if a.kind == "set" and isinstance(a.value, dict) and "shutoff_on" in a.value]
    assert setting and all(a.value["shutoff_pay_by"] == {"from": "shutoff_on", "days": -1}
                           for t in setting for a in t.actions
                           if a.kind == "set" and isinstance(a.value, dict) and "shutoff_on" in a.value)


def test_a_letter_is_in_the_customer_s_language_while_the_city_offers_it_and_in_english_after(db, catalog, tmp_path):
    """A Vietnamese reader's door hanger (a Vietnamese set added to the templates: docs/languages.md) names its
    services in every language the city offers; once the city stops offering Vietnamese, the letter is in English."""
    from engine import city
    from engine.notices.languages import discover
    from tests.factories import NOW
    from tests.notices.vietnamese import with_vietnamese
    from tests.workflow.conftest import charge
    printable = discover(with_vietnamese(tmp_path / "notices"))
    city.update_city(db, actor="admin1", now=NOW, languages=["en", "vi"], printable=printable)
    account = create_account(db, customer=create_customer(db, language="vi", name="Lan Nguyen"))
    charge(db, account.id, "52.03", on=date(2026, 5, 1), due_on=date(2026, 5, 21))
    args = (db, catalog.rules, "door-hanger", "utility_account", account.id, ON, FACTS,
            {"shutoff_on": "2026-07-06", "shutoff_pay_by": "2026-07-05"}, [])
    language, data = notice_data(*args, cites="shutoff-eligibility")
    assert language == "vi"
    assert data["past_due_by_service"] == [{"service": "water", "name_en": "Water", "name_vi": "Water",
                                            "amount": "52.03"}]  # no Vietnamese name in city-services: English
    city.update_city(db, actor="admin1", now=NOW, languages=["en", "es"], printable=printable)
    language, data = notice_data(*args, cites="shutoff-eligibility")
    assert language == "en"
    assert data["past_due_by_service"] == [{"service": "water", "name_en": "Water", "name_es": "Agua",
                                            "amount": "52.03"}]
