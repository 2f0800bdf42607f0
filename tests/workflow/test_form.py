"""Every workflow opens in its form and saves back unchanged; a change in the form is that change and no other.

The form editor of a workflow (webapp/workflows/editor.py) shows the cells of
engine.workflow.form and saves with its `apply_cells`: here every definition of workflows/
goes through it as the page does. Each of its cells sent back as shown gives the text byte
for byte; each label, each number, in turn changed, is one changed line of the text, and the
definition it loads as differs in that one place.
"""
from __future__ import annotations

import difflib
from datetime import date
from decimal import Decimal

import pytest

from engine.rules.editing import EditError
from engine.workflow import form
from engine.workflow.definitions import load_workflow
from samplecity.city import APPROVAL_ROLE_IDS
from tests.factories import sample_version
from tests.workflow.conftest import REPO

WORKFLOWS = sorted((REPO / "workflows").glob("*.yaml"))


def changed_lines(before: str, after: str) -> list[str]:
    return [line for line in difflib.ndiff(before.splitlines(), after.splitlines()) if line.startswith(("- ", "+ "))]


def test_the_folder_has_every_workflow():
    assert {path.stem for path in WORKFLOWS} >= {"adjustments", "delinquency", "licensing", "liens", "refunds"}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.stem)
def test_a_workflow_sent_back_as_the_form_shows_it_is_the_same_text(path):
    text = path.read_text(encoding="utf-8")
    shown = form.cells(text)
    assert len(shown) >= 5
    saved, problems = form.apply_cells(text, {cell.path: cell.written for cell in shown.values()})
    assert problems == [] and saved == text
    laid = form.layout(text)  # every cell is placed once: in the head, a state, a step, or the rest
    placed = [*laid.head, *laid.others,
              *(c for s in laid.states for c in ([s.label] if s.label else []) + [c for _, c in s.others]),
              *(c for s in laid.steps for c in ([s.label] if s.label else []) + ([s.says] if s.says else [])
                + s.roles + [c for _, c in s.others])]
    assert sorted(c.path for c in placed) == sorted(shown)


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.stem)
def test_each_label_or_figure_changed_in_the_form_is_one_line_of_the_text(catalog, path):
    text = path.read_text(encoding="utf-8")
    before = load_workflow(text, "before", catalog.rules, APPROVAL_ROLE_IDS)
    cells = [c for c in form.cells(text).values() if c.type in ("number", "text") and not c.path.endswith("]")]
    checked = 0
    for cell in cells[:: max(1, len(cells) // 9)]:
        typed = format(Decimal(cell.written) + 1, "f") if cell.type == "number" else cell.written + " (changed)"
        saved, problems = form.apply_cells(text, {cell.path: typed})
        assert problems == [], cell.path
        lines = changed_lines(text, saved)
        assert len(lines) == 2 and typed in lines[1], (cell.path, lines)
        after = load_workflow(saved, "after", catalog.rules, APPROVAL_ROLE_IDS)
        if cell.path.startswith("states.") and cell.path.endswith(".label"):
            name = cell.path.split(".")[1]
            assert after.states[name].label == typed and before.states[name].label == cell.written
        checked += 1
    assert checked >= 5


def test_a_new_version_opens_cases_from_its_day_its_effective_line_after_its_version():
    text = (REPO / "workflows" / "refunds.yaml").read_text(encoding="utf-8")
    version = sample_version("refunds")
    made = form.new_version(text, version + 1, date(2026, 6, 1))
    assert changed_lines(text, made) == [f"- version: {version}", f"+ version: {version + 1}", "+ effective: 2026-06-01"]
    again = form.new_version(made, version + 1, date(2026, 7, 1))  # a day already written is changed where it stands
    assert changed_lines(made, again) == ["- effective: 2026-06-01", "+ effective: 2026-07-01"]


def test_a_role_that_is_not_text_and_a_label_left_empty_are_named_in_words_and_change_nothing():
    text = (REPO / "workflows" / "refunds.yaml").read_text(encoding="utf-8")
    saved, problems = form.apply_cells(text, {"transitions[0].label": " ", "opening.when.any[1].gte": "none"})
    assert saved == text
    assert problems == ["step “Record the research”, label: write it, or change it as YAML",
                        "opening, condition, condition 2, at least: “none” is not a number (digits, e.g. 2.57)"]
    with pytest.raises(EditError, match="not a single value"):
        form.new_version("id: x\nversion: [1]\n", 2, date(2026, 6, 1))


def test_who_takes_a_step_reads_in_words_when_it_lists_no_roles_to_change():
    steps = {s.id: s for s in form.layout((REPO / "workflows" / "delinquency.yaml").read_text(encoding="utf-8")).steps}
    assert steps["mail_reminder"].roles_words == "the sweep" and steps["mail_reminder"].roles == []
    assert [c.written for c in steps["post_door_hanger"].roles] == ["clerk", "supervisor"]
    refunds = {s.id: s for s in form.layout((REPO / "workflows" / "refunds.yaml").read_text(encoding="utf-8")).steps}
    assert refunds["approve"].roles_words == "the role refund-approval gives (approver_role)"
