"""A program may not leave the city's list while a published rule or workflow, in a version in force or to come,
still names it: refused when the change is asked for and again when a second person approves it, naming the
documents (kind, id, version), changing nothing."""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine import two_person
from engine.accounts.assistance import city_programs
from engine.city import CityError
from engine.rulebook import store, workflow_store
from engine.rulebook.programs_named import documents_naming
from engine.rules.loader import load_document
from engine.store.models import AuditEntry, SettingChange
from tests.accounts.test_assistance_programs import PROGRAMS, set_programs
from tests.factories import save_city
from tests.workflow.conftest import REPO, add_staff

HOLD = """\
id: medical-baseline-hold
kind: criteria
title: No shut-off for a household in the medical baseline program
inputs:
  assistance_programs: {type: list, default: []}
  past_due_balance: {type: money}
versions:
  - effective: 2025-01-01
    hit: first
    rules:
      - name: Past due
        when: {fact: past_due_balance, gt: 0}
        then: {eligible: true}
      - name: Otherwise
        then: {eligible: false}
  - effective: 2026-07-01
    hit: first
    rules:
      - name: Hold, medical baseline
        when: {fact: assistance_programs, contains: medical_baseline}
        then: {eligible: false}
      - name: Hold, senior
        when: {fact: assistance_programs, contains: senior}
        then: {eligible: false}
      - name: Past due
        when: {fact: past_due_balance, gt: 0}
        then: {eligible: true}
      - name: Otherwise
        then: {eligible: false}
  - effective: 2027-06-01
    hit: first
    rules:
      - name: Past due
        when: {fact: past_due_balance, gt: 0}
        then: {eligible: true}
      - name: Otherwise
        then: {eligible: false}
"""
WITHOUT_MEDICAL = [PROGRAMS[0], PROGRAMS[2]]
REFUSAL = ("assistance programs: 'medical_baseline' is named by criteria medical-baseline-hold, version effective "
           "2026-07-01 (revision 1). A condition naming a program the city does not run would never match: publish "
           "versions that do not name it first, then leave it out.")


def on(day: date) -> datetime:
    """Five in the afternoon UTC: the same day in the city (America/Los_Angeles)."""
    return datetime.combine(day, time(17, 0), tzinfo=timezone.utc)


def nothing_changes(db):
    """What a refusal must leave as it was: the programs, the changes asked for, the audit rows."""
    return ([program.id for program in city_programs(db)],
            [(c.id, c.status) for c in db.scalars(select(SettingChange).order_by(SettingChange.id))],
            db.scalar(select(func.count()).select_from(AuditEntry)))


@pytest.fixture()
def city(db):
    save_city(db)
    set_programs(db, PROGRAMS)
    return db


def test_a_program_named_by_a_version_to_come_or_in_force_stays_and_one_superseded_does_not_hold_it(city):
    db = city
    store.import_documents(db, [load_document(HOLD, "medical-baseline-hold.yaml")], actor="test",
                           now=on(date(2026, 6, 1)), today=date(2026, 6, 1))
    for day in (date(2026, 6, 1), date(2026, 7, 1), date(2027, 5, 31)):  # dated in the future; in force
        before = nothing_changes(db)
        with pytest.raises(CityError) as refused:
            two_person.ask_city_change(db, "assistance_programs", WITHOUT_MEDICAL, actor="prog_ada", now=on(day))
        assert str(refused.value) == REFUSAL, day
        assert nothing_changes(db) == before
    with pytest.raises(CityError) as both:
        two_person.ask_city_change(db, "assistance_programs", PROGRAMS[:1], actor="prog_ada", now=on(date(2026, 6, 1)))
    assert str(both.value).startswith(
        "assistance programs: 'medical_baseline' is named by criteria medical-baseline-hold, version effective "
        "2026-07-01 (revision 1); 'senior' is named by criteria medical-baseline-hold, version effective 2026-07-01 "
        "(revision 1). ")
    # From 2027-06-01 the version in force names no program: the list may leave them out.
    later = on(date(2027, 6, 1))
    change = two_person.ask_city_change(db, "assistance_programs", WITHOUT_MEDICAL, actor="prog_ada", now=later)
    two_person.approve(db, change.id, actor="prog_ben", now=later)
    assert [program.id for program in city_programs(db)] == ["cap", "senior"]


