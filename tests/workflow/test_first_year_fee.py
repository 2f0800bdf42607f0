"""A first-year license fee prorated where the fee rule says so (the licensing workflow's fee step).

The sample city's business license fee has no `proration:` block: an application assessed on
2026-04-15 pays the whole year ($99.00 for a retail shop of 3). A city whose fee prorates the
base and employee fees by months begun (of 12, at least 3) charges the same shop, assessed on
2026-04-15 for the term ending 2026-12-31 (April to December, 9 months begun), 95.00 x 9/12 =
71.25 and the whole $4.00 state fee: $75.25; assessed on 2026-11-20 (2 months begun, billed as
the minimum 3), under the version of 2026-07-01, 97.90 x 3/12 = 24.475, 24.48 + 4.00 = $28.48. A renewal
is a whole term: $101.90 in 2027.
"""
from __future__ import annotations

import shutil
from datetime import date

import pytest
from sqlalchemy import select

from engine.store.models import AuditEntry, License
from engine.workflow import services
from engine.workflow.actions.fee import words as fee_words
from engine.rules.errors import DocumentErrors
from engine.workflow.services import Catalog
from samplecity.city import APPROVAL_ROLE_IDS
from tests.factories import create_business, create_license, pay_license_fee
from tests.workflow.conftest import REPO, at

PRORATION = """    proration:
      by: months
      unit_months: 12
      count: started
      minimum_months: 3
      lines: [Base fee by category, Employee fee]
"""


@pytest.fixture(scope="module")
def prorating(tmp_path_factory) -> Catalog:
    """The sample city, its business license fee prorated by months for a short first term."""
    root = tmp_path_factory.mktemp("prorating")
    shutil.copytree(REPO / "rules", root / "rules")
    fee = root / "rules" / "licensing" / "business-license-fee.yaml"
    text = fee.read_text()
    assert text.count("    lines:\n") == 2
    fee.write_text(text.replace("    lines:\n", PRORATION + "    lines:\n"))
    return Catalog.load(root / "rules", REPO / "workflows", APPROVAL_ROLE_IDS)


def assessed(db, catalog, on: date):
    """A retail shop of 3 applies and its fee is assessed on the day; its license and case."""
    lic = create_license(db, business=create_business(db, category="retail", employees=3), status="applied",
                         issued_on=None, expires_on=None, fee_cents=0)
    case = services.open_case(db, catalog, "licensing", lic.id, actor="carla", on=on, now=at(on))
    for step in ("start_review", "assess_license_fee"):
        event = services.take_step(db, catalog, case.id, step, user="carla", on=on, now=at(on), version=case.version,
                                   form={})
    return lic, case, event


def test_the_sample_citys_fee_has_no_proration_and_pays_the_whole_year(db, catalog, staff):
    lic, _, event = assessed(db, catalog, date(2026, 4, 15))
    assert lic.fee_cents == 9900
    fee = next(d for d in event.explanation[-1]["done"] if d["action"] == "fee")
    assert (fee["amount"], fee["term"]) == ("99.00", "2026-04-15 to 2026-12-31")
    assert "prorated" not in fee


@pytest.mark.parametrize("on, cents, base, words", [
    (date(2026, 4, 15), 7525, "95.00", "9 months begun of 12"),
    (date(2026, 11, 20), 2848, "97.90", "2 months begun, billed as 3 of 12"),
])
def test_a_first_year_fee_is_prorated_by_the_fee_rules_block(db, prorating, staff, on, cents, base, words):
    lic, case, event = assessed(db, prorating, on)
    assert lic.fee_cents == cents
    fee = next(d for d in event.explanation[-1]["done"] if d["action"] == "fee")
    assert fee["term"] == f"{on.isoformat()} to 2026-12-31"
    assert f"Base fee by category: category retail: {base}; prorated for {words}" in fee["prorated"]
    assert "State disability access fee" not in fee["prorated"]
    audit = db.scalars(select(AuditEntry).where(AuditEntry.action == "license.fee",
                                                AuditEntry.subject_id == str(lic.id))).one()
    assert audit.detail["amount"] == f"{cents // 100}.{cents % 100:02d}"
    assert f"for the term {on.isoformat()} to 2026-12-31" in fee_words(fee)


def test_the_prorated_fee_is_paid_at_the_counter_then_a_renewal_pays_a_whole_term(db, prorating, staff):
    lic, case, _ = assessed(db, prorating, date(2026, 4, 15))
    pay_license_fee(db, db.get(License, lic.id), date(2026, 4, 16))
    for step, day in (("record_payment", date(2026, 4, 16)), ("issue", date(2026, 4, 16)),
                      ("mail_renewal_reminder", date(2026, 11, 16))):
        services.take_step(db, prorating, case.id, step, user="carla" if step != "mail_renewal_reminder"
                           else "sweep:renewals", on=day, now=at(day), version=case.version, form={})
    assert (lic.issued_on, lic.expires_on) == (date(2026, 4, 16), date(2026, 12, 31))
    event = services.take_step(db, prorating, case.id, "assess_renewal_fee", user="carla", on=date(2026, 12, 1),
                               now=at(date(2026, 12, 1)), version=case.version, form={})
    fee = next(d for d in event.explanation[-1]["done"] if d["action"] == "fee")
    assert fee["amount"] == "101.90" and "term" not in fee


def test_a_term_that_is_not_a_date_is_refused_with_its_path(tmp_path):
    shutil.copytree(REPO / "workflows", tmp_path / "workflows")
    flow = tmp_path / "workflows" / "licensing.yaml"
    text = flow.read_text()
    assert text.count("term_ends: {deadline: business-license-renewal, field: expires_on}") == 2
    flow.write_text(text.replace("term_ends: {deadline: business-license-renewal, field: expires_on}",
                                 "term_ends: {deadline: business-license-renewal, field: status}", 1))
    with pytest.raises(DocumentErrors) as failure:
        Catalog.load(REPO / "rules", tmp_path / "workflows", APPROVAL_ROLE_IDS)
    assert "term_ends" in str(failure.value)
