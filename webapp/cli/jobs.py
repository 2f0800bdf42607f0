"""`ordinance jobs list|show|run-pending`: the background jobs pages ask for, and doing them by hand.

    ordinance jobs list [--limit 20]
    ordinance jobs show 12 [--json]
    ordinance jobs run-pending        # do every waiting job once, then exit (scripts, tests)

The scheduler process (`ordinance scheduler`, or the one inside `ordinance serve`) does jobs as
they come; `run-pending` is the same work, once, in the foreground.
"""
from __future__ import annotations

import json
import sys
from datetime import datetime

import click

from engine.jobs import queue
from engine.jobs.worker import run_pending
from engine.store.models import Job
from webapp.cli.context import RECORD_ID, CityContext, fail, pass_city


def progress_text(job: Job) -> str:
    """How far a job has got: "340/2,000", or its status when it has nothing to count."""
    if job.progress_total:
        return f"{job.progress_done:,}/{job.progress_total:,}"
    return ""


@click.group("jobs")
def command() -> None:
    """Background jobs: what pages asked for (such as a draft's impact), how far each has got, and its result."""


@command.command("list")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000), help="How many, newest first.")
@pass_city
def list_(city: CityContext, limit: int) -> None:
    """The newest jobs: number, kind, status, progress, who asked and when."""
    with city.session() as session:
        jobs = queue.recent_jobs(session, limit)
    if not jobs:
        click.echo("No jobs yet.")
    for job in jobs:
        click.echo(f"{job.id:>6}  {job.kind:<14} {job.status:<8} {progress_text(job):<16} "
                   f"{job.requested_by:<16} {job.created_at:%Y-%m-%d %H:%M} UTC")


@command.command()
@click.argument("job_id", type=RECORD_ID)
@click.option("--json", "as_json", is_flag=True, help="The whole job, result included, as JSON.")
@pass_city
def show(city: CityContext, job_id: int, as_json: bool) -> None:
    """One job: its input, progress, attempts, worker, times, and its result or error."""
    with city.session() as session:
        job = session.get(Job, job_id)
    if job is None:
        fail(f"there is no job {job_id}")
    if as_json:
        click.echo(json.dumps(_as_json(job), indent=2))
        return
    for label, value in _as_json(job).items():
        if label != "result" and value not in (None, ""):
            click.echo(f"{label + ':':<16} {json.dumps(value) if isinstance(value, dict) else value}")
    if job.result is not None:
        click.echo(f"{'result:':<16} kept ({len(json.dumps(job.result)):,} characters; --json shows it)")


def _moment(value: datetime | None) -> str | None:
    """A moment as ISO text (UTC), or None."""
    return value.isoformat() if value else None


def _as_json(job: Job) -> dict:
    """A job's columns as JSON-ready values."""
    return {"job": job.id, "kind": job.kind, "status": job.status, "input": job.input,
            "progress": progress_text(job), "message": job.progress_message, "requested_by": job.requested_by,
            "requested_at": _moment(job.created_at), "started_at": _moment(job.started_at),
            "finished_at": _moment(job.finished_at), "attempts": job.attempts, "worker": job.claimed_by,
            "error": job.error, "result": job.result}


@command.command("run-pending")
@pass_city
def run_pending_(city: CityContext) -> None:
    """Do every waiting job once, oldest first, then exit (exit 1 if one failed)."""
    ran = run_pending(city.db.sessions, city.now)
    failed = 0
    with city.session() as session:
        for claimed in ran:
            job = session.get(Job, claimed.id)
            failed += job.status == "failed"
            click.echo(f"job {job.id} {job.kind}: {job.status}" + (f": {job.error}" if job.error else ""))
    click.echo(f"Ran {len(ran)} job(s)." if ran else "No jobs were waiting.")
    if failed:
        sys.exit(1)
