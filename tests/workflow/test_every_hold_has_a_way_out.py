"""Every case a `requires_sent:` holds has a way out in the sample city's workflows (docs/workflow-format.md).

A notice left out of its mailing is never mailed again by itself. So each state a step that requires a notice sent
leaves must have a sweep step that mails a new one when the latest was left out (`requires_left_out:`), or a sweep
step on a date the notice's own step sets (the notice lapses) that goes back to where a new one is mailed.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.workflow.definitions import load_workflow
from engine.workflow.model import Transition, Workflow
from engine.workflow.services import Catalog
from samplecity.city import APPROVAL_ROLE_IDS

REPO = Path(__file__).resolve().parents[2]


def _makes(step: Transition, kind: str) -> bool:
    """Whether the step makes a notice of the type (a notice: or notice_occupants: action)."""
    return any(action.kind in ("notice", "notice_occupants") and
               (action.value.get("type") if isinstance(action.value, dict) else action.value) == kind
               for action in step.actions)


def _sets(step: Transition) -> set[str]:
    """The case fields the step's set: actions give."""
    return {name for action in step.actions if action.kind == "set" for name in action.value}


def ways_out(workflow: Workflow, state: str, kind: str) -> list[str]:
    """The sweep steps leaving the state that lead to a new notice of the type: one that mails it when the latest was
    left out, or one due on a date the notice's step sets whose state has a sweep step mailing a new one."""
    lapses = {field for step in workflow.transitions if _makes(step, kind) for field in _sets(step)}
    found = []
    for step in workflow.leaving(state):
        if step.by != "sweep":
            continue
        if kind in step.requires_left_out and _makes(step, kind):
            found.append(step.id)
        elif step.due in lapses and any(_makes(after, kind) for after in workflow.leaving(step.target)
                                        if after.by == "sweep"):
            found.append(step.id)
    return found


def holds(workflow: Workflow) -> list[tuple[str, str, str]]:
    """(step, state, notice type) for each state a step that requires a notice sent leaves."""
    return [(step.id, state, kind) for step in workflow.transitions for kind in step.requires_sent
            for state in (workflow.states if "*" in step.sources else step.sources)
            if not workflow.states[state].final]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load(REPO / "rules", REPO / "workflows", APPROVAL_ROLE_IDS)


def test_every_state_a_requires_sent_holds_has_a_way_to_a_new_notice(catalog):
    found = {}
    for workflow_id in catalog.workflows.ids():
        workflow = catalog.workflows.get(workflow_id)
        for step, state, kind in holds(workflow):
            found[(workflow_id, step, state)] = ways_out(workflow, state, kind)
    assert found == {
        ("delinquency", "post_door_hanger", "shutoff_notice"): ["restart_notice"],
        ("delinquency", "ready_for_shutoff", "door_hanger"): ["restart_notice"],
        ("delinquency", "record_shutoff", "shutoff_ready"): ["restart_notice"],
        ("delinquency", "shutoff_after_default", "plan_defaulted"): ["restart_notice"],
        ("liens", "record_lien", "intent_mailed"): ["mail_intent_again"],
    }


def test_liens_without_mailing_the_intent_again_would_hold_a_case_forever(catalog):
    text = (REPO / "workflows" / "liens.yaml").read_text()
    start, end = text.index("  - id: mail_intent_again"), text.index("  - id: record_lien")
    without = load_workflow(text[:start] + text[end:], "liens (without)", catalog.rules, APPROVAL_ROLE_IDS)
    assert ways_out(without, "intent_mailed", "lien-intent") == []
