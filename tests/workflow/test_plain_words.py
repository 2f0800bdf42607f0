"""A case in the city's words: labels and sentences of facts and fields, checks, outcomes and forms."""
from __future__ import annotations

import pytest

from engine.workflow.facts import subject_facts
from engine.workflow.plain import CaseWords

ROLES = {"clerk": "Clerk", "supervisor": "Supervisor", "department_head": "Department head"}


@pytest.fixture(scope="module")
def words(catalog) -> CaseWords:
    workflow = catalog.workflows.get("delinquency")
    return CaseWords(workflow, subject_facts(workflow.subject, catalog.rules), catalog.rules, ROLES)


def test_facts_and_fields_have_labels_and_sentences_from_where_they_are_defined(words):
    assert (words.label("past_due_balance"), words.words["past_due_balance"].says) == (
        "Past due", "What was due before the day and is unpaid.")
    assert words.label("late_payments_12m") == "Late payments in the last 12 months"  # the measure's title
    assert words.words["late_payments_12m"].says == "A late payment is a late fee charged and not waived."
    assert (words.label("shutoff_on"), words.words["shutoff_on"].says) == (  # the workflow's labels:
        "Shut-off day", "Service may be shut off on or after this day.")
    assert words.label("first_due") == "First installment due"  # its form field's label


def test_values_by_their_type(words):
    assert words.value("past_due_balance", "10612.58") == "$10,612.58"
    assert words.value("balance", "-30") == "-$30.00"
    assert words.value("low_income", False) == "no"
    assert words.value("assistance_programs", ["cap", "medical_baseline"]) == "cap, medical baseline"
    assert words.value("assistance_programs", []) == "none"
    named = CaseWords(words.workflow, subject_facts(words.workflow.subject, words.rules), words.rules, ROLES,
                      item_names={"cap": "Customer Assistance Program"})
    assert named.value("assistance_programs", ["cap", "medical_baseline"]) == (
        "Customer Assistance Program, medical baseline")
    assert words.value("period", "2026-01") == "Jan 2026"
    assert words.value("rate_class", "residential") == "residential"
    assert words.value("shutoff_on", "2026-04-13") == "2026-04-13"  # the page writes dates in the city's style


@pytest.mark.parametrize("engine_said, page_says", [
    ("past_due_balance = 10612.58 <= 0: no", "Past due is $10,612.58, at most $0.00: no"),
    ("the conditions are not met: past_due_balance = 207.00 <= 0: no",
     "not now: Past due is $207.00, at most $0.00: no"),
    ("days_past_due = 68 >= 60: yes", "Days past due is 68, at least 60: yes"),
    ("shutoff-eligibility says no: it gives eligible = false, reason = under_60_days; this step needs eligible = true",
     "Whether residential water service may be shut off for nonpayment: “Delinquent less than 60 days”; this step "
     "needs “Delinquent 60 days or more, $50.00 or more past due”"),
    ("door_hanger_on = 2026-04-08; today is 2026-04-08", "Door hanger day is 2026-04-08; today is 2026-04-08"),
    ("not due until 2026-06-18 (shutoff_notice_on)", "not due until 2026-06-18 (Shut-off notice day)"),
    ("the case is shutoff_notice", "the case is at “Shut-off notice mailed”"),
    ("roles clerk, supervisor; you are a clerk", "taken by Clerk or Supervisor; you are a clerk"),
    ("medical_certificate is absent: no", "Medical certificate is not known: no"),
])
def test_what_the_engine_wrote_in_the_citys_words(words, engine_said, page_says):
    assert words.sentence(engine_said) == page_says


def test_a_steps_form_and_its_actions(words):
    assert words.form({"installments": 3, "first_due": "2026-03-20", "plan_balance": "120.5"}) == [
        "After the down payment, monthly installments: 3", "First installment due: 2026-03-20",
        "Plan balance: $120.50"]
    assert words.done("Fee late-fee (version of 2024-07-01): $12.00") == (
        "Fee Late payment penalty on utility bills (version of 2024-07-01): $12.00")
    assert words.step("mail_shutoff_notice") == "Mail the shut-off notice" and words.step("open") == "Opened"


def test_a_fee_and_a_waiver_say_their_amount_as_every_page_does():
    """$1,234.50 with its thousands comma, through engine.money.format_money, not "$" before the kept text."""
    from engine.workflow.actions import ACTIONS
    assert ACTIONS["fee"].words({"action": "fee", "schedule": "late-fee", "version": "2024-07-01",
                                 "amount": "1234.5"}) == "Fee late-fee (version of 2024-07-01): $1,234.50"
    assert ACTIONS["waive"].words({"action": "waive", "fee": "late-fee", "amount": "1234.50", "reason": "first time"}
                                  ).endswith("of $1,234.50: first time")
