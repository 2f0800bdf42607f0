"""Migration 0037 (impact example facts): an impact saved before kept its examples' facts as text ("[]", "true",
"None", "7"); after the migration the saved report reads as one worked out today, and the page's words say none,
no and $200.00, not "[]"; an example kept the new way, and the second run, change nothing."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import text
from sqlalchemy.orm import Session

from engine.jobs.rule_impact import report_of
from engine.store.db import make_engine
from engine.store.models import Job
from engine.store.schema import upgrade
from engine.workflow.facts import subject_facts
from engine.workflow.plain import FactWords
from tests.store.migrations import downgrade_to

OLD = [["account_number", "100234"], ["balance", "200.00"], ["past_due_balance", "199.50"], ["days_past_due", "20"],
       ["account_closed", "false"], ["low_income", "true"], ["assistance_programs", "[]"],
       ["cash_only", "false"], ["parcel", "None"], ["cycle", "A"], ["late_payments_12m", "0"],
       ["programs_seen", "['cap', 'medical_baseline']"]]
NEW = [["account_number", "100235"], ["balance", 200], ["account_closed", False], ["assistance_programs", ["cap"]],
       ["winter_average_ccf", "7.5"], ["parcel", None]]


def _example(number: str, facts: list) -> dict:
    return {"change": {"number": number, "before": "20.00", "after": "24.00"}, "facts": facts,
            "before_lines": [["Late fee", "20.00", "10% of past due balance 200.00"]],
            "after_lines": [["Late fee", "24.00", "12% of past due balance 200.00"]]}


def _report(examples: list[dict]) -> dict:
    money = {"subjects": "accounts", "affected": 2, "before_total": "40.00", "after_total": "48.00",
             "bands": [], "largest_increases": [], "examples": examples, "not_evaluated": []}
    return {"document_id": "late-fee", "kind": "schedule", "today": "2026-03-02", "effective": "2026-04-01",
            "version_now": "2024-07-01", "population": "accounts with a past-due balance today",
            "money": money, "outcomes": None}


def _facts(engine, job_id: int) -> list[list]:
    with Session(engine) as session:
        return session.get(Job, job_id).result["money"]["examples"]


def test_old_impact_examples_are_rewritten_as_json_and_read_in_staff_words(committing_url):
    engine = make_engine(committing_url)
    try:
        downgrade_to(committing_url, "0036_meter_reads_account_index")
        with Session(engine) as session, session.begin():
            at = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
            old = Job(kind="rule-impact", input={}, status="done", requested_by="sam", created_at=at,
                      result=_report([_example("100234", OLD), _example("100235", NEW)]))
            other = Job(kind="bill-printing", input={}, status="done", requested_by="sam", created_at=at,
                        result={"money": {"examples": [{"facts": [["n", "7"]]}]}})
            running = Job(kind="rule-impact", input={}, status="running", requested_by="sam", created_at=at)
            session.add_all([old, other, running])
            session.flush()
            old, other, running = old.id, other.id, running.id
        upgrade(engine)
        old_example, new_example = _facts(engine, old)
        assert dict(old_example["facts"]) == {
            "account_number": 100234, "balance": 200, "past_due_balance": "199.50", "days_past_due": 20,
            "account_closed": False, "low_income": True, "assistance_programs": [], "cash_only": False,
            "parcel": None, "cycle": "A", "late_payments_12m": 0, "programs_seen": ["cap", "medical_baseline"]}
        assert [key for key, _ in old_example["facts"]] == [key for key, _ in OLD]  # in their order
        assert new_example["facts"] == NEW  # kept the new way already: untouched
        with Session(engine) as session:
            assert session.get(Job, other).result == {"money": {"examples": [{"facts": [["n", "7"]]}]}}
            assert session.get(Job, running).result is None
            report = report_of(session.get(Job, old))
        words = dict(FactWords(subject_facts("utility_account", ())).in_words(report.money.examples[0].facts))
        assert (words["Assistance programs"], words["Low-income assistance"], words["Account closed"]) == (
            "none", "yes", "no")
        assert (words["Past due"], words["Balance"], words["Parcel"]) == ("$199.50", "$200.00", "—")

        rewritten = _facts(engine, old)
        with engine.begin() as connection:  # the migration again, from its revision before: nothing changes
            connection.execute(text("UPDATE alembic_version SET version_num = '0036_meter_reads_account_index'"))
        upgrade(engine)
        assert _facts(engine, old) == rewritten
    finally:
        engine.dispose()
