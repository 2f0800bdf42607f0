"""Assistance programs as city data: dated enrolments, the facts they give, the migration that made them, and a
criteria document that reads them on a real account."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import MetaData, func, insert, select, text

from engine import city as city_module, two_person
from engine.accounts import assistance
from engine.accounts.assistance import AssistanceError, enrol, end_enrolment, programs_on
from engine.accounts.customer_record import record_history
from engine.accounts.facts import facts_for_account, facts_for_accounts
from engine.city import CityError
from engine.money import ledger
from engine.rules.criteria import evaluate_batch
from engine.rules.loader import load_document
from engine.store.assistance import AssistanceEnrolment
from engine.store.models import AuditEntry, Customer, User
from tests.factories import NOW, create_account, create_customer, save_city
from tests.ledger.billing_support import library

TODAY = date(2026, 6, 1)
PROGRAMS = [
    {"id": "cap", "name": {"en": "Customer Assistance Program", "es": "Programa de Asistencia al Cliente"},
     "counts_as_low_income": True},
    {"id": "medical_baseline", "name": {"en": "Medical Baseline", "es": "Línea base médica"},
     "counts_as_low_income": False},
    {"id": "senior", "name": {"en": "Senior discount"}, "counts_as_low_income": True},
]


def set_programs(db, programs: list[dict]) -> None:
    """The city's programs, the two-person way: one administrator asks, another approves."""
    for name in ("prog_ada", "prog_ben"):
        if db.scalar(select(User).where(User.username == name)) is None:
            db.add(User(username=name, full_name=name, role="admin", password_hash="-", created_at=NOW))
    db.flush()
    change = two_person.ask_city_change(db, "assistance_programs", programs, actor="prog_ada", now=NOW)
    two_person.approve(db, change.id, actor="prog_ben", now=NOW)


@pytest.fixture()
def city(db):
    save_city(db)
    set_programs(db, PROGRAMS)
    return db


def audit_count(db) -> int:
    return db.scalar(select(func.count()).select_from(AuditEntry))


def test_an_enrolment_counts_from_its_first_day_through_its_last(city):
    db = city
    customer = create_customer(db)
    account = create_account(db, customer=customer)
    enrol(db, customer.id, "senior", starts_on=TODAY - timedelta(days=365), ends_on=TODAY - timedelta(days=1),
          actor="carla", now=NOW)
    enrol(db, customer.id, "medical_baseline", starts_on=TODAY, ends_on=None, actor="carla", now=NOW)
    facts = facts_for_account(db, account.id, TODAY, library())
    # the senior discount ended yesterday: it neither shows nor makes the customer low income
    assert facts["assistance_programs"] == ["medical_baseline"] and facts["low_income"] is False
    yesterday = facts_for_account(db, account.id, TODAY - timedelta(days=1), library())
    assert yesterday["assistance_programs"] == ["senior"] and yesterday["low_income"] is True
    assert programs_on(db, [customer.id], TODAY - timedelta(days=366)) == {customer.id: []}


def test_ending_an_enrolment_is_audited_and_shows_in_the_record_history(city):
    db = city
    customer = create_customer(db)
    account = create_account(db, customer=customer)
    row = enrol(db, customer.id, "cap", starts_on=date(2026, 1, 1), ends_on=None, actor="carla", now=NOW)
    assert facts_for_account(db, account.id, TODAY, library())["low_income"] is True
    end_enrolment(db, customer.id, row.id, ends_on=date(2026, 5, 31), actor="sam", now=NOW)
    assert facts_for_account(db, account.id, TODAY, library())["low_income"] is False
    words = [change.words for change in record_history(db, account)]
    assert words[:2] == ["Customer Assistance Program: enrolled through 2026-05-31 (before: no end).",
                         "Enrolled in Customer Assistance Program from 2026-01-01, no end set."]
    assert assistance.names_on(db, customer.id, date(2026, 5, 31), "es") == ["Programa de Asistencia al Cliente"]


@pytest.mark.parametrize("program, starts_on, ends_on, message", [
    ("lifeline", date(2026, 1, 1), None, "Program: 'lifeline' is not one of the city's assistance programs"),
    ("senior", date(2026, 3, 1), date(2026, 2, 1), "Enrolled through: not before the first day enrolled (2026-03-01)"),
    ("cap", date(2026, 4, 1), None, "the customer is enrolled in Customer Assistance Program from 2026-01-01 already"),
])
def test_a_bad_enrolment_is_refused_with_its_reason_and_changes_nothing(city, program, starts_on, ends_on, message):
    db = city
    customer = create_customer(db)
    enrol(db, customer.id, "cap", starts_on=date(2026, 1, 1), ends_on=None, actor="carla", now=NOW)
    rows, audited = db.scalar(select(func.count()).select_from(AssistanceEnrolment)), audit_count(db)
    with pytest.raises(AssistanceError, match=message.replace("(", r"\(").replace(")", r"\)")):
        enrol(db, customer.id, program, starts_on=starts_on, ends_on=ends_on, actor="carla", now=NOW)
    assert db.scalar(select(func.count()).select_from(AssistanceEnrolment)) == rows and audit_count(db) == audited


