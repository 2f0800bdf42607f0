"""The job kind `bill-printing`: a billing run's statements, printed by the worker for the Billing page.

The same mailing PDF and postal summary `ordinance billing statements` makes
(engine.statements.batch), written under the PDF folder the page names, rendered while
only reading the database, then audited (`statements.mailed`) in the name of whoever asked.
The same bills (their count and newest id) are one job: a second press gives the print
already made; bills added since (a later run of the month) ask for a fresh one.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.jobs import queue
from engine.jobs.billing_run import RULES_FOLDER
from engine.jobs.context import JobContext, ReportProgress
from engine.rules.months import period_words
from engine.rulebook.catalog_source import current_rules
from engine.statements.batch import record_mailing, render_statements
from engine.store.db import transaction
from engine.store.models import Bill, Job

KIND = "bill-printing"


def bills_stamp(session: Session, cycle: str, period: str) -> str:
    """The bills of a cycle's month in short: their count and the newest one's id."""
    count, newest = session.execute(select(func.count(Bill.id), func.max(Bill.id))
                                    .where(Bill.cycle == cycle, Bill.period == period)).one()
    return f"{count or 0}-{newest or 0}"


def latest_print(session: Session, cycle: str, period: str) -> Job | None:
    """The newest print asked for the cycle's month (queued, running, done or failed), if any."""
    return queue.latest_job_under(session, f"{KIND}:{cycle}:{period}:")


def request_print(session: Session, *, cycle: str, period: str, folder: str, requested_by: str,
                  now: datetime) -> tuple[Job, bool]:
    """The print of the month's bills as they are: (the job, True) when asked for now, (the print asked for
    already, False) when one exists for the same bills."""
    key = f"{KIND}:{cycle}:{period}:{bills_stamp(session, cycle, period)}"
    same = queue.live_job(session, key)
    if same is not None:
        return same, False
    return queue.enqueue(session, KIND, {"cycle": cycle, "period": period, "folder": folder}, requested_by, now,
                         dedupe_key=key), True


def work_out(context: JobContext, input: dict[str, Any], report_progress: ReportProgress) -> dict[str, Any]:
    """Render the month's statements and postal summary into the folder; audit them; where they are, as JSON."""
    cycle, period = input["cycle"], input["period"]
    words = f"Printing the bills of cycle {cycle}, {period_words(period)}"
    with context.reading() as session:
        made = render_statements(session, current_rules(session, RULES_FOLDER), cycle=cycle, period=period,
                                 folder=input["folder"],
                                 progress=lambda done, total: report_progress(done, total,
                                                                              f"{words}: {done:,} of {total:,} bills"))
    with transaction(context.sessions) as session:
        record_mailing(session, made, actor=context.requested_by, now=context.claimed_at)
    return {"cycle": cycle, "period": period, "pdf": str(made.pdf_path), "summary": str(made.summary_path),
            "sha256": made.sha256, "pieces": made.summary.total_pieces, "pages": made.pages,
            "postal": made.summary.rows()}
