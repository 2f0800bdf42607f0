"""Workflow pages (all staff, read-only): the list, and each definition as a state diagram with its text alternative."""
from __future__ import annotations

from flask import render_template, request
from markupsafe import Markup

from engine.workflow.diagram import diagram, state_lines, step_words
from webapp.auth import STAFF, role_required
from webapp.catalog import catalog
from webapp.pages import not_found
from webapp.workflows import bp
from webapp.workflows.drawing import DrawingError, svg_of


@bp.route("/")
@role_required(*STAFF)
def index():
    """Every workflow definition: title, subject, version, how many states and steps."""
    return render_template("workflows/index.html", workflows=list(catalog().workflows))


@bp.route("/<workflow_id>")
@role_required(*STAFF)
def show(workflow_id: str):
    """A workflow drawn as a state diagram (the newest version, or `?version=N`), and the same in words."""
    version = request.args.get("version", type=int)
    try:
        workflow = catalog().workflows.get(workflow_id, version)
    except LookupError:
        not_found(f"There is no workflow “{workflow_id}”{f' version {version}' if version else ''}.")
    try:
        svg, problem = Markup(svg_of(diagram(workflow), "diagram-words")), None  # dot's own SVG of escaped labels
    except DrawingError as error:
        svg, problem = None, str(error)
    states = [(name, state_lines(state), [step_words(t) for t in workflow.leaving(name)])
              for name, state in workflow.states.items()]
    return render_template("workflows/show.html", workflow=workflow, svg=svg, problem=problem, states=states,
                           steps=[step_words(t) for t in workflow.transitions])