def test_an_end_before_the_start_or_of_another_customer_is_refused(city):
    db = city
    customer, other = create_customer(db), create_customer(db)
    row = enrol(db, customer.id, "cap", starts_on=date(2026, 1, 1), ends_on=None, actor="carla", now=NOW)
    with pytest.raises(AssistanceError, match="not before the first day enrolled"):
        end_enrolment(db, customer.id, row.id, ends_on=date(2025, 12, 31), actor="carla", now=NOW)
    with pytest.raises(AssistanceError, match=f"The customer has no enrolment number {row.id}"):
        end_enrolment(db, other.id, row.id, ends_on=date(2026, 2, 1), actor="carla", now=NOW)
    db.refresh(row)
    assert row.ends_on is None


def test_an_end_more_than_ten_years_ahead_or_before_1900_is_refused_by_field(city):
    """Enrolled through may be years ahead (a re-certification), but not past END_YEARS_AHEAD: 9999-12-31 typed in a
    date box is refused with the field named, whether enrolling or ending, and changes nothing."""
    db = city
    customer = create_customer(db)
    latest = NOW.date() + timedelta(days=3660)  # ten years of 366 days
    rows, audited = db.scalar(select(func.count()).select_from(AssistanceEnrolment)), audit_count(db)
    for ends_on in (latest + timedelta(days=1), date(9999, 12, 31)):
        with pytest.raises(AssistanceError, match=rf"Enrolled through: at most 10 years ahead \(by {latest}\), "
                                                  rf"not {ends_on}"):
            enrol(db, customer.id, "cap", starts_on=date(2026, 1, 1), ends_on=ends_on, actor="carla", now=NOW)
    assert db.scalar(select(func.count()).select_from(AssistanceEnrolment)) == rows and audit_count(db) == audited
    row = enrol(db, customer.id, "cap", starts_on=date(2026, 1, 1), ends_on=latest, actor="carla", now=NOW)
    for ends_on, message in ((date(9999, 12, 31), "Enrolled through: at most 10 years ahead"),
                             (date(1899, 12, 31), "Enrolled through: not before 1900-01-01")):
        with pytest.raises(AssistanceError, match=message):
            end_enrolment(db, customer.id, row.id, ends_on=ends_on, actor="sam", now=NOW)
    db.refresh(row)
    assert row.ends_on == latest


@pytest.mark.parametrize("programs, message", [
    ([{"id": "Medical", "name": {"en": "Medical"}, "counts_as_low_income": False}], "id 'Medical' must start"),
    ([{"id": "med", "name": {"fr": "Médical"}, "counts_as_low_income": False}], "English required"),
    ([{"id": "med", "name": "Medical", "counts_as_low_income": "yes"}], "counts_as_low_income is true or false"),
    ([{"id": "med", "name": "Medical"}], "needs exactly id, name, counts_as_low_income"),
    ([], "a list of programs"),
])
def test_a_bad_program_list_is_refused_by_name(city, programs, message):
    with pytest.raises(CityError, match=message):
        two_person.ask_city_change(city, "assistance_programs", programs, actor="prog_ada", now=NOW)


def test_a_program_with_enrolments_cannot_be_dropped_and_the_list_is_guarded(city):
    db = city
    customer = create_customer(db)
    enrol(db, customer.id, "medical_baseline", starts_on=date(2026, 1, 1), ends_on=None, actor="carla", now=NOW)
    with pytest.raises(CityError, match="'medical_baseline' has customers enrolled"):
        two_person.ask_city_change(db, "assistance_programs", [PROGRAMS[0]], actor="prog_ada", now=NOW)
    with pytest.raises(CityError, match="changes only when a second person approves"):
        city_module.update_city(db, actor="prog_ada", now=NOW, assistance_programs=PROGRAMS[:2])
    assert [p.id for p in assistance.city_programs(db)] == ["cap", "medical_baseline", "senior"]


