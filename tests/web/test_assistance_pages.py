"""Assistance programs on the pages: clerks enrol and end enrolments on the customer record; administrators ask for
the city's list of programs (a second person approves)."""
from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import func, select

from engine.accounts.assistance import city_programs
from engine.store.assistance import AssistanceEnrolment
from engine.store.models import AuditEntry, SettingChange
from tests.accounts.test_assistance_programs import PROGRAMS, set_programs
from tests.factories import create_account, create_customer
from tests.web.conftest import csrf_token
from tests.web.pages import TODAY, fixed_clock  # noqa: F401  (fixture)
from tests.web.test_access_matrix import ROLES, routes

MEDICAL = """\
- {id: cap, name: {en: Customer Assistance Program, es: Programa de Asistencia al Cliente}, counts_as_low_income: true}
- {id: medical_baseline, name: {en: Medical Baseline}, counts_as_low_income: false}
"""


def visible(page: str) -> str:
    """The page's text without tags, its spaces made single."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def test_a_clerk_enrols_a_customer_and_sets_the_last_day(fixed_clock, clerk, db):
    account = create_account(db, customer=create_customer(db))
    response = clerk.post(f"/accounts/{account.number}/customer/assistance",
                          data={"enrol-program": "cap", "enrol-starts_on": "2026-01-15", "enrol-ends_on": ""})
    assert response.status_code == 302
    record = visible(clerk.get(f"/accounts/{account.number}/customer").get_data(as_text=True))
    assert "Customer Assistance Program enrolled today Jan 15, 2026 no end set" in record
    assert "Enrolled in Customer Assistance Program from Jan 15, 2026, no end set." in record
    shown = visible(clerk.get(f"/accounts/{account.number}").get_data(as_text=True))
    assert "Assistance programs Customer Assistance Program" in shown
    enrolment = db.scalar(select(AssistanceEnrolment))
    response = clerk.post(f"/accounts/{account.number}/customer/assistance/{enrolment.id}/end",
                          data={"ends_on": "2026-03-01"})
    assert response.status_code == 302
    record = visible(clerk.get(f"/accounts/{account.number}/customer").get_data(as_text=True))
    assert "Customer Assistance Program Jan 15, 2026 Mar 1, 2026" in record  # ended yesterday: not enrolled today
    assert "Customer Assistance Program: enrolled through Mar 1, 2026 (before: no end)." in record
    assert "Assistance programs" not in visible(clerk.get(f"/accounts/{account.number}").get_data(as_text=True))


def test_a_bad_enrolment_comes_back_with_the_message_and_nothing_saved(fixed_clock, clerk, db):
    account = create_account(db)
    audited = count(db, AuditEntry)
    unknown = clerk.post(f"/accounts/{account.number}/customer/assistance",
                         data={"enrol-program": "lifeline", "enrol-starts_on": "2026-01-15"})
    assert unknown.status_code == 400
    assert "Program: &#39;lifeline&#39; is not one of the city&#39;s assistance programs" in unknown.get_data(as_text=True)
    backwards = clerk.post(f"/accounts/{account.number}/customer/assistance",
                           data={"enrol-program": "cap", "enrol-starts_on": "2026-02-01",
                                 "enrol-ends_on": "2026-01-01"})
    assert backwards.status_code == 400
    assert "Enrolled through: not before the first day enrolled (2026-02-01)" in backwards.get_data(as_text=True)
    no_day = clerk.post(f"/accounts/{account.number}/customer/assistance", data={"enrol-program": "cap"})
    assert no_day.status_code == 400 and "Choose the first day enrolled." in no_day.get_data(as_text=True)
    someone_else = create_customer(db, low_income=True)
    theirs = db.scalar(select(AssistanceEnrolment).where(AssistanceEnrolment.customer_id == someone_else.id))
    other = clerk.post(f"/accounts/{account.number}/customer/assistance/{theirs.id}/end", data={"ends_on": "2026-03-01"})
    assert other.status_code == 404
    assert count(db, AssistanceEnrolment) == 1 and count(db, AuditEntry) == audited
    db.refresh(theirs)
    assert theirs.ends_on is None


def test_an_enrolment_form_without_its_csrf_token_is_refused(app, clerk, db):
    app.config["WTF_CSRF_ENABLED"] = True
    account = create_account(db)
    refused = clerk.post(f"/accounts/{account.number}/customer/assistance",
                         data={"enrol-program": "cap", "enrol-starts_on": "2026-01-15"})
    assert refused.status_code == 400 and count(db, AssistanceEnrolment) == 0
    token = csrf_token(clerk.get(f"/accounts/{account.number}/customer"))
    taken = clerk.post(f"/accounts/{account.number}/customer/assistance",
                       data={"enrol-program": "cap", "enrol-starts_on": "2026-01-15", "enrol-csrf_token": token})
    assert taken.status_code == 302 and count(db, AssistanceEnrolment) == 1


def test_an_administrator_asks_for_the_programs_and_a_second_one_approves(fixed_clock, admin, login_as, db):
    page = visible(admin.get("/admin/assistance-programs").get_data(as_text=True))
    assert "Customer Assistance Program Programa de Asistencia al Cliente cap yes" in page
    response = admin.post("/admin/assistance-programs", data={"programs": MEDICAL})
    assert response.status_code == 302
    assert [p.id for p in city_programs(db)] == ["cap"]  # waiting for a second person
    change = db.scalar(select(SettingChange).where(SettingChange.setting == "assistance_programs"))
    assert change.status == "pending"
    second = login_as("admin", username="second_admin")
    assert second.post(f"/admin/changes/{change.id}/approve").status_code == 302
    assert [p.id for p in city_programs(db)] == ["cap", "medical_baseline"]
    account = create_account(db)
    record = admin.get(f"/accounts/{account.number}/customer").get_data(as_text=True)
    assert '<option value="medical_baseline">Medical Baseline</option>' in record


def test_a_bad_program_list_is_refused_with_its_message_and_nothing_asked(fixed_clock, admin, db):
    for typed, message in (("- {id: cap, name: [x], counts_as_low_income: true}", "English required"),
                           ("- {id: cap", "Programs: not YAML (line"),
                           ("- {id: cap, name: 2026-02-30}", "Programs: not readable (day is out of range for month)"),
                           ("- {id: Bad Id, name: Bad, counts_as_low_income: true}", "id &#39;Bad Id&#39; must start")):
        response = admin.post("/admin/assistance-programs", data={"programs": typed})
        assert response.status_code == 400 and message in response.get_data(as_text=True), typed
    assert count(db, SettingChange) == 0


def test_the_assistance_routes_are_in_the_access_matrix(app):
    """Clerks, supervisors and administrators enrol; only administrators define the programs."""
    declared = {(rule.rule, method): roles for rule, method, roles, _ in routes(app)
                if "assistance" in rule.rule}
    staff, admins = frozenset(ROLES), frozenset({"admin"})
    assert declared == {("/accounts/<number>/customer/assistance", "POST"): staff,
                        ("/accounts/<number>/customer/assistance/<int:enrolment_id>/end", "POST"): staff,
                        ("/admin/assistance-programs", "GET"): admins,
                        ("/admin/assistance-programs", "POST"): admins}


SENIOR_DISCOUNT = """\
id: senior-discount
kind: schedule
title: Senior discount on the water bill
inputs:
  assistance_programs: {type: list, default: []}
