"""The form editor of a workflow (supervisors and administrators): its states and steps as tables, then a draft.

The form carries the definition's text as it is being changed (a hidden field) and its
words and figures as cells (engine.workflow.form); each button posts the whole form, so it
works without JavaScript. "New version from a date" makes the text the next version,
opening cases from that day; "Show what changes" draws nothing new and stores nothing;
"Save draft" stores the text as the YAML editor does (the same check,
engine.rulebook.workflow_revisions), and the draft's page draws it beside the published one.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms import DateField, SubmitField
from wtforms.validators import Optional

from engine.rulebook import workflow_store
from engine.rulebook.store import RuleStoreError
from engine.rulebook.workflow_revisions import check_workflow_draft
from engine.rules.editing import EditError
from engine.workflow import form as workflow_form
from webapp import clock
from webapp.auth import SUPERVISORS, role_required
from webapp.catalog import catalog, rules
from webapp.extensions import database
from webapp.form_words import PageForm
from webapp.rules.draft_forms import SealedText, posted_text, seal_text, sentence, typed_cells
from webapp.workflows import bp
from webapp.workflows.diagrams import changes_listed
from webapp.workflows.routes import _newest

class WorkflowEditorForm(SealedText, PageForm):
    """The form editor's own fields; the cells are added by name (cell:PATH) and read from the request."""

    on = DateField("The new version opens cases from", validators=[Optional()], render_kw={"type": "date"})
    new_version = SubmitField("Make it the next version")
    check = SubmitField("Show what changes")
    save = SubmitField("Save draft")


def _page(current, form: WorkflowEditorForm, text: str, *, problems=(), check=None, changes=None,
          status: int = 200):
    """The form editor on a working text."""
    seal_text(form, text)
    return render_template("workflows/editor.html", current=current, form=form, layout=workflow_form.layout(text),
                           problems=problems, check=check, changes=changes, today=clock.today(),
                           same=text == current.yaml_text), status


@bp.route("/<workflow_id>/edit", methods=["GET"])
@role_required(*SUPERVISORS)
def edit(workflow_id: str):
    """The newest published version in its form editor."""
    current = _newest(workflow_id)
    return _page(current, WorkflowEditorForm(formdata=None), current.yaml_text)[0]


@bp.route("/<workflow_id>/edit", methods=["POST"])
@role_required(*SUPERVISORS)
def edit_post(workflow_id: str):
    """A button of the form editor: the next version from a date, show what changes, or save the draft."""
    current = _newest(workflow_id)
    form = WorkflowEditorForm()
    text, unsent = posted_text(form)
    if unsent:
        return _page(current, form, current.yaml_text, problems=[unsent], status=400)
    text, problems = workflow_form.apply_cells(text, typed_cells())
    if problems:
        return _page(current, form, text, problems=[sentence(p) for p in problems], status=400)
    if form.new_version.data:
        if form.on.data is None:
            return _page(current, form, text, problems=["Choose the day the new version opens cases."], status=400)
        try:
            text = workflow_form.new_version(text, current.version + 1, form.on.data)
        except EditError as error:
            return _page(current, form, text, problems=[sentence(str(error))], status=400)
        return _page(current, form, text)
    check = check_workflow_draft(database.session, rules(), workflow_id, text, clock.today())
    if form.check.data or not check.ok:
        changes = None
        if check.ok:
            changes = changes_listed(catalog().workflows.get(workflow_id), check.workflow)
        return _page(current, form, text, check=check, changes=changes, status=200 if check.ok else 400)
    try:
        row = workflow_store.draft(database.session, check, current_user.username, clock.now())
    except RuleStoreError as error:
        database.session.rollback()
        return _page(current, form, text, check=check, problems=[sentence(str(error))], status=400)
    database.session.commit()
    flash(f"Draft revision {row.revision} of {workflow_id} saved. No case uses it until it is published.", "success")
    return redirect(url_for("workflows.draft", workflow_id=workflow_id, revision=row.revision))
