"""The licensing workflow: application to issue, renewal reminders, renewal, late with penalty, lapse.

A retail business with 3 employees pays $99.00 in 2026 (base $95.00, no employee fee under
5, $4.00 state disability access fee). Licenses expire December 31; reminders go out 45 and
15 days before (2026-11-16, 2026-12-16); renewal without penalty runs through 2027-01-31,
a Sunday, so through Monday 2027-02-01; after that 10% of the fee a started month.
"""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from engine.store.models import AuditEntry, License, Notice
from engine.workflow import services
from engine.workflow.runtime import StepRefused
from tests.factories import create_business, create_license, pay_license_fee
from tests.workflow.conftest import assert_every_step_audited, at

APPLIED = date(2026, 3, 2)


def take(db, catalog, case, step, user, on, **form):
    """Take a step on the version the user sees now."""
    return services.take_step(db, catalog, case.id, step, user=user, on=on, now=at(on), version=case.version,
                              form=form)


def refused(db, catalog, case, step, user, on, **form) -> list[str]:
    """The reasons a step is refused (it must be)."""
    with pytest.raises(StepRefused) as failure:
        take(db, catalog, case, step, user, on, **form)
    return failure.value.reasons


def apply(db, catalog, **business):
    """A license application and its case."""
    lic = create_license(db, business=create_business(db, **business), status="applied", issued_on=None,
                         expires_on=None, fee_cents=0,
                         license_type="home_occupation" if business.get("category") == "home_occupation"
                         else "general_business")
    return lic, services.open_case(db, catalog, "licensing", lic.id, actor="carla", on=APPLIED, now=at(APPLIED))


def issue(db, catalog, case, step="assess_license_fee"):
    """Review, fee, payment and issue in March 2026."""
    take(db, catalog, case, "start_review", "carla", APPLIED)
    take(db, catalog, case, step, "carla", APPLIED)
    pay_license_fee(db, db.get(License, case.subject_id), date(2026, 3, 5))
    take(db, catalog, case, "record_payment", "carla", date(2026, 3, 5))
    take(db, catalog, case, "issue", "sam", date(2026, 3, 5))


def notices(db, case) -> list[tuple[str, str]]:
    """The case's notices: type and date."""
    return [(n.notice_type, n.created_on.isoformat())
            for n in db.scalars(select(Notice).where(Notice.case_id == case.id).order_by(Notice.id))]


def test_application_to_issue_to_renewal_reminders_to_late_renewal_with_penalty(db, catalog, staff):
    """The whole year of a general business license, and its late renewal in March 2027."""
    lic, case = apply(db, catalog, category="retail", employees=3)
    assert refused(db, catalog, case, "assess_permit_fee", "carla", APPLIED) == [
        "“Assess the home occupation permit fee” is not a step of a case in state Application received"]
    issue(db, catalog, case)
    assert (lic.status, lic.issued_on, lic.expires_on, lic.fee_cents) == (
        "active", date(2026, 3, 5), date(2026, 12, 31), 9900)
    fee_audit = db.scalars(select(AuditEntry).where(AuditEntry.action == "license.fee")).one()
    assert (fee_audit.subject_id, fee_audit.detail["amount"], fee_audit.detail["rule_version"]) == (
        str(lic.id), "99.00", "2025-01-01")

    assert refused(db, catalog, case, "mail_renewal_reminder", "sweep:renewals", date(2026, 11, 15)) == [
        "the conditions are not met: renewal_status = 'active' == 'renewal_due': no"]
    take(db, catalog, case, "mail_renewal_reminder", "sweep:renewals", date(2026, 11, 16))
    assert refused(db, catalog, case, "mail_final_reminder", "sweep:renewals", date(2026, 12, 15)) == [
        "the conditions are not met: reminder_due = 'license-renewal-reminder' == 'license-renewal-final': no"]
    take(db, catalog, case, "mail_final_reminder", "sweep:renewals", date(2026, 12, 16))
    assert refused(db, catalog, case, "mark_late", "sweep:renewals", date(2027, 2, 1)) == [
        "the conditions are not met: renewal_status = 'grace' == 'late': no"]
    take(db, catalog, case, "mark_late", "sweep:renewals", date(2027, 2, 2))
    assert lic.status == "expired"

    event = take(db, catalog, case, "assess_late_renewal", "carla", date(2027, 3, 15))
    done = event.explanation[-1]["done"]
    assert [(d["schedule"], d["amount"]) for d in done if d["action"] == "fee"] == [
        ("license-late-penalty", "19.80"), ("business-license-fee", "101.90")]
    assert (case.state, lic.fee_cents, lic.penalty_cents, lic.fee_paid_cents) == ("renewal_fee_due", 10190, 1980, 0)
    assert refused(db, catalog, case, "renew", "carla", date(2027, 3, 15)) == [
        f"the renewal has $121.70 unpaid: take it at the counter first (a receipt paying license {lic.number})"]
    pay_license_fee(db, lic, date(2027, 3, 15))  # the fee and the penalty on one counter receipt
    assert lic.fee_paid_cents == 12170
    take(db, catalog, case, "renew", "carla", date(2027, 3, 15))
    assert (case.state, lic.status, lic.issued_on, lic.expires_on, lic.fee_cents) == (
        "renewed", "active", date(2027, 1, 1), date(2027, 12, 31), 10190)
    assert notices(db, case) == [("license-certificate", "2026-03-05"), ("license-renewal-reminder", "2026-11-16"),
                                 ("license-renewal-final", "2026-12-16"), ("license-certificate", "2027-03-15")]
    assert [e.step for e in case.events] == ["open", "start_review", "assess_license_fee", "record_payment", "issue",
                                             "mail_renewal_reminder", "mail_final_reminder", "mark_late",
                                             "assess_late_renewal", "renew"]
    assert_every_step_audited(db, case.id)
    assert len(db.scalars(select(AuditEntry).where(AuditEntry.action == "license.fee")).all()) == 3


