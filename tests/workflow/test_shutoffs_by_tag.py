"""A shut-off is a case entering a state tagged service_off, a reconnection one leaving it: the steps' names are the
city's.

The sample delinquency workflow, renamed as another city might write it (its steps `cut_off` and
`restore`, its states `service_cut` and `restored`, its id `arrears`), still feeds the account's
shutoffs and reconnections streams, which a measure counts; the same workflow without the tag
feeds neither.
"""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from engine.accounts.facts import facts_for_account
from engine.rules.library import RuleLibrary
from engine.rules.loader import load_document
from engine.store.models import CaseEvent
from engine.workflow.definitions import WorkflowSet, load_workflow
from engine.workflow.model import SERVICE_OFF
from engine.workflow.runtime import case_facts
from samplecity.city import APPROVAL_ROLE_IDS
from tests.factories import NOW, create_case, sample_version

DELINQUENCY = (Path(__file__).parents[2] / "workflows" / "delinquency.yaml").read_text(encoding="utf-8")
ON = date(2026, 6, 1)
MEASURES = [load_document(text, name) for name, text in {
    "cuts.yaml": "id: cuts-12m\nkind: measure\ntitle: Shut-offs in a year\nsubject: account\nprovides: cuts_12m\n"
                 "versions:\n  - effective: 2020-01-01\n    count:\n      of: shutoffs\n      within: {days: 365}\n",
    "restored.yaml": "id: last-restored\nkind: measure\ntitle: Last restored\nsubject: account\n"
                     "provides: last_restored\nversions:\n  - effective: 2020-01-01\n    latest:\n"
                     "      of: reconnections\n"}.items()]


def renamed(text: str) -> str:
    """The sample workflow with its id, its service states and the steps between them named otherwise."""
    for old, new in (("disconnected", "service_cut"), ("reconnected", "restored"), ("record_shutoff", "cut_off"),
                     ("reconnect", "restore"), ("delinquency", "arrears")):
        text = re.sub(rf"\b{old}\b", new, text)
    return text


def walk(db, workflow_id: str, steps: list[tuple[date, str, str, str]]) -> int:
    """A case of the workflow (the sample delinquency's text, at its version) whose events are these (day, step,
    from, to); its account's id."""
    case = create_case(db, workflow_id=workflow_id, workflow_version=sample_version("delinquency"), state=steps[-1][3])
    for day, step, from_state, to_state in steps:
        db.add(CaseEvent(case_id=case.id, at=NOW, on_date=day, actor="clerk", step=step, from_state=from_state,
                         to_state=to_state, form={}, rules=[], explanation=[]))
    db.flush()
    return case.account_id


HISTORY = [(date(2025, 9, 1), "open", None, "past_due"),
           (date(2025, 10, 1), "cut_off", "shutoff_ready", "service_cut"),
           (date(2025, 10, 3), "waive_reconnection_fee", "service_cut", "service_cut"),
           (date(2025, 10, 9), "restore", "service_cut", "restored"),
           (date(2026, 3, 2), "cut_off", "shutoff_ready", "service_cut")]


def test_renamed_steps_are_still_shutoffs_and_reconnections(db, catalog):
    text = renamed(DELINQUENCY)
    assert "record_shutoff" not in text and "id: cut_off" in text and "service_cut: " in text
    workflow = load_workflow(text, "arrears.yaml", catalog.rules, APPROVAL_ROLE_IDS)
    workflows = WorkflowSet({workflow.key: workflow})
    service_off = workflows.states_tagged_by_version(SERVICE_OFF)
    assert service_off == {("arrears", sample_version("delinquency")): ("service_cut",)}
    account_id = walk(db, "arrears", HISTORY)
    facts = facts_for_account(db, account_id, ON, MEASURES, service_off)
    # two shut-offs (the waiver stays in the state: no event), one reconnection
    assert (facts["cuts_12m"], facts["last_restored"]) == (2, date(2025, 10, 9))
    assert facts_for_account(db, account_id, date(2025, 10, 5), MEASURES, service_off)["cuts_12m"] == 1
    # the case's own facts (what its steps' conditions read) count the same, given the city's workflows
    rules = RuleLibrary.from_documents([*catalog.rules, *MEASURES])
    assert case_facts(db, rules, workflow, account_id, {}, ON, workflows)["cuts_12m"] == 2


def test_without_the_tag_no_step_is_a_shutoff(db, catalog):
    untagged = renamed(DELINQUENCY).replace("tags: [lien_candidate, service_off]", "tags: [lien_candidate]")
    workflow = load_workflow(untagged, "arrears.yaml", catalog.rules, APPROVAL_ROLE_IDS)
    service_off = WorkflowSet({workflow.key: workflow}).states_tagged_by_version(SERVICE_OFF)
    assert service_off == {}
    account_id = walk(db, "arrears", HISTORY)
    facts = facts_for_account(db, account_id, ON, MEASURES, service_off)
    assert facts["cuts_12m"] == 0 and facts.get("last_restored") is None


def test_the_sample_city_tags_its_disconnected_state(catalog):
    assert catalog.workflows.states_tagged_by_version(SERVICE_OFF) == {
        ("delinquency", sample_version("delinquency")): ("disconnected",)}
