"""A new business at the counter: the application, the fee explained, paid at the counter, issued with a
certificate whose verification code anyone may check."""
from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.workflow import license_codes as certificates
from engine.accounts.customer_record import NewCustomer
from engine.licenses.intake import Application, IntakeError, license_types, take_application
from engine.store.models import AuditEntry, Customer, License, Notice
from engine.workflow import services
from engine.workflow.runtime import StepRefused
from engine.workflow.services import Catalog
from samplecity.city import APPROVAL_ROLE_IDS
from tests.factories import create_account, pay_license_fee
from tests.workflow.conftest import REPO, at

DAY = date(2026, 3, 2)
OWNER = NewCustomer(name="Imelda Ortiz", mailing_street="88 Foothill Road", mailing_city="Alder Creek",
                    mailing_state="CA", mailing_zip="95601", phone="530-555-0142", language="es")


def shop(**overrides) -> Application:
    """A restaurant with 6 employees, owned by a new customer."""
    values = dict(business_name="Ortiz Taqueria", address="412 Main Street", category="restaurant", employees=6,
                  gross_receipts="", license_type="general_business", new_owner=OWNER)
    values.update(overrides)
    return Application(**values)


def take(db, catalog, case, step, user, on, **form):
    return services.take_step(db, catalog, case.id, step, user=user, on=on, now=at(on), version=case.version,
                              form=form)


def test_an_application_makes_the_owner_the_business_the_license_and_its_case(db, catalog, staff):
    taken = take_application(db, catalog, shop(), on=DAY, now=at(DAY), actor="carla")
    assert (taken.license.number, taken.license.status, taken.license.fee_cents) == ("BL-2026-00001", "applied", 0)
    assert (taken.case.workflow_id, taken.case.state, taken.case.subject_id) == ("licensing", "applied",
                                                                                taken.license.id)
    assert (taken.owner.name, taken.owner.language, taken.business.owner_id) == ("Imelda Ortiz", "es",
                                                                                 taken.owner.id)
    second = take_application(db, catalog, shop(business_name="Ortiz Catering"), on=DAY, now=at(DAY), actor="carla")
    assert second.license.number == "BL-2026-00002"
    actions = db.scalars(select(AuditEntry.action).where(AuditEntry.action.in_(("license.apply", "customer.added")))
                         ).all()
    assert sorted(actions) == ["customer.added", "customer.added", "license.apply", "license.apply"]


def test_an_owner_with_water_service_is_found_by_the_account_number(db, catalog, staff):
    account = create_account(db, number="000460-08")
    taken = take_application(db, catalog, shop(new_owner=None, owner_account="000460-08"), on=DAY, now=at(DAY),
                             actor="carla")
    assert taken.owner.id == account.customer_id


def test_a_bad_application_names_every_problem_and_records_nothing(db, catalog, staff):
    before = db.scalar(select(Customer.id).order_by(Customer.id.desc()))
    with pytest.raises(IntakeError) as refused:
        take_application(db, catalog, shop(business_name=" ", category="casino", employees=-1, gross_receipts="lots",
                                           owner_account="999999-99", new_owner=None),
                         on=DAY, now=at(DAY), actor="carla")
    assert refused.value.problems == [
        "Business name: give the name the business trades under.",
        "Category: choose one of retail, restaurant, professional, contractor, personal services, manufacturing, "
        "home occupation.",
        "Employees: a whole number from 0 to 100,000.",
        "Gross receipts: an amount in dollars, such as 125000.00.",
        "Owner: there is no utility account numbered 999999-99."]
    assert db.scalar(select(Customer.id).order_by(Customer.id.desc())) == before
    assert db.scalar(select(License.id)) is None


def test_the_fee_is_paid_at_the_counter_before_the_license_is_issued_with_a_code_anyone_may_check(db, catalog,
                                                                                                   staff):
    """2026-03-02: a restaurant with 6 employees pays $145.00 + $48.00 + $4.00 = $197.00."""
    taken = take_application(db, catalog, shop(), on=DAY, now=at(DAY), actor="carla")
    case, lic = taken.case, taken.license
    take(db, catalog, case, "start_review", "carla", DAY)
    event = take(db, catalog, case, "assess_license_fee", "carla", DAY)
    assert lic.fee_cents == 19700
    fee = next(d for x in event.explanation for d in x.get("done", []) if d.get("action") == "fee")
    assert (fee["schedule"], fee["amount"]) == ("business-license-fee", "197.00")
    with pytest.raises(StepRefused) as unpaid:
        take(db, catalog, case, "record_payment", "carla", DAY)
    assert unpaid.value.reasons == ["the fee has $197.00 unpaid: take it at the counter first (a receipt paying "
                                    "license BL-2026-00001)"]
    pay_license_fee(db, lic, DAY)
    take(db, catalog, case, "record_payment", "carla", DAY)
    take(db, catalog, case, "issue", "sam", DAY)
    assert lic.status == "active" and certificates.normalized(lic.verification_code) == lic.verification_code
    certificate = db.scalar(select(Notice).where(Notice.case_id == case.id,
                                                 Notice.notice_type == "license-certificate"))
    assert certificate.data["verification_code"] == lic.verification_code and certificate.language == "es"
    assert certificate.data["license_type"] == "General business license"  # as business-license-renewal names it
    typed = lic.verification_code.lower().replace("-", " ")
    answer = certificates.verify(db, typed, date(2026, 6, 1))
    assert (answer.found, answer.valid, answer.license_number, answer.business_name) == (
        True, True, "BL-2026-00001", "Ortiz Taqueria")
    assert certificates.verify(db, typed, lic.expires_on.replace(year=lic.expires_on.year + 1)).valid is False
    assert certificates.verify(db, "AAAA-BBBB-CC", DAY).found is False
    assert certificates.verify(db, "not a code", DAY).found is False


