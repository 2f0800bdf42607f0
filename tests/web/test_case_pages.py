"""The work queue and the case page: steps with forms, refusals with reasons, stale versions refused."""
from __future__ import annotations

import html
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from engine.store.models import Case, CaseEvent, Notice
from tests.factories import create_account, create_case, save_city
from tests.web.pages import assert_download_audited, audited_downloads, charge, fixed_clock  # noqa: F401  (fixture)
from samplecity.city import APPROVAL_ROLE_IDS


def reminded_case(db) -> Case:
    """A delinquency case, reminder mailed, on an account with $120.00 past due since February 5."""
    save_city(db)
    account = create_account(db)
    charge(db, account, "120.00", on=date(2026, 1, 15), due_on=date(2026, 2, 5))
    return create_case(db, subject_id=account.id, account_id=account.id, state="reminded",
                       fields={"period": "2026-01"})


def events_of(db, case_id: int) -> int:
    """How many events a case has."""
    return db.scalar(select(func.count()).select_from(CaseEvent).where(CaseEvent.case_id == case_id))


@pytest.mark.parametrize("role", ["clerk", "supervisor", "admin"])
def test_every_staff_role_opens_the_queue_and_a_case(fixed_clock, login_as, db, role):
    case = reminded_case(db)
    client = login_as(role)
    assert client.get("/cases/").status_code == 200
    assert client.get(f"/cases/{case.id}").status_code == 200


def test_the_queue_counts_open_cases_by_state_and_lists_a_filtered_page(fixed_clock, clerk, db):
    cases = [reminded_case(db) for _ in range(3)]
    create_case(db, state="past_due")
    page = clerk.get("/cases/", query_string={"workflow": "delinquency", "state": "reminded"}).get_data(as_text=True)
    assert "Reminder mailed" in page
    for case in cases:
        assert f'href="/cases/{case.id}"' in page
    second = clerk.get("/cases/", query_string={"workflow": "delinquency", "state": "reminded",
                                                "after": cases[1].id}).get_data(as_text=True)
    assert f'href="/cases/{cases[2].id}"' in second and f'href="/cases/{cases[0].id}"' not in second


def test_the_dashboard_and_the_queue_name_workflows_and_states_in_the_city_s_words(fixed_clock, clerk, db):
    """They showed the ids: "delinquency", "reminded" (and the queue's list "delinquency"), where the case page
    says "Utility delinquency and shut-off" and "Reminder mailed"."""
    reminded_case(db)
    for page in (clerk.get("/").get_data(as_text=True),
                 clerk.get("/cases/", query_string={"workflow": "delinquency", "state": "reminded"}).get_data(
                     as_text=True)):
        assert "<td>Utility delinquency and shut-off</td>" in page and "Reminder mailed" in page
        assert "<td>delinquency</td>" not in page and "<td>reminded</td>" not in page
    queue = clerk.get("/cases/", query_string={"workflow": "delinquency", "state": "reminded"}).get_data(as_text=True)
    assert "Open cases: Utility delinquency and shut-off, Reminder mailed</h2>" in queue


def test_bad_case_addresses_are_404s_that_say_why(clerk):
    assert "is not a case number" in clerk.get("/cases/abc").get_data(as_text=True)
    assert clerk.get("/cases/abc").status_code == 404
    missing = clerk.get("/cases/987654321")
    assert missing.status_code == 404 and "There is no case 987654321." in missing.get_data(as_text=True)


def test_the_case_page_shows_facts_allowed_steps_and_refused_steps_with_why(fixed_clock, clerk, db):
    case = reminded_case(db)
    page = clerk.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Reminder mailed" in page
    assert "What was due before the day and is unpaid." in page  # a fact's sentence, beside its label
    assert '<dt>Past due</dt><dd id="standing-past-due-balance" class="bad-text">$120.00</dd>' in page  # at the top
    assert "Arrange a payment plan" in page and 'name="arrange_plan-installments"' in page
    assert f'name="arrange_plan-version" type="hidden" value="{case.version}"' in page
    assert 'disabled aria-describedby="why-medical_hold">Hold for a medical certificate' in page  # greyed, with why
    assert "this step needs the role supervisor; you are a clerk" in page