versions:
  - effective: 2026-01-01
    lines:
      - name: Senior discount
        when: {fact: assistance_programs, contains: senior}
        amount: 5.00
        credit: true
"""


def test_the_rules_page_evaluates_a_list_fact_typed_with_commas(fixed_clock, supervisor, db):
    """A schedule reading the programs is tried on the Rules page: the ids typed separated by commas."""
    from engine.rulebook import store
    from engine.rules.loader import load_document
    from tests.factories import NOW

    rules = store.read_folder(Path(__file__).resolve().parents[2] / "rules")
    set_programs(db, PROGRAMS)  # a document may name only the programs the city runs
    store.import_documents(db, [*rules, load_document(SENIOR_DISCOUNT, "senior-discount.yaml")], actor="test",
                           now=NOW, today=TODAY)  # the city's first set-up: published
    senior = supervisor.post("/rules/senior-discount/evaluate", data={
        "as_of": "2026-03-02", "fact_assistance_programs": "cap, senior"})
    assert senior.status_code == 200
    shown = visible(senior.get_data(as_text=True))
    assert "Senior discount fixed amount 5.00 $5.00 Total $5.00" in shown
    none = supervisor.post("/rules/senior-discount/evaluate", data={"as_of": "2026-03-02",
                                                                     "fact_assistance_programs": ""})
    assert none.status_code == 200 and "Total $0.00" in visible(none.get_data(as_text=True))


def test_a_criteria_document_reading_the_programs_opens_in_the_form_editor(fixed_clock, supervisor, db):
    """"Change it in a form" shows the decision table of a document that compares the list."""
    from engine.rulebook import store
    from engine.rules.loader import load_document
    from tests.accounts.test_assistance_programs import MEDICAL_HOLD
    from tests.factories import NOW

    rules = store.read_folder(Path(__file__).resolve().parents[2] / "rules")
    set_programs(db, PROGRAMS)
    store.import_documents(db, [*rules, load_document(MEDICAL_HOLD, "medical-baseline-hold.yaml")], actor="test",
                           now=NOW, today=TODAY)
    page = supervisor.get("/rules/medical-baseline-hold/edit")
    assert page.status_code == 200
    shown = visible(page.get_data(as_text=True))
    assert ("Hold, medical baseline assistance_programs contains &#39;medical_baseline&#39; any any false "
            "medical_baseline") in shown


def test_a_program_a_published_rule_still_names_is_kept_at_the_ask_and_at_the_approval(fixed_clock, admin, login_as,
                                                                                        db):
    """medical-baseline-hold (in force from 2026-01-01) names medical_baseline and senior: a list leaving one out is
    refused on the page naming the document and its version, nothing asked; a list asked for before the document
    was published is refused at the approval, and stays waiting."""
    from engine.rulebook import store
    from engine.rules.loader import load_document
    from tests.accounts.test_assistance_programs import MEDICAL_HOLD
    from tests.factories import NOW

    set_programs(db, PROGRAMS)
    second = login_as("admin", username="second_admin")
    asked_before = admin.post("/admin/assistance-programs", data={"programs": MEDICAL})  # leaves senior out
    assert asked_before.status_code == 302
    change = db.scalar(select(SettingChange).where(SettingChange.status == "pending"))
    store.import_documents(db, [load_document(MEDICAL_HOLD, "medical-baseline-hold.yaml")], actor="test", now=NOW,
                           today=TODAY)
    db.commit()
    approved = second.post(f"/admin/changes/{change.id}/approve", follow_redirects=True)
    assert ("assistance programs: &#39;senior&#39; is named by criteria medical-baseline-hold, version effective "
            "Jan 1, 2026 (revision 1).") in approved.get_data(as_text=True)
    db.refresh(change)
    assert change.status == "pending" and [p.id for p in city_programs(db)] == ["cap", "medical_baseline", "senior"]
    second.post(f"/admin/changes/{change.id}/refuse")
    asked = count(db, SettingChange)
    only_cap = MEDICAL.splitlines()[0] + "\n"
    refused = admin.post("/admin/assistance-programs", data={"programs": only_cap})
    assert refused.status_code == 400
    assert ("assistance programs: &#39;medical_baseline&#39; is named by criteria medical-baseline-hold, version "
            "effective 2026-01-01 (revision 1); &#39;senior&#39; is named by criteria medical-baseline-hold, version "
            "effective 2026-01-01 (revision 1). A condition naming a program the city does not run would never "
            "match") in refused.get_data(as_text=True)
    assert count(db, SettingChange) == asked