def test_the_licenses_a_clerk_may_choose_are_those_the_renewal_deadline_defines_with_their_printed_names(catalog):
    assert license_types(catalog, DAY) == (("general_business", "General business license"),
                                           ("home_occupation", "Home occupation permit"))


def test_a_license_no_published_document_defines_is_refused_by_its_name(db, catalog, staff):
    with pytest.raises(IntakeError) as refused:
        take_application(db, catalog, shop(license_type="food_truck"), on=DAY, now=at(DAY), actor="carla")
    assert refused.value.problems == [
        "License: the city's published documents define no license 'food_truck'; choose one of General business "
        "license, Home occupation permit."]
    assert db.scalar(select(License.id)) is None


FOOD_TRUCK_FEE = """\
id: food-truck-permit-fee
kind: schedule
title: Mobile food vendor permit (annual)
department: licensing
description: The annual permit of a food truck, with the state disability access fee.
versions:
  - effective: 2025-01-01
    reference: Alder Creek Municipal Code 5.36.040
    lines:
      - name: Mobile food vendor permit
        amount: 250.00
      - name: State disability access fee (SB 1186)
        amount: 4.00
"""

FOOD_TRUCK_STEP = """\
  - id: assess_food_truck_fee
    label: Assess the mobile food vendor permit fee
    from: in_review
    to: fee_due
    roles: [clerk, supervisor]
    when: {fact: license_type, eq: food_truck}
    actions:
      - fee:
          schedule: food-truck-permit-fee
          term_ends: {deadline: business-license-renewal, field: expires_on}

  - id: deny
"""


def food_truck_city(tmp_path: Path) -> Catalog:
    """The sample city after it adds food trucks: a fee schedule, the renewal deadline listing and naming them,
    and a fee step in the licensing workflow -- documents only."""
    rules, workflows = tmp_path / "rules", tmp_path / "workflows"
    shutil.copytree(REPO / "rules", rules)
    shutil.copytree(REPO / "workflows", workflows)
    (rules / "licensing" / "food-truck-permit-fee.yaml").write_text(FOOD_TRUCK_FEE)
    deadline = rules / "licensing" / "business-license-renewal.yaml"
    text = deadline.read_text()
    text = text.replace("license_types: [general_business, home_occupation]",
                        "license_types: [general_business, home_occupation, food_truck]")
    text = text.replace("home_occupation: Home occupation permit}",
                        "home_occupation: Home occupation permit, food_truck: Mobile food vendor permit}")
    deadline.write_text(text)
    workflow = workflows / "licensing.yaml"
    workflow.write_text(workflow.read_text().replace("  - id: deny\n", FOOD_TRUCK_STEP, 1))
    return Catalog.load(rules, workflows, APPROVAL_ROLE_IDS)


def test_a_city_that_publishes_a_food_truck_permit_licenses_a_food_truck(db, staff, tmp_path):
    """$250.00 + $4.00 = $254.00, from the documents alone; the certificate prints the deadline's name."""
    city = food_truck_city(tmp_path)
    assert license_types(city, DAY)[-1] == ("food_truck", "Mobile food vendor permit")
    taken = take_application(db, city, shop(business_name="Ortiz Tacos on Wheels", license_type="food_truck"),
                             on=DAY, now=at(DAY), actor="carla")
    assert (taken.license.license_type, taken.license.status) == ("food_truck", "applied")
    take(db, city, taken.case, "start_review", "carla", DAY)
    take(db, city, taken.case, "assess_food_truck_fee", "carla", DAY)
    assert taken.license.fee_cents == 25400
    pay_license_fee(db, taken.license, DAY)
    take(db, city, taken.case, "record_payment", "carla", DAY)
    take(db, city, taken.case, "issue", "sam", DAY)
    certificate = db.scalar(select(Notice).where(Notice.case_id == taken.case.id,
                                                 Notice.notice_type == "license-certificate"))
    assert certificate.data["license_type"] == "Mobile food vendor permit"
