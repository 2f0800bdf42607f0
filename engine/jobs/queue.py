"""The job queue in the database: enqueue once per dedupe key, claim atomically, record progress and outcome.

Claiming is one conditional UPDATE (`... WHERE id = ? AND status = 'queued'`, or a running job
whose worker has stopped beating) that counts only when it changed a row, so two workers never
run one job. On PostgreSQL the candidate is first picked with `FOR UPDATE SKIP LOCKED`, so
workers pass each other by; on SQLite the claiming transaction began with BEGIN IMMEDIATE
(engine/store/db.py) and holds the write lock. A running job whose heartbeat is older than
`stale_after` belonged to a worker that died: it is taken again (attempts + 1), until
MAX_ATTEMPTS, after which it is failed. A done or failed job is never claimed.

Every write here is made in the caller's transaction; the worker keeps them short.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine import audit
from engine.store.models import Job

STALE_AFTER = timedelta(seconds=60)
MAX_ATTEMPTS = 3
KIND_NAME = re.compile(r"^[a-z][a-z0-9-]{0,39}$")
MESSAGE_LIMIT = 200


class JobError(ValueError):
    """A job that cannot be queued as asked; the message says why."""


def enqueue(session: Session, kind: str, input: dict[str, Any], requested_by: str, now: datetime,
            dedupe_key: str | None = None) -> Job:
    """A new queued job (and its audit row), or the job with the same dedupe key that has not failed."""
    if not KIND_NAME.match(kind):
        raise JobError(f"a job kind is lower-case letters, digits and hyphens, not {kind!r}")
    existing = live_job(session, dedupe_key) if dedupe_key else None
    if existing is not None:
        return existing
    job = Job(kind=kind, input=input, dedupe_key=dedupe_key, status="queued", progress_done=0, progress_total=0,
              progress_message="", requested_by=requested_by, created_at=now, attempts=0)
    try:
        with session.begin_nested():  # a second request at the same moment: the unique index decides
            session.add(job)
    except IntegrityError:
        found = live_job(session, dedupe_key) if dedupe_key else None
        if found is None:
            raise
        return found
    audit.record(session, actor=requested_by, action="job.request", subject_type="job", subject_id=job.id,
                 detail={"kind": kind, "input": input}, at=now)
    return job


def live_job(session: Session, dedupe_key: str) -> Job | None:
    """The job with this dedupe key that is queued, running or done, if there is one."""
    return session.scalar(select(Job).where(Job.dedupe_key == dedupe_key, Job.status != "failed"))


def latest_job(session: Session, dedupe_key: str) -> Job | None:
    """The newest job with this dedupe key, whatever its status."""
    return session.scalar(select(Job).where(Job.dedupe_key == dedupe_key).order_by(Job.id.desc()).limit(1))


def latest_job_under(session: Session, key_prefix: str) -> Job | None:
    """The newest job whose dedupe key starts with `key_prefix` (a kind's jobs of one subject), whatever its status."""
    return session.scalar(select(Job).where(Job.dedupe_key.startswith(key_prefix, autoescape=True))
                          .order_by(Job.id.desc()).limit(1))


def recent_jobs(session: Session, limit: int = 50) -> list[Job]:
    """The newest jobs first."""
    return list(session.scalars(select(Job).order_by(Job.id.desc()).limit(limit)))


def _claimable(now: datetime, stale_after: timedelta):
    """Queued jobs, and running jobs whose worker stopped beating more than `stale_after` ago."""
    return or_(Job.status == "queued",
               and_(Job.status == "running", Job.heartbeat_at < now - stale_after, Job.attempts < MAX_ATTEMPTS))


def has_waiting(session: Session, now: datetime, stale_after: timedelta = STALE_AFTER) -> bool:
    """Whether a job is waiting to be claimed (a cheap read before taking any lock)."""
    return session.scalar(select(Job.id).where(_claimable(now, stale_after)).limit(1)) is not None


def claim_next(session: Session, worker_id: str, now: datetime, *,
               stale_after: timedelta = STALE_AFTER) -> Job | None:
    """The oldest waiting job, claimed for `worker_id` (running, attempts + 1), or None when none waits."""
    give_up_on_abandoned(session, now, stale_after)
    for _ in range(5):  # a candidate another worker took first is passed over
        query = select(Job.id).where(_claimable(now, stale_after)).order_by(Job.id).limit(1)
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        job_id = session.scalar(query)
        if job_id is None:
            return None
        if _take(session, job_id, worker_id, now, stale_after):
            return session.get(Job, job_id, populate_existing=True)
    return None


def _take(session: Session, job_id: int, worker_id: str, now: datetime, stale_after: timedelta) -> bool:
    """Claim one job if it is still claimable: True when this UPDATE changed it."""
    taken = session.execute(
        update(Job).where(Job.id == job_id, _claimable(now, stale_after))
        .values(status="running", claimed_by=worker_id, attempts=Job.attempts + 1, started_at=now, heartbeat_at=now)
        .execution_options(synchronize_session=False))
    return taken.rowcount == 1


def give_up_on_abandoned(session: Session, now: datetime, stale_after: timedelta = STALE_AFTER) -> int:
    """Fail the running jobs whose worker stopped MAX_ATTEMPTS times; how many."""
    given_up = session.execute(
        update(Job).where(Job.status == "running", Job.heartbeat_at < now - stale_after,
                          Job.attempts >= MAX_ATTEMPTS)
        .values(status="failed", finished_at=now,
                error=f"It was started {MAX_ATTEMPTS} times and stopped each time before it finished.")
        .execution_options(synchronize_session=False))
    return given_up.rowcount


def _held(job_id: int, worker_id: str):
    """The job, while it is running for this worker."""
    return and_(Job.id == job_id, Job.status == "running", Job.claimed_by == worker_id)


def report_progress(session: Session, job_id: int, worker_id: str, now: datetime, done: int, total: int,
                    message: str) -> bool:
    """Store how far the job has got (and that its worker lives); False when the worker no longer holds it."""
    changed = session.execute(
        update(Job).where(_held(job_id, worker_id))
        .values(progress_done=done, progress_total=total, progress_message=message[:MESSAGE_LIMIT],
                heartbeat_at=now).execution_options(synchronize_session=False))
    return changed.rowcount == 1


def beat(session: Session, job_id: int, worker_id: str, now: datetime) -> bool:
    """The worker still lives; False when it no longer holds the job."""
    changed = session.execute(update(Job).where(_held(job_id, worker_id)).values(heartbeat_at=now)
                              .execution_options(synchronize_session=False))
    return changed.rowcount == 1


def finish(session: Session, job_id: int, worker_id: str, now: datetime, result: dict[str, Any]) -> bool:
    """Store the result and mark the job done; False (nothing stored) when the worker no longer holds it."""
    changed = session.execute(
        update(Job).where(_held(job_id, worker_id))
        .values(status="done", result=result, finished_at=now, heartbeat_at=now)
        .execution_options(synchronize_session=False))
    return changed.rowcount == 1


def fail(session: Session, job_id: int, worker_id: str, now: datetime, error: str) -> bool:
    """Store why the job failed and mark it failed; False when the worker no longer holds it."""
    changed = session.execute(
        update(Job).where(_held(job_id, worker_id))
        .values(status="failed", error=error, finished_at=now, heartbeat_at=now)
        .execution_options(synchronize_session=False))
    return changed.rowcount == 1
