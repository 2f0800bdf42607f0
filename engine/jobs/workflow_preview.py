"""The job kind `workflow-preview`: the open cases a workflow draft would move or offer other steps, worked out
in the background.

The draft page asks for the job and answers at once; the worker judges the workflow's open
cases a chunk at a time (`engine.workflow.preview`), storing "340 of 2,000 open cases" as it
goes, and keeps the report as JSON. The same draft, on the same day, against the same
published rules and workflows, is one job (its dedupe key); a publication since, or a new
day, asks for a fresh one.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from engine.jobs import queue
from engine.jobs.context import JobContext, ReportProgress
from engine.roles import role_ids
from engine.rulebook.catalog_source import catalog_stamp
from engine.rulebook.revisions import published_library
from engine.rulebook.workflow_revisions import published_workflows, revision, stored_workflow
from engine.store.models import Job, WorkflowVersion
from engine.workflow.preview import WorkflowPreview, preview_draft

KIND = "workflow-preview"
CHUNK = 500


class DraftGone(LookupError):
    """The revision a job was asked for is not in the rule store."""


def preview_key(session: Session, draft: WorkflowVersion, today: date) -> str:
    """One job per draft revision, day, and state of the published rules and workflows."""
    rules, workflows, roles = catalog_stamp(session)
    return (f"{KIND}:{draft.workflow_id}:{draft.revision}:{today.isoformat()}:"
            f"{rules[0]}-{rules[1]}:{workflows[0]}-{workflows[1]}:{len(roles)}")


def preview_job(session: Session, draft: WorkflowVersion, today: date) -> Job | None:
    """The newest preview job for the draft today (queued, running, done or failed), if one was asked for."""
    return queue.latest_job(session, preview_key(session, draft, today))


def request_preview(session: Session, draft: WorkflowVersion, today: date, requested_by: str,
                    now: datetime) -> Job:
    """The draft's preview job for today: the one asked for already, or a new one queued (failed ones aside)."""
    return queue.enqueue(session, KIND, {"workflow_id": draft.workflow_id, "revision": draft.revision,
                                         "today": today.isoformat()},
                         requested_by, now, dedupe_key=preview_key(session, draft, today))


def report_of(job: Job) -> WorkflowPreview | None:
    """The preview a done job keeps, or None while it is not done."""
    return WorkflowPreview.from_json(job.result) if job.status == "done" and job.result else None


def work_out(context: JobContext, input: dict[str, Any], report_progress: ReportProgress) -> dict[str, Any]:
    """Judge the workflow's open cases on the job's day under their versions and under the draft; the report."""
    today = date.fromisoformat(input["today"])
    with context.reading() as session:
        row = revision(session, input["workflow_id"], input["revision"])
        if row is None:
            raise DraftGone(f"“{input['workflow_id']}” has no revision {input['revision']} any more.")
        rules = published_library(session)
        draft = stored_workflow(row, rules, role_ids(session))
        report = preview_draft(session, rules, published_workflows(session, rules), draft,
                               today, chunk=int(input.get("chunk", CHUNK)),
                               progress=lambda done, total: report_progress(
                                   done, total, f"Judging the open cases: {done:,} of {total:,} open cases"))
    return report.to_json()
