"""Workflow pages (supervisors and administrators): the published versions, drafting, the preview, publishing.

The preview is a background job (engine/jobs/workflow_preview.py): the draft page asks for it
and answers at once, showing its progress, then the stored result on every later view.
"""
from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_login import current_user

from engine.city import get_city
from engine.jobs import workflow_preview
from engine.rulebook import workflow_revisions, workflow_store
from engine.rulebook.approval import publish_refusal
from engine.rulebook.store import RuleStoreError
from engine.rulebook.workflow_revisions import NOT_IN_STORE, WorkflowDraftCheck, check_workflow_draft
from engine.store.models import Job, WorkflowVersion
from webapp import clock
from webapp.auth import STAFF, SUPERVISORS, role_required
from webapp.background import job_for_page
from webapp.catalog import catalog, rules
from webapp.extensions import database
from webapp.main import errors
from webapp.pages import not_found
from webapp.rules.draft_forms import DraftForm, PublishForm, RetryImpactForm
from webapp.rules.publishing import publish_from_page
from webapp.workflows import bp
from webapp.workflows.diagrams import draft_drawings


def _newest(workflow_id: str) -> WorkflowVersion:
    """The workflow's newest published version, or a 404 (or a page that says the store has none)."""
    if not workflow_revisions.has_published_workflows(database.session):
        abort(make_response(*errors.page(409, NOT_IN_STORE)))
    rows = workflow_revisions.published_rows(database.session, workflow_id)
    if not rows:
        not_found(f"There is no published workflow “{workflow_id}”.")
    return rows[-1]


def _draft(workflow_id: str, revision: int) -> WorkflowVersion:
    """A stored revision, or a 404 that says so."""
    row = workflow_revisions.revision(database.session, workflow_id, revision)
    if row is None:
        not_found(f"“{workflow_id}” has no revision {revision}.")
    return row


def _checked(row: WorkflowVersion) -> WorkflowDraftCheck | None:
    """A stored draft checked against the published rules and workflows (None for one that is not a draft)."""
    if row.status != "draft":
        return None
    return check_workflow_draft(database.session, rules(), row.workflow_id, row.yaml_text, clock.today(),
                                source=workflow_revisions.source_of(row))


def _preview_job(row: WorkflowVersion) -> Job:
    """The draft's preview job for today: the one already asked for, or one asked for now (and committed)."""
    session, today = database.session, clock.today()
    return job_for_page(workflow_preview.preview_job(session, row, today),
                        lambda: workflow_preview.request_preview(session, row, today, current_user.username,
                                                                 clock.now()))


@bp.route("/")
@role_required(*STAFF)
def index():
    """Every workflow: its published versions, the one opening new cases today, and the drafts waiting."""
    session, today = database.session, clock.today()
    rows = workflow_revisions.published_rows(session)
    workflows = catalog().workflows
    opening = {}
    for workflow_id in workflows.ids():
        try:
            opening[workflow_id] = workflows.get(workflow_id, on=today).version
        except LookupError:
            opening[workflow_id] = None
    return render_template("workflows/index.html", rows=rows, opening=opening, today=today,
                           in_store=bool(rows), workflows=workflows,
                           drafts=workflow_revisions.waiting_drafts(session), username=current_user.username)


def _edit_page(current: WorkflowVersion, form: DraftForm, check=None, problem: str | None = None, status: int = 200):
    """The drafting page: the text, and what a check found."""
    return render_template("workflows/draft.html", current=current, form=form, check=check, problem=problem,
                           today=clock.today()), status


@bp.route("/<workflow_id>/draft", methods=["GET"])
@role_required(*SUPERVISORS)
def new_draft(workflow_id: str):
    """The newest published text, to write the next version from."""
    current = _newest(workflow_id)
    form = DraftForm()
    form.text.data = current.yaml_text
    return _edit_page(current, form)


@bp.route("/<workflow_id>/draft", methods=["POST"])
@role_required(*SUPERVISORS)
def save_draft(workflow_id: str):
    """Check the text (nothing stored), or save it as a draft and show its preview."""
    current = _newest(workflow_id)
    form = DraftForm()
    if not form.validate_on_submit():
        return _edit_page(current, form, status=400)
    text = form.text.data.replace("\r\n", "\n")
    check = check_workflow_draft(database.session, rules(), workflow_id, text, clock.today())
    if form.check.data or not check.ok:
        return _edit_page(current, form, check=check, status=200 if check.ok else 400)
    try:
        row = workflow_store.draft(database.session, check, current_user.username, clock.now())
    except RuleStoreError as error:
        database.session.rollback()
        return _edit_page(current, form, check=check, problem=str(error), status=400)
    database.session.commit()
    flash(f"Draft revision {row.revision} of {workflow_id} saved. No case uses it until it is published.", "success")
    return redirect(url_for("workflows.draft", workflow_id=workflow_id, revision=row.revision))


@bp.route("/<workflow_id>/drafts/<int:revision>")
@role_required(*SUPERVISORS)
def draft(workflow_id: str, revision: int):
    """A draft: its preview on the open cases (worked out in the background), its text, and publish."""
    row = _draft(workflow_id, revision)
    check = _checked(row)
    refusal = publish_refusal(row, current_user.username, get_city(database.session))
    job = _preview_job(row) if check and check.ok else None
    return render_template("workflows/draft_show.html", row=row, job=job, check=check, refusal=refusal,
                           report=workflow_preview.report_of(job) if job else None, form=PublishForm(),
                           retry=RetryImpactForm(), today=clock.today(), drawings=_drawings(row, check))


def _drawings(row: WorkflowVersion, check: WorkflowDraftCheck | None) -> dict | None:
    """A draft's diagram beside the newest published version's, its changes marked (None: nothing to draw)."""
    if check is None or not check.ok or check.workflow is None:
        return None
    try:
        published = catalog().workflows.get(row.workflow_id)
    except LookupError:
        return None
    return draft_drawings(published, check.workflow)


@bp.route("/<workflow_id>/drafts/<int:revision>/preview", methods=["POST"])
@role_required(*SUPERVISORS)
def retry_preview(workflow_id: str, revision: int):
    """Ask again for a draft's preview after working it out failed."""
    row = _draft(workflow_id, revision)
    if not RetryImpactForm().validate_on_submit():
        abort(400)
    if row.status != "draft":
        flash(f"Revision {revision} is {row.status}, not a draft: it is not previewed.", "error")
        return redirect(url_for("workflows.draft", workflow_id=workflow_id, revision=revision))
    workflow_preview.request_preview(database.session, row, clock.today(), current_user.username, clock.now())
    database.session.commit()
    flash("The preview is being worked out again; this page shows how far it has got.", "success")
    return redirect(url_for("workflows.draft", workflow_id=workflow_id, revision=revision))


@bp.route("/<workflow_id>/drafts/<int:revision>/publish", methods=["POST"])
@role_required(*SUPERVISORS)
def publish(workflow_id: str, revision: int):
    """Publish a draft: refused to its own author when the city asks for a second approver."""
    row = _draft(workflow_id, revision)
    back = publish_from_page(row, lambda: workflow_store.publish(
        database.session, rules(), workflow_id, revision, current_user.username, clock.now(), clock.today()),
        url_for("workflows.draft", workflow_id=workflow_id, revision=revision))
    if back is not None:
        return back
    flash(f"Version {row.version} of {workflow_id} published; new cases open on it from "
          f"{row.effective or 'now on'}, and open cases keep their version.", "success")
    return redirect(url_for("workflows.index"))