def test_renewed_on_time_then_lapsed_the_next_year(db, catalog, staff):
    """Renewed in the grace period without penalty; a year later never renewed: late, then lapsed."""
    lic, case = apply(db, catalog, category="restaurant", employees=12)
    issue(db, catalog, case)
    assert lic.fee_cents == 14500 + 4800 + 400
    take(db, catalog, case, "mail_renewal_reminder", "sweep:renewals", date(2026, 11, 16))
    take(db, catalog, case, "assess_renewal_fee", "colin", date(2027, 1, 20))
    assert (case.state, lic.fee_cents, lic.penalty_cents, lic.fee_paid_cents) == (
        "renewal_fee_due", 14950 + 4950 + 400, 0, 0)  # last year's payment pays nothing of this year's fee
    pay_license_fee(db, lic, date(2027, 1, 20))
    take(db, catalog, case, "renew", "colin", date(2027, 1, 20))
    assert (case.state, lic.issued_on, lic.expires_on, lic.fee_cents) == (
        "renewed", date(2027, 1, 1), date(2027, 12, 31), 14950 + 4950 + 400)
    take(db, catalog, case, "mark_late", "sweep:renewals", date(2028, 2, 1))
    assert refused(db, catalog, case, "lapse", "sweep:renewals", date(2028, 4, 28)) == [
        "the conditions are not met: renewal_status = 'late' == 'lapsed': no"]
    take(db, catalog, case, "lapse", "sweep:renewals", date(2028, 4, 29))
    assert (case.state, lic.status) == ("lapsed", "lapsed")
    lapsed = db.scalars(select(Notice).where(Notice.case_id == case.id, Notice.notice_type == "license-lapsed")).one()
    assert (lapsed.data["lapsed_date"], lapsed.data["license_number"]) == ("2028-04-29", lic.number)
    next_actions = [s.id for s in services.steps_for(db, catalog, case.id, user="carla", on=date(2028, 5, 2))
                    if s.allowed]
    assert next_actions == ["assess_late_renewal", "close"]  # a lapsed license: renew late with the penalty, or close
    take(db, catalog, case, "assess_late_renewal", "carla", date(2028, 5, 2))
    assert (lic.fee_cents, lic.penalty_cents) == (14950 + 4950 + 400, 8120)  # 4 months begun late, 10% of $203.00 each


