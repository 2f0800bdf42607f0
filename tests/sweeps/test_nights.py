"""Nights caught up, one collection notice a night, and a report whose exceptions say what was not done and why.

The small city: ten of thirty cycle B accounts owe the April bill, due 2026-04-29; the first
night they are past due is 2026-04-30. Here the sweeps did not run on time.
"""
from __future__ import annotations

import io
from datetime import date

from sqlalchemy import select

from engine.store.models import Case, CaseEvent, LedgerEntry, Notice, UtilityAccount
from tests.factories import create_account, create_case, create_license, save_city
from tests.sweeps.conftest import NIGHT, charge, pay, sweep
from webapp.cli.sweep import print_report

TODAY = date(2026, 5, 3)  # the machine was off from April 30 until May 3


def numbers(factory) -> dict[int, str]:
    """Account numbers by account id."""
    with factory() as session:
        return dict(session.execute(select(UtilityAccount.id, UtilityAccount.number)).all())


def test_nights_caught_up_mail_nothing_and_say_what_they_would_have_done(committing_db, catalog, city):
    """April 30 to May 2 run on May 3: cases open as of their night, no reminder and no late fee goes out; each
    night has an exception line per account naming the step, the notice and the fee held back."""
    owing = [account_id for n, account_id in enumerate(city) if n % 3 == 2]
    for night in (NIGHT, date(2026, 5, 1), date(2026, 5, 2)):
        report = sweep(committing_db, catalog, on=night, today=TODAY).report
        assert report["notices"] == {} and report["fees"] == {}
        assert report["caught_up_on"] == "2026-05-03"
        assert {line["kind"] for line in report["exceptions"]} == {"caught_up"}
        assert len(report["exceptions"]) == 10
    with committing_db() as session:
        cases = session.scalars(select(Case).order_by(Case.subject_id)).all()
        assert [(c.subject_id, c.state) for c in cases] == [(a, "past_due") for a in owing]
        assert {e.on_date for e in session.scalars(select(CaseEvent))} == {NIGHT}  # opened as of their night
        assert session.scalars(select(Notice)).all() == []
        assert session.scalars(select(LedgerEntry).where(LedgerEntry.kind == "fee")).all() == []
    line = report["exceptions"][0]
    assert line["subject"] == f"account {numbers(committing_db)[owing[0]]} (case {cases[0].id})"
    assert line["message"] == ("Mail the past-due reminder not taken: it mails the Past-Due Reminder and posts a fee "
                               "(Late payment penalty on utility bills), and May 2, 2026 is a night caught up on "
                               "May 3, 2026; tonight's run mails it with dates counted from tonight")


def test_tonight_mails_what_the_nights_caught_up_held_with_dates_from_tonight(committing_db, catalog, city):
    """May 3 itself: ten reminders dated May 3, the late fee posted that day, the shut-off notice day counted from
    the night (06-22, not the timeline's 06-18), and an exception line for each notice re-dated."""
    for night in (NIGHT, date(2026, 5, 1), date(2026, 5, 2)):
        sweep(committing_db, catalog, on=night, today=TODAY)
    report = sweep(committing_db, catalog, on=TODAY).report
    assert report["steps"] == {"delinquency.mail_reminder": 10}
    assert "caught_up_on" not in report
    with committing_db() as session:
        notices = session.scalars(select(Notice)).all()
        assert {(n.created_on, n.data["notice_date"], n.data["due_date"]) for n in notices} == {
            (TODAY, "2026-05-03", "2026-06-22")}
        assert {f.effective_on for f in session.scalars(select(LedgerEntry).where(LedgerEntry.kind == "fee"))} == {
            TODAY}
    assert {line["kind"] for line in report["exceptions"]} == {"re_dated"}
    assert all(line["message"].startswith("mail_reminder: the past-due-reminder re-dated from tonight: "
                                          "shutoff_notice_on 2026-06-22 (the timeline's shutoff_notice for 2026-04 "
                                          "is 2026-06-18") for line in report["exceptions"])


def test_a_step_that_mails_nothing_is_taken_as_of_its_night(committing_db, catalog, city):
    """Paid in full before a night caught up: the case resolves on that night, though the night mails nothing."""
    sweep(committing_db, catalog)  # April 30, on time: the reminders go out
    owing = city[2]
    with committing_db() as session, session.begin():
        balance = sum(session.scalars(select(LedgerEntry.amount_cents).where(LedgerEntry.account_id == owing)))
        pay(session, owing, f"{balance / 100:.2f}", on=date(2026, 5, 1))
    report = sweep(committing_db, catalog, on=date(2026, 5, 2), today=TODAY).report
    assert report["steps"] == {"delinquency.paid": 1}
    with committing_db() as session:
        case = session.scalar(select(Case).where(Case.subject_id == owing))
        assert case.state == "resolved" and case.events[-1].on_date == date(2026, 5, 2)