def test_the_approval_checks_again_a_document_published_after_the_ask(city):
    """senior may go when asked; a document naming it is published before the second person approves: refused."""
    db = city
    asked_on = on(date(2026, 6, 1))
    change = two_person.ask_city_change(db, "assistance_programs", PROGRAMS[:2], actor="prog_ada", now=asked_on)
    assert change.status == "pending"
    store.import_documents(db, [load_document(HOLD, "medical-baseline-hold.yaml")], actor="test", now=asked_on,
                           today=date(2026, 6, 1))
    before = nothing_changes(db)
    with pytest.raises(CityError, match="'senior' is named by criteria medical-baseline-hold, version effective "
                                        r"2026-07-01 \(revision 1\)\. "):
        two_person.approve(db, change.id, actor="prog_ben", now=asked_on)
    assert nothing_changes(db) == before
    assert change.status == "pending" and [p.id for p in city_programs(db)] == ["cap", "medical_baseline", "senior"]


def workflows_folder(db, tmp_path: Path):
    """The staff who publish, a copy of the sample city's workflows to edit, and the rules they are checked against."""
    from engine.workflow.services import Catalog
    from samplecity.city import APPROVAL_ROLE_IDS

    add_staff(db)
    folder = tmp_path / "wf"
    folder.mkdir()
    for path in (REPO / "workflows").glob("*.yaml"):
        (folder / path.name).write_bytes(path.read_bytes())
    return folder, Catalog.load(REPO / "rules", REPO / "workflows", APPROVAL_ROLE_IDS).rules


def test_a_published_workflow_naming_a_program_holds_it_too(city, tmp_path: Path):
    """delinquency's next version (from 2026-06-01) names senior in its opening and medical_baseline in a step."""
    from tests.workflow.test_programs_named import SAMPLE, TEXT

    db = city
    folder, rules = workflows_folder(db, tmp_path)
    (folder / "delinquency.yaml").write_text(TEXT, encoding="utf-8")
    today = date(2026, 5, 1)
    workflow_store.import_folder(db, folder, rules, actor="cli:admin", now=on(today), today=today)
    assert [(n.kind, n.id, n.version, n.programs) for n in documents_naming(db, today)] == [
        ("workflow", "delinquency", f"version {SAMPLE + 1} from 2026-06-01", ("senior", "medical_baseline"))]
    before = nothing_changes(db)
    with pytest.raises(CityError) as refused:
        two_person.ask_city_change(db, "assistance_programs", PROGRAMS[:1], actor="prog_ada", now=on(today))
    assert str(refused.value).startswith(
        f"assistance programs: 'senior' is named by workflow delinquency, version {SAMPLE + 1} from 2026-06-01; "
        f"'medical_baseline' is named by workflow delinquency, version {SAMPLE + 1} from 2026-06-01. ")
    assert nothing_changes(db) == before


def test_an_older_workflow_version_holds_its_programs_while_open_cases_follow_it(city, tmp_path: Path):
    """delinquency's next version names senior and medical_baseline; the one after (from 2026-08-01) names none. On
    2026-09-01 the first opens no more cases, but a case it opened is still open: its steps' conditions still
    decide for that case, so the programs stay until it closes."""
    from tests.factories import create_case
    from tests.workflow.test_programs_named import DELINQUENCY, SAMPLE, TEXT

    naming, after = SAMPLE + 1, SAMPLE + 2

    db = city
    folder, rules = workflows_folder(db, tmp_path)
    (folder / "delinquency.yaml").write_text(TEXT, encoding="utf-8")
    workflow_store.import_folder(db, folder, rules, actor="cli:admin", now=on(date(2026, 5, 1)), today=date(2026, 5, 1))
    (folder / "delinquency.yaml").write_text(
        DELINQUENCY.replace(f"version: {SAMPLE}\n", f"version: {after}\neffective: 2026-08-01\n", 1), encoding="utf-8")
    workflow_store.import_folder(db, folder, rules, actor="cli:admin", now=on(date(2026, 7, 1)), today=date(2026, 7, 1),
                                 author="sam", approver="sofia")
    today = date(2026, 9, 1)
    assert documents_naming(db, today) == []  # nothing follows the version naming them any more
    case = create_case(db, workflow_version=naming)
    assert [(n.id, n.version, n.programs) for n in documents_naming(db, today)] == [
        ("delinquency", f"version {naming} from 2026-06-01", ("senior", "medical_baseline"))]
    before = nothing_changes(db)
    with pytest.raises(CityError, match=f"'medical_baseline' is named by workflow delinquency, version {naming} "
                                        "from 2026-06-01"):
        two_person.ask_city_change(db, "assistance_programs", WITHOUT_MEDICAL, actor="prog_ada", now=on(today))
    assert nothing_changes(db) == before
    case.closed_at = on(today)
    db.flush()
    assert documents_naming(db, today) == []
