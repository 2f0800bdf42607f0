"""The job kind `rule-impact`: what a draft revision would change on real accounts, worked out in the background.

The draft page asks for the job and answers at once; the scheduler's worker works the impact
out a chunk of accounts at a time, storing "340 of 2,000 accounts" as it goes, and keeps the
report as JSON. The same draft, on the same day, against the same published rules, is one
job (its dedupe key), so every later view shows the stored result; a publication since, or a
new day, asks for a fresh one.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.jobs import queue
from engine.jobs.context import JobContext, ReportProgress
from engine.rulebook.catalog_source import publication_stamp
from engine.rulebook.impact import ImpactReport, Progress, impact_of_draft
from engine.rulebook.revisions import published_library, revision_document
from engine.rulebook.workflow_revisions import has_published_workflows, published_workflows
from engine.store.models import Job, RuleVersion
from engine.workflow.model import SERVICE_OFF

KIND = "rule-impact"
CHUNK = 2000


class DraftGone(LookupError):
    """The revision a job was asked for is not in the rule store."""


def impact_key(session: Session, draft: RuleVersion, today: date) -> str:
    """One job per draft revision, day, and state of the published rules."""
    count, newest = publication_stamp(session)
    return f"{KIND}:{draft.document_id}:{draft.revision}:{today.isoformat()}:{count}-{newest}"


def impact_job(session: Session, draft: RuleVersion, today: date) -> Job | None:
    """The newest impact job for the draft today (queued, running, done or failed), if one was asked for."""
    return queue.latest_job(session, impact_key(session, draft, today))


def request_impact(session: Session, draft: RuleVersion, today: date, requested_by: str, now: datetime) -> Job:
    """The draft's impact job for today: the one asked for already, or a new one queued (failed ones aside)."""
    return queue.enqueue(session, KIND, {"document_id": draft.document_id, "revision": draft.revision,
                                         "today": today.isoformat()},
                         requested_by, now, dedupe_key=impact_key(session, draft, today))


def report_of(job: Job) -> ImpactReport | None:
    """The impact report a done job keeps, or None while it is not done."""
    return ImpactReport.from_json(job.result) if job.status == "done" and job.result else None


def work_out(context: JobContext, input: dict[str, Any], report_progress: ReportProgress) -> dict[str, Any]:
    """Work the draft's impact out against the published rules on the job's day; the report as JSON."""
    today = date.fromisoformat(input["today"])
    with context.reading() as session:
        row = session.scalar(select(RuleVersion).where(RuleVersion.document_id == input["document_id"],
                                                       RuleVersion.revision == input["revision"]))
        if row is None:
            raise DraftGone(f"“{input['document_id']}” has no revision {input['revision']} any more.")
        library = published_library(session)
        workflows = published_workflows(session, library) if has_published_workflows(session) else None
        report = impact_of_draft(session, revision_document(row), library, today,
                                 chunk=int(input.get("chunk", CHUNK)), progress=in_words(report_progress),
                                 service_off=workflows.states_tagged_by_version(SERVICE_OFF) if workflows else {})
    return report.to_json()


def in_words(report_progress: ReportProgress) -> Progress:
    """Progress in the page's words: "Working out the impact on real accounts: 340 of 2,000 accounts"."""
    return lambda done, total, subjects: report_progress(
        done, total, f"Working out the impact on real {subjects}: {done:,} of {total:,} {subjects}")