def test_a_clerk_arranges_a_payment_plan_through_the_form(fixed_clock, clerk, db):
    case = reminded_case(db)
    response = clerk.post(f"/cases/{case.id}/steps/arrange_plan", data={
        "arrange_plan-version": case.version, "arrange_plan-installments": "3",
        "arrange_plan-first_due": "2026-03-20"})
    assert response.status_code == 302, response.get_data(as_text=True)
    db.expire_all()
    case = db.get(Case, case.id)
    assert case.state == "payment_plan"
    event = db.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id.desc())).first()
    assert event.actor == clerk.user.username and event.form == {"installments": 3, "first_due": "2026-03-20"}
    page = clerk.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f"case {case.id} is now payment arrangement." in page  # the state's label, not payment_plan's words
    assert "Payment arrangement" in page and "After the down payment, monthly installments: 3" in page
    assert "First installment due: Mar 20, 2026" in page
    notice = db.scalar(select(Notice).where(Notice.case_id == case.id))
    assert notice.notice_type == "payment-plan-agreement"
    pdf = clerk.get(f"/cases/{case.id}/notices/{notice.id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF") and pdf.mimetype == "application/pdf"


def test_a_bad_step_form_shows_its_message_and_applies_nothing(fixed_clock, clerk, db):
    case = reminded_case(db)
    before = events_of(db, case.id)
    response = clerk.post(f"/cases/{case.id}/steps/arrange_plan", data={
        "arrange_plan-version": case.version, "arrange_plan-installments": "20", "arrange_plan-first_due": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "installments must be from 2 to" in page.lower()  # the limits the workflow sets
    assert "First installment due is required." in page or "is required." in page
    db.expire_all()
    assert db.get(Case, case.id).state == "reminded" and events_of(db, case.id) == before


def test_a_refused_step_shows_the_engines_reasons_and_changes_nothing(fixed_clock, clerk, db):
    case = reminded_case(db)
    page = clerk.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Hold for a medical certificate" in page and "this step needs the role supervisor; you are a clerk" in page
    response = clerk.post(f"/cases/{case.id}/steps/medical_hold", data={
        "medical_hold-version": case.version, "medical_hold-certificate_received": "2026-03-01",
        "medical_hold-hold_reason": "certificate from Dr. Alvarez"})
    assert response.status_code == 400
    assert "was not taken" in response.get_data(as_text=True)
    assert "this step needs the role supervisor; you are a clerk" in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(Case, case.id).state == "reminded" and events_of(db, case.id) == 0


def test_a_stale_version_gets_the_conflict_page_and_nothing_is_applied(fixed_clock, clerk, db):
    case = reminded_case(db)
    seen = case.version
    case.fields = {**case.fields, "appeal_pending": False}  # someone else saves the case meanwhile
    db.flush()
    assert case.version == seen + 1
    before = events_of(db, case.id)
    response = clerk.post(f"/cases/{case.id}/steps/arrange_plan", data={
        "arrange_plan-version": seen, "arrange_plan-installments": "3", "arrange_plan-first_due": "2026-03-20"})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "This case changed since you opened it" in page and f'href="/cases/{case.id}"' in page
    db.expire_all()
    assert db.get(Case, case.id).state == "reminded" and events_of(db, case.id) == before


@pytest.mark.parametrize("seen", ["²", "١", "99"])
def test_a_version_the_case_never_had_is_refused_as_a_form_not_from_its_page(fixed_clock, clerk, db, seen):
    """The hidden version passed isdigit(): "²" was a ValueError out of int() (a 500), "١" was read as version 1;
    then each was the conflict page, which says someone else took a step when no one did."""
    case = reminded_case(db)
    before = events_of(db, case.id)
    response = clerk.post(f"/cases/{case.id}/steps/arrange_plan", data={
        "arrange_plan-version": seen, "arrange_plan-installments": "3", "arrange_plan-first_due": "2026-03-20"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "This case changed since you opened it" not in page
    assert f"the form does not come from case {case.id} as it stands" in page and "nothing was taken" in page
    db.expire_all()
    assert db.get(Case, case.id).state == "reminded" and events_of(db, case.id) == before


def test_a_step_from_a_page_left_behind_by_another_step_gets_the_conflict_page(fixed_clock, login_as, db):
    from engine.workflow import services
    from tests.web.pages import REPO
    case = reminded_case(db)
    seen = case.version
    supervisor = login_as("supervisor")
    services.take_step(db, services.Catalog.load(REPO / "rules", REPO / "workflows", APPROVAL_ROLE_IDS), case.id, "medical_hold",
                       user=supervisor.user.username, on=date(2026, 3, 2), now=case.opened_at,
                       form={"certificate_received": "2026-03-01", "hold_reason": "certificate"}, version=seen)
    clerk = login_as("clerk")
    response = clerk.post(f"/cases/{case.id}/steps/arrange_plan", data={
        "arrange_plan-version": seen, "arrange_plan-installments": "3", "arrange_plan-first_due": "2026-03-20"})
    assert response.status_code == 409 and "This case changed since you opened it" in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(Case, case.id).state == "on_hold"


def test_a_step_without_the_version_seen_is_refused_as_a_conflict(fixed_clock, clerk, db):
    case = reminded_case(db)
    response = clerk.post(f"/cases/{case.id}/steps/arrange_plan", data={
        "arrange_plan-installments": "3", "arrange_plan-first_due": "2026-03-20"})
    assert response.status_code in (400, 409)
    db.expire_all()
    assert db.get(Case, case.id).state == "reminded" and events_of(db, case.id) == 0


def test_the_plan_form_shows_the_installments_before_anything_is_saved(fixed_clock, clerk, db):
    """"Show the installments" re-renders the form with the letter's figures; "Arrange a payment plan" then saves."""
    case = reminded_case(db)
    page = clerk.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'name="arrange_plan-preview"' in page and 'value="Show the installments"' in page
    form = {"arrange_plan-version": case.version, "arrange_plan-installments": "3",
            "arrange_plan-first_due": "2026-03-20"}
    shown = clerk.post(f"/cases/{case.id}/steps/arrange_plan", data={**form, "arrange_plan-preview": "y"})
    page = shown.get_data(as_text=True)
    assert shown.status_code == 200, page
    assert "The payment plan agreement will say" in page and "Nothing has been saved yet." in page
    for figure in ("$120.00", "$12.00", "$108.00", "<td>$36.00</td>"):  # balance, 10% down, installments, each
        assert figure in page
    assert 'value="3"' in page and 'value="2026-03-20"' in page  # the form keeps what was typed
    db.expire_all()
    assert (db.get(Case, case.id).state, events_of(db, case.id)) == ("reminded", 0)
    assert db.scalar(select(func.count()).select_from(Notice).where(Notice.case_id == case.id)) == 0
    taken = clerk.post(f"/cases/{case.id}/steps/arrange_plan", data=form)
    assert taken.status_code == 302
    db.expire_all()
    assert db.get(Case, case.id).state == "payment_plan"
    notice = db.scalar(select(Notice).where(Notice.case_id == case.id))
    assert [i["amount"] for i in notice.data["installments"]] == ["36.00", "36.00", "36.00"]


def test_a_preview_that_the_engine_refuses_says_why_and_keeps_nothing(fixed_clock, clerk, db):
    case = reminded_case(db)
    shown = clerk.post(f"/cases/{case.id}/steps/arrange_plan", data={
        "arrange_plan-version": case.version + 5, "arrange_plan-installments": "3",
        "arrange_plan-first_due": "2026-03-20", "arrange_plan-preview": "y"})
    assert shown.status_code == 400  # a version the case never had: not the conflict page, no one else moved it
    assert f"the form does not come from case {case.id} as it stands" in shown.get_data(as_text=True)
    db.expire_all()
    assert events_of(db, case.id) == 0


def test_a_notice_sent_in_spanish_has_its_english_twin_with_the_same_figures(fixed_clock, clerk, db):
    """A payment plan agreed with a Spanish-speaking customer: the agreement in Spanish as kept, and its English twin
    rendered from the same data on demand (nothing new kept); an English notice offers no twin."""
    import subprocess

    from tests.factories import create_customer

    save_city(db)
    account = create_account(db, customer=create_customer(db, language="es"))
    charge(db, account, "120.00", on=date(2026, 1, 15), due_on=date(2026, 2, 5))
    case = create_case(db, subject_id=account.id, account_id=account.id, state="reminded", fields={"period": "2026-01"})
    clerk.post(f"/cases/{case.id}/steps/arrange_plan", data={
        "arrange_plan-version": case.version, "arrange_plan-installments": "3", "arrange_plan-first_due": "2026-03-20"})
    notice = db.scalar(select(Notice).where(Notice.case_id == case.id))
    assert notice.language == "es"
    page = clerk.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f"/cases/{case.id}/notices/{notice.id}/english.pdf" in page

    def words(pdf: bytes) -> str:
        return " ".join(subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True,
                                       check=True).stdout.decode().split())

    kept = clerk.get(f"/cases/{case.id}/notices/{notice.id}.pdf").data
    notices_before = db.scalar(select(func.count()).select_from(Notice))
    twin = clerk.get(f"/cases/{case.id}/notices/{notice.id}/english.pdf")
    assert twin.status_code == 200 and twin.mimetype == "application/pdf"
    spanish, english = words(kept), words(twin.data)
    assert "Convenio de plan de pagos" in spanish and "2 de marzo de 2026" in spanish
    assert "Payment plan agreement" in english.lower().capitalize() or "payment plan" in english.lower()
    assert "March 2, 2026" in english and "Convenio" not in english
    figures = lambda text: sorted(re.findall(r"\$[\d,]+\.\d\d", text))  # noqa: E731
    assert figures(english) == figures(spanish) and figures(english)
    assert db.scalar(select(func.count()).select_from(Notice)) == notices_before
    assert clerk.get(f"/cases/{case.id}/notices/999999/english.pdf").status_code == 404
    as_kept, in_english = audited_downloads(db)  # one row a download, none for the refused one
    assert_download_audited(in_english, twin.data, twin.headers["Content-Disposition"], clerk.user.username, 1)
    assert (as_kept.detail["what"], in_english.detail["what"]) == ("A notice of a case", "A notice of a case, in English")
    assert in_english.detail["filters"] == {"case": case.id, "notice": notice.id}


def test_a_step_keeps_the_reads_of_its_offer_but_re_checks_on_fresh_ones_and_keeps_nothing_after(
        fixed_clock, clerk, db, monkeypatch):
    """The case page and a step's post keep their reads for the request (the offered steps' facts are read once);
    the step itself starts with nothing kept, so it re-checks on what is there with the case locked."""
    from sqlalchemy import event
    from engine.store.kept_reads import KEPT_READS
    from engine.workflow import services

    case = reminded_case(db)
    seen_at_take, real_take = [], services.take_step

    def take(session, *args, **kwargs):
        seen_at_take.append(dict(session.info.get(KEPT_READS, {"outside": True})))
        return real_take(session, *args, **kwargs)

    monkeypatch.setattr(services, "take_step", take)
    orders = []
    listener = lambda conn, cur, statement, params, *_: orders.append(params) if (  # noqa: E731
        "FROM rule_versions" in statement and "payment-order" in str(params)) else None
    event.listen(db.get_bind(), "before_cursor_execute", listener)
    try:
        assert clerk.get(f"/cases/{case.id}").status_code == 200
        page_reads, orders[:] = len(orders), []
        response = clerk.post(f"/cases/{case.id}/steps/arrange_plan", data={
            "arrange_plan-version": case.version, "arrange_plan-installments": "3",
            "arrange_plan-first_due": "2026-03-20"})
    finally:
        event.remove(db.get_bind(), "before_cursor_execute", listener)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert seen_at_take == [{}]  # inside the request's keeping, nothing kept when the step starts
    assert page_reads <= 1 and len(orders) <= 2  # once for the offer, once for the step (13 before)
    assert KEPT_READS not in db.info
    db.expire_all()
    assert db.get(Case, case.id).state == "payment_plan"


@pytest.mark.parametrize("data", [
    {"record_shutoff-version": "{version}", "record_shutoff-meter_reading": "1234"},  # the step's own form, forged
    {"arrange_plan-version": "{version}", "arrange_plan-installments": "3"},  # another step's form sent to it
    {},  # no form at all
])
def test_a_step_the_case_state_does_not_have_says_so_and_changes_nothing(fixed_clock, clerk, db, data):
    """A step of another state posted to a case no one else moved: not the conflict page (which says someone else
    took a step), but what is wrong, in the city's words."""
    case = reminded_case(db)
    before = (events_of(db, case.id), case.version)
    response = clerk.post(f"/cases/{case.id}/steps/record_shutoff",
                          data={key: value.format(version=case.version) for key, value in data.items()})
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400 and "This case changed since you opened it" not in page
    assert "“Record the shut-off” is not a step of a case in state Reminder mailed" in page
    db.expire_all()
    assert (db.get(Case, case.id).state, events_of(db, case.id), db.get(Case, case.id).version) == (
        "reminded", *before)


def test_a_step_no_workflow_has_is_named_as_typed_and_changes_nothing(fixed_clock, clerk, db):
    case = reminded_case(db)
    response = clerk.post(f"/cases/{case.id}/steps/pay_it_all", data={"pay_it_all-version": case.version})
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400 and "This case changed since you opened it" not in page
    assert "“Pay it all” is not a step of a case in state Reminder mailed" in page
    db.expire_all()
    assert db.get(Case, case.id).state == "reminded" and events_of(db, case.id) == 0


def test_a_step_of_the_state_the_case_has_left_still_gets_the_conflict_page(fixed_clock, login_as, db):
    """The page was drawn while the case was reminded; another person moved it on: the case really changed."""
    from engine.workflow import services
    from tests.web.pages import REPO
    case = reminded_case(db)
    seen = case.version
    supervisor = login_as("supervisor")
    services.take_step(db, services.Catalog.load(REPO / "rules", REPO / "workflows", APPROVAL_ROLE_IDS), case.id,
                       "medical_hold", user=supervisor.user.username, on=date(2026, 3, 2), now=case.opened_at,
                       form={"certificate_received": "2026-03-01", "hold_reason": "certificate"}, version=seen)
    response = login_as("clerk").post(f"/cases/{case.id}/steps/mail_shutoff_notice",
                                      data={"mail_shutoff_notice-version": seen})
    assert response.status_code == 409 and "This case changed since you opened it" in response.get_data(as_text=True)