MEDICAL_HOLD = """\
id: medical-baseline-hold
kind: criteria
title: No shut-off for a household in the medical baseline program
inputs:
  assistance_programs: {type: list, default: []}
  past_due_balance: {type: money}
versions:
  - effective: 2026-01-01
    hit: first
    rules:
      - name: Hold, medical baseline
        when: {fact: assistance_programs, contains: medical_baseline}
        then: {eligible: false, reason: medical_baseline}
      - name: Hold, senior but not low income
        when:
          all:
            - {fact: assistance_programs, contains: senior}
            - not: {fact: assistance_programs, contains: cap}
        then: {eligible: false, reason: senior}
      - name: Past due
        when: {fact: past_due_balance, gt: 0}
        then: {eligible: true, reason: past_due}
      - name: Otherwise
        then: {eligible: false, reason: nothing_due}
"""


def test_a_criteria_document_reading_the_programs_decides_on_real_accounts(city):
    db = city
    doc = load_document(MEDICAL_HOLD, "medical-baseline-hold.yaml")
    accounts = {}
    for name, programs in (("medical", ["medical_baseline"]), ("senior", ["senior"]), ("both", ["senior", "cap"]),
                           ("none", []), ("lapsed", [])):
        customer = create_customer(db)
        accounts[name] = create_account(db, customer=customer).id
        for program in programs:
            enrol(db, customer.id, program, starts_on=date(2026, 1, 1), ends_on=None, actor="carla", now=NOW)
        if name == "lapsed":
            enrol(db, customer.id, "medical_baseline", starts_on=date(2026, 1, 1), ends_on=TODAY - timedelta(days=1),
                  actor="carla", now=NOW)
        ledger.post_charge(db, accounts[name], Decimal("80.00"), on=date(2026, 4, 1), due_on=date(2026, 4, 22),
                           now=NOW, actor="billing", description="Water")
    facts = facts_for_accounts(db, accounts.values(), TODAY, library())
    batch = evaluate_batch(doc, [facts[i] for i in accounts.values()], TODAY)
    assert dict(zip(accounts, (outcome["reason"] for outcome in batch.outcomes))) == {
        "medical": "medical_baseline", "senior": "senior", "both": "past_due", "none": "past_due",
        "lapsed": "past_due"}
    assert "assistance_programs = ['medical_baseline'] contains 'medical_baseline': yes" in batch[0].trace[1]


def test_the_migration_carries_the_flag_into_enrolments_and_back(tmp_path):
    """Customers flagged low income at 0027 are enrolled in the Customer Assistance Program from the day they were
    added; the search still finds a customer added after; the downgrade flags them again."""
    from alembic import command

    from engine.store.db import make_engine, make_sessionmaker
    from engine.store.schema import alembic_config, upgrade
    from tests.conftest import _fresh_postgres_database, _postgres_url
    pg = _postgres_url()
    url, drop = _fresh_postgres_database(pg) if pg else (f"sqlite:///{tmp_path / 'before.db'}", lambda: None)
    engine = make_engine(url)
    try:
        upgrade(engine, "0027_duty_roles")
        tables = MetaData()
        tables.reflect(engine, only=["customers"])
        added = datetime(2025, 3, 2, 18, tzinfo=timezone.utc)
        with engine.begin() as connection:
            connection.execute(insert(tables.tables["customers"]), [dict(
                id=n, name=f"Customer {n}", mailing_street=f"{n} Mill Street", mailing_unit="",
                mailing_city="Alder Creek", mailing_state="CA", mailing_zip="95601", language="en", phone="",
                email="", low_income=n in (1, 3), created_at=added) for n in (1, 2, 3)])
        upgrade(engine)
        with make_sessionmaker(engine)() as session:
            rows = session.execute(select(AssistanceEnrolment.customer_id, AssistanceEnrolment.program,
                                          AssistanceEnrolment.starts_on, AssistanceEnrolment.ends_on)
                                   .order_by(AssistanceEnrolment.customer_id)).all()
            assert [tuple(row) for row in rows] == [(1, "cap", date(2025, 3, 2), None), (3, "cap", date(2025, 3, 2), None)]
            assert programs_on(session, [1, 2, 3], date(2026, 1, 1)) == {1: ["cap"], 2: [], 3: ["cap"]}
            session.add(Customer(id=4,
                name="Winifred Pomeroy", mailing_street="1 Oak", mailing_city="Alder Creek", mailing_state="CA",
                mailing_zip="95601", language="en", phone="", email="", created_at=NOW))
            session.commit()
            if not pg:  # SQLite's search triggers on customers survived the dropped column (no table rebuild)
                found = session.execute(text("SELECT rowid FROM customer_words WHERE customer_words MATCH 'pomeroy'"))
                assert found.scalars().all() == [4]
        config = alembic_config(url)
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0027_duty_roles")
        with engine.connect() as connection:
            flagged = connection.execute(text("SELECT id FROM customers WHERE low_income ORDER BY id")).scalars().all()
        assert flagged == [1, 3]
    finally:
        engine.dispose()
        drop()


