"""The documented fact set of each subject type: every fact derived is documented, and of its type."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from engine.workflow import services
from engine.workflow.facts import SUBJECT_FACTS, plan_payments, subject_facts
from engine.workflow.runtime import case_facts
from tests.factories import create_account, create_customer, create_license
from tests.workflow.conftest import REPO, at, charge, pay

ON = date(2026, 6, 1)
TYPES = {"money": Decimal, "integer": int, "boolean": bool, "text": str, "date": date, "number": Decimal,
         "list": list}


def check_types(subject: str, facts: dict) -> None:
    """Each fact is documented for the subject (or a case field) and holds a value of its type."""
    documented = SUBJECT_FACTS[subject]
    for name, value in facts.items():
        if name in documented:
            assert isinstance(value, TYPES[documented[name].type]), (name, value)


def test_an_account_case_has_its_documented_facts(db, catalog, staff):
    """Balance, past due, days past due, cycle, meter, low income, owner, returned payments, parcel."""
    customer = create_customer(db, low_income=True)
    account = create_account(db, customer=customer, cycle="C", meter_size='1"')
    charge(db, account.id, "90.00", on=date(2026, 4, 15), due_on=date(2026, 5, 6))
    charge(db, account.id, "60.00", on=date(2026, 5, 15), due_on=date(2026, 6, 5))
    pay(db, account.id, "20.00", on=date(2026, 5, 20))
    case = services.open_case(db, catalog, "delinquency", account.id, actor="sweep:delinquency", on=ON,
                              now=at(ON), fields={"period": "2026-04"})
    workflow = catalog.workflows.get("delinquency")
    facts = case_facts(db, catalog.rules, workflow, account.id, case.fields, ON)
    check_types("utility_account", facts)
    assert {k: facts[k] for k in ("balance", "past_due_balance", "days_past_due", "cycle", "meter_size",
                                  "low_income", "assistance_programs", "owner_is_customer", "cash_only",
                                  "returned_payments_12m",
                                  "account_status", "period", "appeal_pending", "plan_installments_missed")} == {
        "balance": Decimal("130.00"), "past_due_balance": Decimal("70.00"), "days_past_due": 26, "cycle": "C",
        "meter_size": '1"', "low_income": True, "assistance_programs": ["cap"],
        "owner_is_customer": True, "cash_only": False,
        "returned_payments_12m": 0, "account_status": "active", "period": "2026-04", "appeal_pending": False,
        "plan_installments_missed": 0}
    assert set(facts) <= set(subject_facts("utility_account", catalog.rules)) | set(workflow.field_types)
    assert {"returned_payments_12m", "late_payments_12m", "shutoffs_12m"} <= set(facts) - set(SUBJECT_FACTS["utility_account"])


def test_the_case_page_lists_a_measure_with_its_documents_type_and_title(db, catalog, staff):
    """A fact no Python names, provided by a published measure, is listed with its type and where it comes from."""
    account = create_account(db)
    case = services.open_case(db, catalog, "delinquency", account.id, actor="carla", on=ON, now=at(ON))
    facts = {f["name"]: f for f in services.show_case(db, catalog, case.id, on=ON)["facts"]}
    assert facts["returned_payments_12m"] == {
        "name": "returned_payments_12m", "value": 0, "type": "integer",
        "meaning": "Payments returned in the last 12 months (returned-payments-12m)"}


def test_show_case_lists_the_facts_with_their_meaning(db, catalog, staff):
    """`cases show` prints each fact with its type and what it means."""
    lic = create_license(db, status="applied", issued_on=None, expires_on=None, fee_cents=0)
    case = services.open_case(db, catalog, "licensing", lic.id, actor="carla", on=ON, now=at(ON))
    view = services.show_case(db, catalog, case.id, on=ON)
    facts = {f["name"]: f for f in view["facts"]}
    assert facts["employees"] == {"name": "employees", "value": 3, "type": "integer",
                                  "meaning": "employees, owners included"}
    assert facts["license_fee"]["value"] == "0.00"
    assert facts["new_permit"]["value"] is True
    assert view["history"][0]["step"] == "open" and view["state_label"] == "Application received"


def test_a_refund_case_reads_the_refundable_credit(db, catalog, staff):
    """amount, source, requested_by from the request; balance and refundable from the ledger."""
    account = create_account(db)
    charge(db, account.id, "50.00", on=date(2026, 4, 1), due_on=date(2026, 4, 22))
    pay(db, account.id, "80.00", on=date(2026, 4, 20))
    case = services.open_case(db, catalog, "refunds", account.id, actor="carla", on=ON, now=at(ON),
                              fields={"amount": "30.00", "source": "overpayment"})
    facts = case_facts(db, catalog.rules, catalog.workflows.get("refunds"), account.id, case.fields, ON)
    check_types("refund", facts)
    assert {k: facts[k] for k in ("amount", "source", "requested_by", "balance", "refundable")} == {
        "amount": Decimal("30.00"), "source": "overpayment", "requested_by": "carla",
        "balance": Decimal("-30.00"), "refundable": Decimal("30.00")}


@pytest.mark.parametrize("subject", sorted(SUBJECT_FACTS))
def test_every_subject_type_documents_its_facts(subject):
    """Each documented fact has a known type and a meaning."""
    for fact in SUBJECT_FACTS[subject].values():
        assert fact.type in TYPES and fact.meaning


def test_the_workflows_readme_lists_every_fact():
    """workflows/README.md documents each subject type's facts, with their types."""
    readme = (REPO / "workflows" / "README.md").read_text()
    for subject, facts in SUBJECT_FACTS.items():
        assert f"### {subject}" in readme
        for fact in facts.values():
            assert f"| `{fact.name}` | {fact.type} |" in readme, fact.name


def test_a_plan_begun_on_jan_31_falls_due_on_each_month_s_last_day_when_shorter():
    """$100.00 in three installments from Jan 31: $33.33 on Jan 31 and Feb 28, $33.34 on Mar 31."""
    down, installments = plan_payments({"plan_balance": "100.00", "installments": 3, "first_due": "2026-01-31"})
    assert down == Decimal("0.00")
    assert installments == [(date(2026, 1, 31), Decimal("33.33")), (date(2026, 2, 28), Decimal("33.33")),
                            (date(2026, 3, 31), Decimal("33.34"))]
