"""Workflow diagrams (all staff, read-only): each definition as a state diagram with its text alternative, and two
versions drawn together with their changes."""
from __future__ import annotations

from flask import render_template, request
from markupsafe import Markup

from engine.workflow.diagram import ADDED, CHANGED, REMOVED, changes_diagram, diagram, state_lines, step_words
from engine.workflow.diagram import workflow_changes
from webapp.auth import STAFF, role_required
from webapp.catalog import catalog
from webapp.pages import not_found
from webapp.workflows import bp
from webapp.workflows.drawing import DrawingError, svg_of


@bp.route("/<workflow_id>")
@role_required(*STAFF)
def show(workflow_id: str):
    """A workflow drawn as a state diagram (the newest version, or `?version=N`), and the same in words."""
    version = request.args.get("version", type=int)
    try:
        workflow = catalog().workflows.get(workflow_id, version)
    except LookupError:
        not_found(f"There is no workflow “{workflow_id}”{f' version {version}' if version else ''}.")
    svg, problem = _drawn(diagram(workflow))
    states = [(name, state_lines(state), [step_words(t) for t in workflow.leaving(name)])
              for name, state in workflow.states.items()]
    versions = sorted(w.version for w in catalog().workflows if w.id == workflow.id)
    return render_template("workflows/show.html", workflow=workflow, svg=svg, problem=problem, states=states,
                           earlier=[v for v in versions if v < workflow.version])


@bp.route("/<workflow_id>/changes")
@role_required(*STAFF)
def changes(workflow_id: str):
    """Two versions of a workflow in one drawing (`?older=1&newer=2`): added green, removed dashed, changed amber."""
    older, newer = _version(workflow_id, "older"), _version(workflow_id, "newer")
    if older.version >= newer.version:
        not_found(f"Compare an older version of {workflow_id} with a newer one: "
                  f"{older.version} is not older than {newer.version}.")
    svg, problem = _drawn(changes_diagram(older, newer), "changes-words")
    return render_template("workflows/changes.html", older=older, newer=newer, svg=svg, problem=problem,
                           listed=changes_listed(older, newer))


def changes_listed(older, newer) -> list[tuple[str, str, str]]:
    """The states and steps added, removed or changed from `older` to `newer`: (how, State or Step, its label)."""
    found = workflow_changes(older, newer)
    every_state = older.states | newer.states
    steps = {t.id: step_words(t) for t in older.transitions} | {t.id: step_words(t) for t in newer.transitions}
    listed = [(mark, "State", every_state[name].label) for name, mark in found.states.items()]
    listed += [(mark, "Step", steps[step].label) for step, mark in found.steps.items()]
    return [row for row in listed if row[0] in (ADDED, REMOVED, CHANGED)]


def draft_drawings(published, draft) -> dict:
    """A draft's page: the published version drawn, and beside it the draft drawn over it with its changes marked."""
    published_svg, published_problem = _drawn(diagram(published), "draft-changes-words")
    draft_svg, draft_problem = _drawn(changes_diagram(published, draft), "draft-changes-words")
    return {"published": published, "published_svg": published_svg, "draft_svg": draft_svg,
            "problem": published_problem or draft_problem, "listed": changes_listed(published, draft)}


def _version(workflow_id: str, which: str):
    """The version of the workflow named by the query (`older` or `newer`), or a 404 that says what is missing."""
    version = request.args.get(which, type=int)
    if version is None:
        not_found(f"Name the {which} version to compare (?{which}=N).")
    try:
        return catalog().workflows.get(workflow_id, version)
    except LookupError:
        not_found(f"There is no workflow “{workflow_id}” version {version}.")


def _drawn(dot_text: str, described_by: str = "diagram-words") -> tuple[Markup | None, str | None]:
    """The SVG to put in the page (dot's own output of escaped labels), or why it could not be drawn."""
    try:
        return Markup(svg_of(dot_text, described_by)), None
    except DrawingError as error:
        return None, str(error)
