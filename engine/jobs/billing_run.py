"""The job kind `billing-run`: a cycle's billing of a month from the Billing page, run by the worker.

The page asks for the run and answers at once; the worker bills the month's stored reviewed
reads (engine.accounts.cycle_billing.bill_cycle, as `ordinance billing run` without a file does),
storing "340 of 2,000 reads" as it goes, makes the leak letters, writes the audit row
`billing.run` in the name of whoever asked, and keeps the register as JSON. The bill and due
dates are counted from the day the run was asked for, the city's day. The same reads ready
(their stamp) are one job, so a second press of the button gives the run already asked for;
a run waiting or running for the cycle's month is the only one until it ends.
"""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from engine import audit
from engine.jobs import queue
from engine.jobs.context import JobContext, ReportProgress
from engine.money.billing import BillingReport
from engine.accounts.cycle_billing import RunRefused, bill_cycle, outlook
from engine.rules.months import period_words
from engine.rulebook.catalog_source import current_rules
from engine.store.db import transaction
from engine.store.models import Job

KIND = "billing-run"
CHUNK = 500
RULES_FOLDER = Path(__file__).resolve().parents[2] / "rules"  # read while the store has no published rules
SHOWN_REFUSED = 200  # refused rows the register keeps (the count is of them all)


def run_key(cycle: str, period: str, stamp: str) -> str:
    """One run per cycle, month and reads ready."""
    return f"{KIND}:{cycle}:{period}:{stamp}"


def latest_run(session: Session, cycle: str, period: str) -> Job | None:
    """The newest run asked for the cycle's month (queued, running, done or failed), if any."""
    return queue.latest_job_under(session, f"{KIND}:{cycle}:{period}:")


def request_run(session: Session, library, *, cycle: str, period: str, today: date, seen: str, requested_by: str,
                now: datetime) -> tuple[Job, bool]:
    """The run of the reads the page showed (`seen`, their stamp): (the job, True) when asked for now; (the run
    asked for already, False) when one waits or runs for the month, or those reads were billed by it.

    RunRefused when the run may not start, when nothing is ready to bill, or when the reads ready
    have changed since the page showed them.
    """
    earlier = latest_run(session, cycle, period)
    if earlier is not None and earlier.status in ("queued", "running"):
        return earlier, False
    same = queue.live_job(session, run_key(cycle, period, seen))
    if same is not None:
        return same, False
    now_ready = outlook(session, library, cycle, period, today)
    if not now_ready.may_run:
        raise RunRefused(f"cycle {cycle} has no reviewed read ready to bill for {period_words(period)} "
                         f"({now_ready.held:,} held for review, {now_ready.missing:,} accounts with no read)")
    if now_ready.stamp != seen:
        raise RunRefused(f"the reads ready to bill for cycle {cycle}, {period_words(period)} have changed since the "
                         f"page showed them (now {now_ready.ready:,}); look at the figures again before billing")
    job = queue.enqueue(session, KIND, {"cycle": cycle, "period": period, "today": today.isoformat(),
                                        "ready": now_ready.ready},
                        requested_by, now, dedupe_key=run_key(cycle, period, seen))
    return job, True


def register_of(job: Job) -> dict[str, Any] | None:
    """The register a done run keeps, or None while it is not done."""
    return job.result if job.status == "done" and job.result else None


def work_out(context: JobContext, input: dict[str, Any], report_progress: ReportProgress) -> dict[str, Any]:
    """Bill the cycle's month from its stored reviewed reads on the day asked; audit it; the register as JSON."""
    cycle, period, today = input["cycle"], input["period"], date.fromisoformat(input["today"])
    with context.reading() as session:
        library = current_rules(session, RULES_FOLDER)
        ahead = outlook(session, library, cycle, period, today)
    total = ahead.ready
    done = 0

    def billed_some(count: int) -> None:
        nonlocal done
        done += count
        report_progress(done, max(total, done), f"Billing cycle {cycle}, {period_words(period)}: "
                                                f"{done:,} of {max(total, done):,} reads")

    report_progress(0, total, f"Billing cycle {cycle}, {period_words(period)}: 0 of {total:,} reads")
    report, letters = bill_cycle(context.sessions, library, cycle=cycle, period=period, rows=None, as_of=today,
                                 now=context.claimed_at, chunk=int(input.get("chunk", CHUNK)), progress=billed_some)
    register = _register(report, len(letters), ahead.billed_on, ahead.due_on, ahead.dates_how, today)
    with transaction(context.sessions) as session:
        audit.record(session, actor=context.requested_by, action="billing.run", subject_type="billing_run",
                     subject_id=f"{cycle}-{period}", at=context.claimed_at,
                     detail={"job": context.job_id, **{key: register[key] for key in (
                         "today", "billed", "billed_cents", "already_billed", "refused_count", "leak_letters")}})
    return register


def _register(report: BillingReport, letters: int, billed_on: date, due_on: date, how: str,
              today: date) -> dict[str, Any]:
    """What the run did, as the page shows it: bills and their total, rows refused and why, what is left."""
    waiting = sum(1 for item in report.not_billed if item.read_id is not None)
    return {"cycle": report.cycle, "period": report.period, "today": today.isoformat(),
            "billed_on": billed_on.isoformat(), "due_on": due_on.isoformat(), "dates_how": how,
            "billed": report.billed, "billed_cents": report.billed_cents, "already_billed": report.already_billed,
            "refused_count": len(report.problems),
            "refused": [{"read": problem.line, "account_number": problem.account_number, "reason": problem.message}
                        for problem in report.problems[:SHOWN_REFUSED]],
            "waiting": waiting, "missing": len(report.not_billed) - waiting, "leak_letters": letters}


__all__ = ["KIND", "RunRefused", "latest_run", "register_of", "request_run", "work_out"]