def test_a_home_occupation_permit_and_its_closing(db, catalog, staff):
    """The second license type: the permit schedule with the zoning clearance; closed when the business closes."""
    lic, case = apply(db, catalog, category="home_occupation", employees=1)
    assert refused(db, catalog, case, "assess_license_fee", "carla", APPLIED) == [
        "“Assess the business license fee” is not a step of a case in state Application received"]
    take(db, catalog, case, "start_review", "carla", APPLIED)
    assert refused(db, catalog, case, "assess_license_fee", "carla", APPLIED) == [
        "the conditions are not met: license_type = 'home_occupation' == 'general_business': no"]
    take(db, catalog, case, "assess_permit_fee", "carla", APPLIED)
    assert lic.fee_cents == 5500 + 3800 + 400
    pay_license_fee(db, lic, date(2026, 3, 5))
    take(db, catalog, case, "record_payment", "carla", date(2026, 3, 5))
    take(db, catalog, case, "issue", "carla", date(2026, 3, 5))
    take(db, catalog, case, "close", "carla", date(2026, 9, 1), closed_reason="moved out of the city")
    assert (case.state, lic.status) == ("closed", "closed")
    assert db.get(License, lic.id).status == "closed"


def test_a_supervisor_denies_an_application_with_a_reason(db, catalog, staff):
    """Denied in review: the case ends, the license is closed, the reason kept."""
    lic, case = apply(db, catalog, category="contractor", employees=2)
    take(db, catalog, case, "start_review", "carla", APPLIED)
    assert refused(db, catalog, case, "deny", "carla", APPLIED, denial_reason="no contractor's license") == [
        "this step needs the role supervisor; you are a clerk"]
    take(db, catalog, case, "deny", "sam", APPLIED, denial_reason="no state contractor's license")
    assert (case.state, lic.status, case.fields["denial_reason"]) == (
        "denied", "closed", "no state contractor's license")
    assert_every_step_audited(db, case.id)


def test_a_renewal_paid_in_part_then_late_keeps_what_was_paid_and_adds_the_penalty(db, catalog, staff):
    """Assessed in the grace period, $50.00 paid at the counter, the rest not: late on 2027-02-02; assessed again
    on 2027-03-15 with 2 months' penalty on the $101.90 fee (20.38); the $50.00 counts; the rest paid, renewed."""
    from decimal import Decimal

    from engine.money.receipts import LineAsked, TenderAsked, take_receipt
    from engine.store.models import User

    lic, case = apply(db, catalog, category="retail", employees=3)
    issue(db, catalog, case)
    take(db, catalog, case, "mail_renewal_reminder", "sweep:renewals", date(2026, 11, 16))
    take(db, catalog, case, "assess_renewal_fee", "carla", date(2027, 1, 20))
    counter = db.query(User).filter_by(username="counter").one()
    from engine.money import cash
    cash.open_drawer(db, clerk=counter, business_date=date(2027, 1, 20), opening=Decimal("0"), now=at(date(2027, 1, 20)))
    take_receipt(db, [LineAsked("license", lic.number, Decimal("50.00"))], [TenderAsked("cash", Decimal("50.00"))],
                 clerk=counter, on=date(2027, 1, 20), now=at(date(2027, 1, 20)))
    assert refused(db, catalog, case, "renew", "carla", date(2027, 1, 21)) == [
        f"the renewal has $51.90 unpaid: take it at the counter first (a receipt paying license {lic.number})"]
    take(db, catalog, case, "mark_late", "sweep:renewals", date(2027, 2, 2))
    event = take(db, catalog, case, "assess_late_renewal", "carla", date(2027, 3, 15))
    assert [(d["schedule"], d["amount"]) for d in event.explanation[-1]["done"] if d["action"] == "fee"] == [
        ("license-late-penalty", "20.38"), ("business-license-fee", "101.90")]
    assert (lic.fee_cents, lic.penalty_cents, lic.fee_paid_cents, lic.due_cents) == (10190, 2038, 5000, 7228)
    pay_license_fee(db, lic, date(2027, 3, 15))
    take(db, catalog, case, "renew", "carla", date(2027, 3, 15))
    assert (case.state, lic.status, lic.expires_on, lic.due_cents) == ("renewed", "active", date(2027, 12, 31), 0)