def test_an_account_gets_one_collection_notice_a_night_across_the_sweeps(committing_db, catalog):
    """An owner $300 past due since January, on a payment plan gone 60 days behind, with a lien case ready for its
    notice of intent: on April 30 plan-defaults mails the final shut-off notice, so the liens sweep's notice of
    intent waits for May 1 and says why."""
    with committing_db() as session, session.begin():
        save_city(session)
        account = create_account(session, cycle="B")
        charge(session, account.id, "300.00", on=date(2026, 1, 8), due_on=date(2026, 1, 29))
        create_case(session, subject_id=account.id, account_id=account.id, state="payment_plan",
                    fields={"period": "2026-01", "payment_plan_active": True, "plan_started_on": "2026-02-01",
                            "plan_balance": "300.00", "installments": 2, "first_due": "2026-03-01"})
        lien = create_case(session, workflow_id="liens", subject_type="lien", subject_id=account.id,
                           account_id=account.id, state="eligible")
        number = account.number
    plan = sweep(committing_db, catalog, on=NIGHT, name="plan-defaults").report
    assert plan["steps"] == {"delinquency.plan_default": 1} and plan["exceptions"] == []
    liens = sweep(committing_db, catalog, on=NIGHT, name="liens").report
    assert liens["steps"] == {} and liens["notices"] == {}
    [line] = liens["exceptions"]
    assert (line["subject"], line["kind"]) == (f"account {number} (case {lien.id})", "one_a_night")
    assert line["message"].startswith("Mail the notice of intent to lien waits for the next night: it mails the "
                                      "Notice of Intent to Record a Lien, and the account already has a Notice of "
                                      "Service Shut-Off tonight (notice ")
    next_night = sweep(committing_db, catalog, on=date(2026, 5, 1), name="liens").report
    assert next_night["notices"] == {"lien-intent/en": 1} and next_night["exceptions"] == []
    with committing_db() as session:
        mailed = session.execute(select(Notice.created_on, Notice.notice_type).where(
            Notice.subject_id == account.id).order_by(Notice.id)).all()
    assert mailed == [(NIGHT, "shutoff-notice"), (date(2026, 5, 1), "lien-intent")]


def test_the_report_lists_its_exceptions_by_account_with_the_reason_and_none_means_none(committing_db, catalog,
                                                                                           city):
    """A night on time prints `Exceptions: None`; a night caught up prints a line per account with kind and reason."""
    on_time, out = sweep(committing_db, catalog).report, io.StringIO()
    print_report(on_time, out)
    assert on_time["exceptions"] == [] and "Exceptions: None" in out.getvalue()
    caught_up, out = sweep(committing_db, catalog, on=date(2026, 6, 18), today=date(2026, 6, 20)).report, io.StringIO()
    print_report(caught_up, out)
    printed = out.getvalue()
    assert "Caught up on 2026-06-20: a night before that day mails no notice" in printed
    assert "Exceptions: 10" in printed
    for line in caught_up["exceptions"]:
        assert line["subject"].startswith("account B-")
        assert f"  {line['subject']}: [caught_up] Mail the shut-off notice not taken: it mails the Notice of Service " \
               "Shut-Off, and Jun 18, 2026 is a night caught up on Jun 20, 2026" in printed


def test_a_license_first_swept_in_its_grace_period_is_told_to_renew_by_the_grace_end(committing_db, catalog):
    """A license that expired 2026-12-31, swept first on 2027-01-10: its final reminder says renew by the end of
    the grace period (Sunday 01-31, so Monday 2027-02-01), never the expiry date already past."""
    with committing_db() as session, session.begin():
        save_city(session)
        lic = create_license(session)
    report = sweep(committing_db, catalog, on=date(2027, 1, 10), name="renewals").report
    assert report["steps"] == {"licensing.open": 1, "licensing.mail_final_reminder": 1}
    assert report["exceptions"] == []
    with committing_db() as session:
        final = session.scalar(select(Notice).where(Notice.subject_id == lic.id))
    assert (final.notice_type, final.data["due_date"]) == ("license-renewal-final", "2027-02-01")
