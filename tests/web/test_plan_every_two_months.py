"""A city that bills every two months publishes plan terms with `installment_months: 2`: a clerk sees, before
saving, installments due with the account's next bills and the term that spaced them, agrees the plan, and the
case page and the agreement letter say the same (the test client; the letter through wkhtmltopdf and pdftotext)."""
from __future__ import annotations

import re
import subprocess
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.store.models import Bill, Case, Notice
from tests.factories import NOW, create_account, create_case, create_customer, save_city
from tests.web.pages import charge
from tests.workflow.test_payment_plans import NEW_TERMS, city_with_new_terms
from webapp.app import create_app
from webapp.config import TestConfig

EVERY_TWO_MONTHS = NEW_TERMS.replace("installments_due: bill_due_date}",
                                     "installments_due: bill_due_date, installment_months: 2}")


@pytest.fixture()
def app(db: Session, database_url: str, tmp_path: Path) -> Flask:
    """The app reading the sample city's rules with its plan terms, from 2026-03-01, every two months."""
    city = city_with_new_terms(tmp_path, EVERY_TWO_MONTHS)
    assert "installment_months: 2" in (tmp_path / "rules" / "utilities" / "payment-plan-terms.yaml").read_text()
    assert city.rules.get("payment-plan-terms")
    sessions = sessionmaker(bind=db.bind, join_transaction_mode="create_savepoint", expire_on_commit=False)
    return create_app(TestConfig(database_url=database_url, instance=tmp_path, RULES_DIR=str(tmp_path / "rules"),
                                 CLOCK=lambda: NOW), sessions=sessions)


def reminded_case(db: Session, language: str = "en") -> Case:
    """$180.00 past due of the bill of February 1 (cycle B), due February 22; the reminder mailed."""
    save_city(db)
    account = create_account(db, customer=create_customer(db, language=language), cycle="B")
    charge(db, account, "180.00", on=date(2026, 2, 1), due_on=date(2026, 2, 22))
    db.add(Bill(account_id=account.id, cycle="B", period="2026-02", service_from=date(2026, 1, 1),
                service_to=date(2026, 1, 31), billed_on=date(2026, 2, 1), due_on=date(2026, 2, 22),
                consumption_ccf=12, total_cents=18000, rule_id="water-rates-residential", rule_version="2025-07-01",
                explanation={}))
    return create_case(db, subject_id=account.id, account_id=account.id, state="reminded",
                       fields={"period": "2026-02"})


def text_of(pdf: bytes) -> str:
    """The words of a PDF, on one line."""
    words = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return re.sub(r"\s+", " ", words)


def test_a_clerk_agrees_a_plan_due_with_each_bill_every_two_months(clerk, db):
    case = reminded_case(db)
    form = {"arrange_plan-version": case.version, "arrange_plan-installments": "3",
            "arrange_plan-first_due": "2026-04-01"}
    shown = clerk.post(f"/cases/{case.id}/steps/arrange_plan", data={**form, "arrange_plan-preview": "y"})
    page = shown.get_data(as_text=True)
    assert shown.status_code == 200 and "Nothing has been saved yet." in page
    assert re.findall(r"<td>(\d)</td><td>([A-Z][a-z]{2} \d+, 2026)</td>", page) == [
        ("1", "Apr 22, 2026"), ("2", "Jun 22, 2026"), ("3", "Aug 22, 2026")]
    assert 'class="checks plan-why"' in page and "every 2 months on the bill due day" in page
    assert "(installments due: bill due date; Installment months: 2)" in page  # the terms that set the dates
    assert db.get(Case, case.id).state == "reminded"

    taken = clerk.post(f"/cases/{case.id}/steps/arrange_plan", data=form)
    assert taken.status_code == 302, taken.get_data(as_text=True)
    db.expire_all()
    agreed = db.get(Case, case.id)
    assert agreed.state == "payment_plan" and agreed.fields["installment_months"] == 2
    history = clerk.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "every 2 months on the bill due day" in history and "from Apr 22, 2026" in history

    notice = db.scalar(select(Notice).where(Notice.case_id == case.id))
    letter = text_of(clerk.get(f"/cases/{case.id}/notices/{notice.id}.pdf").data)
    assert "3 installments, one every 2 months, that add up to $130.00" in letter
    assert "Monthly installments" not in letter and "monthly installments" not in letter


def test_the_spanish_agreement_and_its_english_twin_say_every_two_months(clerk, db):
    case = reminded_case(db, language="es")
    taken = clerk.post(f"/cases/{case.id}/steps/arrange_plan", data={
        "arrange_plan-version": case.version, "arrange_plan-installments": "3", "arrange_plan-first_due": "2026-04-01"})
    assert taken.status_code == 302, taken.get_data(as_text=True)
    notice = db.scalar(select(Notice).where(Notice.case_id == case.id))
    spanish = text_of(clerk.get(f"/cases/{case.id}/notices/{notice.id}.pdf").data)
    english = text_of(clerk.get(f"/cases/{case.id}/notices/{notice.id}/english.pdf").data)
    assert notice.language == "es" and "3 cuotas, una cada 2 meses, que suman $130.00" in spanish
    assert "Cuotas mensuales" not in spanish and "cuotas mensuales" not in spanish
    assert "3 installments, one every 2 months, that add up to $130.00" in english