MEDICAL_BASELINE_VERSION = """\
  - effective: 2026-07-02
    reference: Alder Creek Municipal Code 13.04.120 (medical baseline households)
    hit: first
    rules:
      - name: Hold, medical baseline
        when: {fact: assistance_programs, contains: medical_baseline}
        then: {eligible: false, reason: medical_baseline}
      - name: Hold, appeal pending
        when: {appeal_pending: true}
        then: {eligible: false, reason: appeal_pending}
      - name: Balance under $50.00
        when: {fact: past_due_balance, lt: 50.00}
        then: {eligible: false, reason: balance_below_minimum}
      - name: Delinquent less than 60 days
        when: {fact: days_past_due, lt: 60}
        then: {eligible: false, reason: under_60_days}
      - name: Delinquent 60 days or more, $50.00 or more past due
        when:
          all:
            - {fact: past_due_balance, gte: 50.00}
            - {fact: days_past_due, gte: 60}
        then: {eligible: true, reason: delinquent}"""


def test_a_published_medical_baseline_hold_stops_the_door_hanger_of_an_enrolled_household(db):
    """shutoff-eligibility published with a hold for the medical baseline program: the delinquency case of a
    household enrolled in it walks its notices but may not post the door hanger; its neighbour's may."""
    from engine.workflow.runtime import StepRefused
    from tests.policies.town import town

    published = date(2026, 7, 2)
    city = town(db, published)
    set_programs(db, PROGRAMS)
    city.add_version("shutoff-eligibility", MEDICAL_BASELINE_VERSION,
                     inputs={"assistance_programs": "{type: list, default: []}"})
    cases = {}
    for name in ("medical", "neighbour"):
        customer = create_customer(db)
        if name == "medical":
            enrol(db, customer.id, "medical_baseline", starts_on=date(2026, 1, 1), ends_on=None, actor="carla",
                  now=NOW)
        account_id = city.account(customer=customer, cycle="B")
        city.bill(account_id, "120.00", on=date(2026, 7, 8), due_on=date(2026, 7, 29))
        case = city.open_case("delinquency", account_id, date(2026, 7, 30), period="2026-07")
        city.take(case, "mail_reminder", "sweep:delinquency", date(2026, 7, 30))
        city.take(case, "mail_shutoff_notice", "sweep:delinquency",
                  date.fromisoformat(case.fields["shutoff_notice_on"]))
        cases[name] = case
    hanger_on = date.fromisoformat(cases["neighbour"].fields["door_hanger_on"])
    city.take(cases["neighbour"], "post_door_hanger", "carla", hanger_on)
    assert cases["neighbour"].state == "door_hanger"
    with pytest.raises(StepRefused, match="medical_baseline"):
        city.take(cases["medical"], "post_door_hanger", "carla",
                  date.fromisoformat(cases["medical"].fields["door_hanger_on"]))


def test_a_workflow_guard_reads_the_programs_with_contains_and_nothing_else():
    """A step's `when:` may say "not for a medical baseline household"; comparing the list any other way is refused
    with its path."""
    from pathlib import Path

    from engine.rules.errors import DocumentErrors
    from engine.rules.library import RuleLibrary
    from engine.workflow.definitions import load_workflow

    repo = Path(__file__).resolve().parents[2]
    text = (repo / "workflows" / "delinquency.yaml").read_text()
    old = "    when: {rule: shutoff-eligibility, outcome: {eligible: true}}\n\n  - id: record_shutoff"
    new = ("    when:\n      all:\n        - {rule: shutoff-eligibility, outcome: {eligible: true}}\n"
           "        - not: {fact: assistance_programs, contains: medical_baseline}\n\n  - id: record_shutoff")
    assert text.count(old) == 1
    rules = RuleLibrary.from_folder(repo / "rules")
    assert load_workflow(text.replace(old, new), "delinquency.yaml", rules).id == "delinquency"
    with pytest.raises(DocumentErrors, match=r"when\.all\[1\]\.not\.eq: assistance_programs is a list: compare it "
                                             r"with contains"):
        load_workflow(text.replace(old, new.replace("contains:", "eq:")), "delinquency.yaml", rules)
