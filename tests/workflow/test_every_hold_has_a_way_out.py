"""Every case a `requires_sent:` holds has a way out in the sample city's workflows (docs/workflow-format.md).

A notice left out of its mailing is never mailed again by itself. So each state a step that requires a notice sent
leaves must have a sweep step that mails a new one when the latest was left out (`requires_left_out:`), or a sweep
step on a date the notice's own step sets (the notice lapses) that goes back to where a new one is mailed.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.rules.errors import DocumentErrors
from engine.workflow.definitions import load_workflow
from engine.workflow.paths import holds, ways_out
from engine.workflow.services import Catalog
from samplecity.city import APPROVAL_ROLE_IDS

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load(REPO / "rules", REPO / "workflows", APPROVAL_ROLE_IDS)


def test_every_state_a_requires_sent_holds_has_a_way_to_a_new_notice(catalog):
    found = {}
    for workflow_id in catalog.workflows.ids():
        workflow = catalog.workflows.get(workflow_id)
        for _, step, state, kind in holds(workflow):
            found[(workflow_id, step.id, state)] = ways_out(workflow, state, kind)
    assert found == {
        ("delinquency", "post_door_hanger", "shutoff_notice"): ["restart_notice"],
        ("delinquency", "ready_for_shutoff", "door_hanger"): ["restart_notice"],
        ("delinquency", "record_shutoff", "shutoff_ready"): ["restart_notice"],
        ("delinquency", "shutoff_after_default", "plan_defaulted"): ["restart_notice"],
        ("liens", "record_lien", "intent_mailed"): ["mail_intent_again"],
    }


def _without(name: str, first: str, after: str) -> str:
    """The sample city's workflow `name` with the lines from `first` up to `after` taken out."""
    text = (REPO / "workflows" / f"{name}.yaml").read_text()
    return text[:text.index(first)] + text[text.index(after):]


def _refusal(text: str, source: str, catalog: Catalog) -> list[str]:
    """The errors loading the text gives, as `line: path: message`."""
    with pytest.raises(DocumentErrors) as refused:
        load_workflow(text, source, catalog.rules, APPROVAL_ROLE_IDS)
    return [f"{e.line}: {e.path}: {e.message}" for e in refused.value.errors]


def test_liens_without_mailing_the_intent_again_is_refused_as_holding_a_case_forever(catalog):
    text = _without("liens", "  - id: mail_intent_again", "  - id: record_lien")
    line = text[:text.index("    requires_sent: lien-intent")].count("\n") + 1
    assert _refusal(text, "liens (without)", catalog) == [
        f'{line}: transitions[1].requires_sent: liens: the step "record_lien" holds a case in the state '
        '"intent_mailed" (Notice of intent mailed) until the latest lien-intent has gone out, and no way leads from '
        "there to a new one: a lien-intent left out of its mailing is never mailed again, so the case would wait "
        'forever; add a sweep step from "intent_mailed" that requires_left_out: lien-intent and mails a new one, or a '
        "sweep step due on a date the step mailing the lien-intent sets, to a state a sweep step leaves mailing a new "
        "one"]


def test_delinquency_without_restarting_the_notices_is_refused_at_each_state_it_would_hold(catalog):
    """Without `restart_notice` (the shut-off notice lapsing) each state a requires_sent: shutoff-notice leaves holds
    its case forever: the door hanger's, the release's, the crew's and the shut-off after a plan's default."""
    text = _without("delinquency", "  - id: restart_notice", "  - id: post_door_hanger")
    refused = _refusal(text, "delinquency (without)", catalog)
    assert [(m.split(": ")[1], m.split('"')[1:4:2]) for m in refused] == [
        ("transitions[2].requires_sent", ["post_door_hanger", "shutoff_notice"]),
        ("transitions[3].requires_sent", ["ready_for_shutoff", "door_hanger"]),
        ("transitions[4].requires_sent", ["record_shutoff", "shutoff_ready"]),
        ("transitions[10].requires_sent", ["shutoff_after_default", "plan_defaulted"]),
    ]


def test_a_lapse_that_leads_where_no_sweep_mails_a_new_notice_is_no_way_out(catalog):
    """`restart_notice` going back to `past_due` rather than `reminded`: no sweep step mails a shut-off notice from
    there (the reminder is mailed first), so the lapse leads to no new one."""
    text = (REPO / "workflows" / "delinquency.yaml").read_text()
    start = text.index("  - id: restart_notice")
    changed = text[:start] + text[start:].replace("    to: reminded", "    to: past_due", 1)
    assert changed != text
    assert len(_refusal(changed, "delinquency (lapse to past_due)", catalog)) == 4
