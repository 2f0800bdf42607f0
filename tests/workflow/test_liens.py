"""The liens workflow: eligible, notice of intent, recorded with its fee, released on payment, or certified."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from engine.store.models import AuditEntry, LedgerEntry, Notice
from engine.workflow import services
from engine.workflow.runtime import StepRefused
from tests.factories import create_account, print_notices
from tests.workflow.conftest import assert_every_step_audited, at, charge, pay

INTENT = date(2026, 7, 28)  # 90 days past the 2026-04-29 due date


def take(db, catalog, case, step, user, on, **form):
    """Take a step on the version the user sees now."""
    return services.take_step(db, catalog, case.id, step, user=user, on=on, now=at(on), version=case.version,
                              form=form)


def refused(db, catalog, case, step, user, on, **form) -> list[str]:
    """The reasons a step is refused (it must be)."""
    with pytest.raises(StepRefused) as failure:
        take(db, catalog, case, step, user, on, **form)
    return failure.value.reasons


@pytest.fixture()
def account(db, staff):
    """An owner's account owing $480.00 since 2026-04-29."""
    account = create_account(db, cycle="B")
    charge(db, account.id, "480.00", on=date(2026, 4, 8), due_on=date(2026, 4, 29))
    return account


@pytest.fixture()
def case(db, catalog, account):
    """A lien case on the account."""
    return services.open_case(db, catalog, "liens", account.id, actor="sweep:liens", on=INTENT, now=at(INTENT))


def fees(db, account_id) -> list[tuple[str, int]]:
    """Fees posted to the account: rule and cents."""
    return [(e.rule_id, e.amount_cents) for e in db.scalars(
        select(LedgerEntry).where(LedgerEntry.account_id == account_id, LedgerEntry.kind == "fee")
        .order_by(LedgerEntry.id))]


def test_intent_recorded_with_the_filing_fee_then_released_on_payment(db, catalog, account, case):
    """Intent with 30 days to pay; recorded by a supervisor (fee $151.00); paid; released (fee $61.00, notice)."""
    assert refused(db, catalog, case, "mail_intent", "sweep:liens", date(2026, 7, 27))[0] == (
        "lien-eligibility says no: it gives lien = not_eligible, reason = below_threshold; "
        "this step needs lien = eligible")
    take(db, catalog, case, "mail_intent", "sweep:liens", INTENT)
    assert case.fields["pay_by"] == "2026-08-27"
    [never_sent] = refused(db, catalog, case, "record_lien", "sam", date(2026, 8, 27), recording_number="2026-1",
                           recorded_on="2026-08-27")
    assert never_sent.startswith("the Notice of Intent to Record a Lien of Jul 28, 2026") and "never" in never_sent
    print_notices(db, case.id, INTENT)  # the intent goes out
    intent = db.scalars(select(Notice).where(Notice.case_id == case.id)).one()
    assert (intent.notice_type, intent.data["amount_due"], intent.data["due_date"], intent.data["parcel"]) == (
        "lien-intent", "480.00", "2026-08-27", account.property.parcel)
    form = {"recording_number": "2026-0031877", "recorded_on": "2026-08-27"}  # the water charge 120 days past due
    assert refused(db, catalog, case, "record_lien", "sam", date(2026, 8, 26), **form) == [
        "not due until 2026-08-27 (pay_by)"]
    assert refused(db, catalog, case, "record_lien", "carla", date(2026, 8, 27), **form) == [
        "this step needs the role supervisor; you are a clerk"]
    take(db, catalog, case, "record_lien", "sam", date(2026, 8, 27), **form)
    assert fees(db, account.id) == [("lien-filing-fee", 15100)]
    assert refused(db, catalog, case, "release", "carla", date(2026, 9, 10), release_recording_number="R-1") == [
        "the conditions are not met: balance = 631.00 <= 0: no"]
    pay(db, account.id, "631.00", on=date(2026, 9, 10))
    take(db, catalog, case, "release", "carla", date(2026, 9, 10), release_recording_number="2026-0034410")
    assert fees(db, account.id) == [("lien-filing-fee", 15100), ("lien-release-fee", 6100)]
    release = db.scalars(select(Notice).where(Notice.case_id == case.id, Notice.notice_type == "lien-release")).one()
    assert (release.data["recording_number"], release.data["release_date"],
            release.data["release_recording_number"]) == ("2026-0031877", "2026-09-10", "2026-0034410")
    assert case.state == "released" and case.closed_at is not None
    assert_every_step_audited(db, case.id)
    dollars = db.scalars(select(AuditEntry).where(AuditEntry.action == "ledger.fee",
                                                  AuditEntry.subject_id == str(account.id))
                         .order_by(AuditEntry.id)).all()
    assert [(a.detail["amount"], a.detail["rule_id"], a.detail["reference"]) for a in dollars] == [
        ("151.00", "lien-filing-fee", f"case {case.id}"), ("61.00", "lien-release-fee", f"case {case.id}")]


def test_an_unpaid_lien_is_certified_to_the_tax_roll(db, catalog, account, case):
    """Recorded and still unpaid: certified for the next tax year."""
    take(db, catalog, case, "mail_intent", "sweep:liens", INTENT)
    print_notices(db, case.id, INTENT)
    take(db, catalog, case, "record_lien", "sam", date(2026, 8, 27), recording_number="2026-0031877",
         recorded_on="2026-08-27")
    take(db, catalog, case, "certify_to_tax_roll", "sofia", date(2026, 8, 31), tax_year="2027")
    assert (case.state, case.fields["tax_year"]) == ("certified", 2027)


def test_paid_before_recording_the_lien_is_withdrawn(db, catalog, account, case):
    """The owner pays after the notice of intent: the sweep withdraws the case, no fee is charged."""
    take(db, catalog, case, "mail_intent", "sweep:liens", INTENT)
    pay(db, account.id, "480.00", on=date(2026, 8, 10))
    take(db, catalog, case, "withdraw", "sweep:liens", date(2026, 8, 11))
    assert (case.state, fees(db, account.id)) == ("withdrawn", [])


def test_a_tenant_account_is_never_liened(db, catalog, staff):
    """The customer is not the owner: lien-eligibility refuses, with its reason."""
    owner = create_account(db, cycle="B")
    tenant = create_account(db, cycle="B", property=owner.property)  # another customer at the owner's parcel
    charge(db, tenant.id, "480.00", on=date(2026, 4, 8), due_on=date(2026, 4, 29))
    case = services.open_case(db, catalog, "liens", tenant.id, actor="sweep:liens", on=INTENT, now=at(INTENT))
    reasons = refused(db, catalog, case, "mail_intent", "sweep:liens", INTENT)
    assert reasons == ["lien-eligibility says no: it gives lien = not_eligible, reason = tenant_account; "
                       "this step needs lien = eligible"]
