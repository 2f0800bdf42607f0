"""Renewals, liens, deposit refunds and payment-plan defaults, walked night by night with the sample city's rules."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from engine.money import deposits
from engine.store.models import Case, Deposit, LedgerEntry, License, Notice
from engine.workflow import services
from tests.factories import create_account, create_case, create_license
from tests.sweeps.conftest import at, charge, pay, sweep


def nights(factory, catalog, name: str, first: date, last: date) -> list[tuple[str, dict, dict]]:
    """Run a sweep every night from first to last; (night, steps, notices) of the nights that did something."""
    done, day = [], first
    while day <= last:
        report = sweep(factory, catalog, on=day, name=name).report
        assert report["exceptions"] == [], report["exceptions"]
        if report["steps"]:
            done.append((day.isoformat(), report["steps"], report["notices"]))
        day += timedelta(days=1)
    return done


def test_renewals_remind_twice_then_mark_late_then_lapse_on_their_days(committing_db, catalog):
    """A license expiring 2026-12-31: reminders 45 and 15 days before, late after the grace, lapsed after 120 days."""
    with committing_db() as session, session.begin():
        lic = create_license(session)
        applied = create_license(session, status="applied", issued_on=None, expires_on=None)
    walked = nights(committing_db, catalog, "renewals", date(2026, 11, 10), date(2027, 5, 5))
    assert walked == [
        ("2026-11-16", {"licensing.mail_renewal_reminder": 1, "licensing.open": 1},
         {"license-renewal-reminder/en": 1}),
        ("2026-12-16", {"licensing.mail_final_reminder": 1}, {"license-renewal-final/en": 1}),
        ("2027-02-02", {"licensing.mark_late": 1}, {}),
        ("2027-04-30", {"licensing.lapse": 1}, {"license-lapsed/en": 1}),
    ]
    with committing_db() as session:
        [case] = session.scalars(select(Case)).all()
        assert (case.license_id, case.state, case.opened_by) == (lic.id, "lapsed", "sweep:renewals")
        assert session.get(License, lic.id).status == "lapsed"
        assert session.get(License, applied.id).status == "applied"
        assert [e.step for e in case.events] == ["open", "mail_renewal_reminder", "mail_final_reminder", "mark_late",
                                                 "lapse"]


def test_liens_list_transfers_mail_the_intent_then_list_the_filing_and_withdraw_when_paid(committing_db, catalog):
    """An owner $300 of sewer past due 90+ days with service off: listed for transfer; its lien case mails the intent,
    is on the filing list once the pay-by date passes, and is withdrawn when the account is paid."""
    with committing_db() as session, session.begin():
        account = create_account(session, cycle="B")
        # sewer: a lien may include six months of it, however old (water only 120 days, past by the pay-by date)
        charge(session, account.id, "300.00", on=date(2026, 1, 8), due_on=date(2026, 1, 29), service="sewer")
        delinquency = create_case(session, subject_id=account.id, account_id=account.id, state="disconnected",
                                  fields={"period": "2026-01"})
        tenant = create_account(session, cycle="B", property=create_account(session).property)
        charge(session, tenant.id, "300.00", on=date(2026, 1, 8), due_on=date(2026, 1, 29))
        create_case(session, subject_id=tenant.id, account_id=tenant.id, state="disconnected",
                    fields={"period": "2026-01"})
    report = sweep(committing_db, catalog, on=date(2026, 5, 1), name="liens").report
    assert [line["case"] for line in report["extra"]["eligible_for_lien"]] == [delinquency.id]
    with committing_db() as session, session.begin():
        lien = services.open_case(session, catalog, "liens", account.id, actor="sweep:liens", on=date(2026, 5, 2),
                                  now=at(date(2026, 5, 2)))
    report = sweep(committing_db, catalog, on=date(2026, 5, 4), name="liens").report
    assert report["steps"] == {"liens.mail_intent": 1} and report["notices"] == {"lien-intent/en": 1}
    with committing_db() as session:
        pay_by = date.fromisoformat(session.get(Case, lien.id).fields["pay_by"])
    before = sweep(committing_db, catalog, on=pay_by - timedelta(days=1), name="liens").report
    assert "filing_list" not in before.get("extra", {})
    on_the_day = sweep(committing_db, catalog, on=pay_by, name="liens").report
    assert [(line["case"], line["past_due"]) for line in on_the_day["extra"]["filing_list"]] == [(lien.id, "300.00")]
    with committing_db() as session, session.begin():
        pay(session, account.id, "300.00", on=pay_by + timedelta(days=1))
    paid = sweep(committing_db, catalog, on=pay_by + timedelta(days=2), name="liens").report
    assert paid["steps"] == {"liens.withdraw": 1}
    with committing_db() as session:
        assert session.get(Case, lien.id).state == "withdrawn"


def test_deposit_refunds_credit_a_good_payers_deposit_and_keep_a_late_payers(committing_db, catalog):
    """Two years of service: no late fees, credited back; two late fees this year, kept."""
    with committing_db() as session, session.begin():
        good, late = create_account(session), create_account(session)
        for account in (good, late):
            deposits.take_deposit(session, account.id, on=date(2024, 1, 1), now=at(date(2024, 1, 1)), actor="carla",
                                  library=catalog.rules, amount=Decimal("150.00"))
        for month in (3, 5):
            session.add(LedgerEntry(account_id=late.id, kind="fee", amount_cents=1000,
                                    effective_on=date(2026, month, 2), posted_at=at(date(2026, month, 2)),
                                    actor="sweep:delinquency", description="Late fee", reference="",
                                    rule_id="late-fee", rule_version="2025-01-01", fund="510", gl_account="4310"))
    report = sweep(committing_db, catalog, on=date(2026, 6, 1), name="deposit-refunds").report
    assert report["steps"] == {"deposit.credited": 1, "deposit.kept (late_payments)": 1}
    assert report["extra"]["credited_cents"] == 15000
    with committing_db() as session:
        statuses = dict(session.execute(select(Deposit.account_id, Deposit.status)).all())
        assert statuses == {good.id: "refunded", late.id: "held"}
        credit = session.scalar(select(LedgerEntry).where(LedgerEntry.account_id == good.id,
                                                          LedgerEntry.kind == "deposit"))
        assert (credit.amount_cents, credit.actor) == (-15000, "sweep:deposit-refunds")
    again = sweep(committing_db, catalog, on=date(2026, 6, 2), name="deposit-refunds").report
    assert again["steps"] == {"deposit.kept (late_payments)": 1}


def test_a_plan_sixty_days_behind_defaults_with_a_final_notice_and_the_delinquency_sweep_leaves_it_alone(
        committing_db, catalog):
    """Two installments, the first due May 1, nothing paid: 60 days behind on June 30; only plan-defaults acts."""
    with committing_db() as session, session.begin():
        account = create_account(session, cycle="B")
        charge(session, account.id, "200.00", on=date(2026, 4, 8), due_on=date(2026, 4, 29))
        case = create_case(session, subject_id=account.id, account_id=account.id, state="payment_plan",
                           fields={"period": "2026-04", "payment_plan_active": True, "plan_started_on": "2026-04-30",
                                   "plan_balance": "200.00", "installments": 2, "first_due": "2026-05-01"})
    assert sweep(committing_db, catalog, on=date(2026, 6, 30)).report["steps"] == {}
    walked = nights(committing_db, catalog, "plan-defaults", date(2026, 6, 28), date(2026, 7, 2))
    assert walked == [("2026-06-30", {"delinquency.plan_default": 1}, {"shutoff-notice/en": 1})]
    with committing_db() as session:
        after = session.get(Case, case.id)
        assert after.state == "plan_defaulted" and after.fields["payment_plan_active"] is False
        assert session.scalar(select(Notice.notice_type).where(Notice.case_id == case.id)) == "shutoff-notice"
