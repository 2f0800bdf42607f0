"""Workflows drawn as state diagrams: every state and step of every workflow, and two definitions' changes."""
from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from engine.workflow.definitions import load_workflow
from engine.workflow.diagram import (ADDED, CHANGED, REMOVED, SAME, changes_diagram, diagram, state_lines,
                                     step_words, workflow_changes)
from tests.factories import sample_version
from webapp.workflows.drawing import svg_of

REPO = Path(__file__).resolve().parents[2]
SVG = "{http://www.w3.org/2000/svg}"
DELINQUENCY = (REPO / "workflows" / "delinquency.yaml").read_text(encoding="utf-8")


def drawn(dot_text: str) -> ET.Element:
    """The SVG `dot` draws, parsed."""
    return ET.fromstring(svg_of(dot_text))


def texts(svg: ET.Element) -> set[str]:
    """Every line of text the drawing shows."""
    return {html.unescape(node.text or "") for node in svg.iter(f"{SVG}text")}


def ids(svg: ET.Element) -> dict[str, ET.Element]:
    """The drawing's groups by id (Graphviz gives each node and edge the id the DOT names)."""
    return {node.get("id"): node for node in svg.iter(f"{SVG}g") if node.get("id")}


@pytest.mark.parametrize("workflow_id", ["delinquency", "licensing", "refunds", "liens"])
def test_the_diagram_shows_every_state_and_step_with_who_and_what_it_needs(catalog, workflow_id):
    workflow = catalog.workflows.get(workflow_id)
    svg = drawn(diagram(workflow))
    shown, groups = texts(svg), ids(svg)
    for name, state in workflow.states.items():
        assert f"state_{name}" in groups, name
        assert all(line in shown for line in state_lines(state)), name
    for step in workflow.transitions:
        words = step_words(step)
        assert f"step_{step.id}" in groups, step.id
        assert all(line in shown for line in words.lines), step.id


def test_a_delinquency_step_says_who_takes_it_and_what_it_needs(catalog):
    workflow = catalog.workflows.get("delinquency")
    record = step_words(workflow.transition("record_shutoff"))
    assert record.who == "clerk, supervisor"
    assert record.needs == ("shutoff-eligibility: eligible true", "the date in shutoff_on, on a shut-off day of "
                            "city-calendar", "the latest shutoff-notice sent", "Meter reading at shut-off (form)")
    reminder = step_words(workflow.transition("mail_reminder"))
    assert (reminder.who, reminder.needs) == ("by: sweep", ("days_past_due >= 1",))
    release = step_words(workflow.transition("ready_for_shutoff"))
    assert "the date in shutoff_on, on a shut-off day of city-calendar" in release.needs
    assert "reconnection-fee paid or waived" in step_words(workflow.transition("reconnect")).needs
    assert "tags: shutoff_pending, lien_candidate" in state_lines(workflow.states["shutoff_ready"])


def changed_delinquency_text() -> str:
    """A modified copy of delinquency.yaml, as the version after the sample's: a state and a step added, a step
    removed, a guard changed."""
    version = sample_version("delinquency")
    text = DELINQUENCY.replace(f"version: {version}\n", f"version: {version + 1}\n", 1)
    assert f"\nversion: {version + 1}\n" in text
    text = text.replace("  on_hold:         {label: On hold}\n",
                        "  on_hold:         {label: On hold}\n  in_court:        {label: In small claims court}\n", 1)
    text = text.replace("    when: {fact: plan_days_behind, gte: 60}", "    when: {fact: plan_days_behind, gte: 45}", 1)
    start = text.index("  - id: waive_reconnection_fee")
    end = text.index("  - id: reconnect\n")
    text = text[:start] + text[end:]
    return text + """
  - id: file_small_claim
    label: File in small claims court
    from: plan_defaulted
    to: in_court
    roles: [supervisor]
"""


def changed_delinquency(catalog):
    """The published delinquency workflow and its modified copy."""
    changed = load_workflow(changed_delinquency_text(), "delinquency (changed)", catalog.rules)
    return catalog.workflows.get("delinquency"), changed


def test_two_definitions_compared_state_by_state_and_step_by_step(catalog):
    older, newer = changed_delinquency(catalog)
    changes = workflow_changes(older, newer)
    assert changes.states["in_court"] == ADDED and changes.states["past_due"] == SAME
    assert changes.steps["file_small_claim"] == ADDED
    assert changes.steps["waive_reconnection_fee"] == REMOVED
    assert changes.steps["plan_default"] == CHANGED and changes.steps["mail_reminder"] == SAME
    assert (changes.count(ADDED), changes.count(REMOVED), changes.count(CHANGED)) == (2, 1, 1)
    assert not workflow_changes(older, older).any


def test_the_changes_are_drawn_added_in_green_removed_dashed_changed_in_amber(catalog):
    older, newer = changed_delinquency(catalog)
    svg = drawn(changes_diagram(older, newer))
    groups = ids(svg)

    def strokes(group_id: str) -> list[tuple[str | None, str | None]]:
        """The colour and dashes of the lines drawing a node or an edge."""
        return [(shape.get("stroke"), shape.get("stroke-dasharray")) for shape in groups[group_id].iter()
                if shape.tag in (f"{SVG}path", f"{SVG}polygon") and shape.get("stroke") not in (None, "transparent")]

    assert ("#1a7f37", None) in strokes("state_in_court") and ("#1a7f37", None) in strokes("step_file_small_claim")
    assert any(colour == "#8a8a8a" and dashes for colour, dashes in strokes("step_waive_reconnection_fee"))
    assert ("#b35900", None) in strokes("step_plan_default")
    assert ("#333333", None) in strokes("step_mail_reminder")
    assert "needs plan_days_behind >= 45" in texts(svg)
    assert "In small claims court" in texts(svg) and "Waive the reconnection fee" in texts(svg)


def test_a_label_cannot_break_out_of_the_drawing(catalog):
    text = DELINQUENCY.replace("{label: Past due}", '{label: "Past due\\" shape=none] x [label=\\"<b>"}', 1)
    workflow = load_workflow(text, "delinquency (odd label)", catalog.rules)
    svg = svg_of(diagram(workflow))
    assert 'Past due&quot; shape=none] x [label=&quot;&lt;b&gt;' in svg or \
        'Past due" shape=none] x [label="&lt;b&gt;' in svg
    assert "<b>" not in svg and re.search(r"<svg[^>]*role=\"img\"", svg)
