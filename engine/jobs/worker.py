"""The worker: claim a waiting job, run its kind's function, store the result or the error; and again.

`run_worker` is the loop the scheduler process runs in a thread until its stop event is set;
`run_pending` does what is waiting once and returns (`ordinance jobs run-pending`, tests).
Each step is its own short transaction: the claim, each progress report, the outcome. The
function itself reads in a transaction that never takes SQLite's write lock, so clerks never
wait behind a job. While a job runs, a heartbeat says its worker lives; a worker that dies
leaves a job another worker takes again once the heartbeat is stale.
"""
from __future__ import annotations

import json
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from engine.jobs import queue
from engine.jobs.context import Handler, JobContext
from engine.jobs.kinds import KINDS
from engine.store.db import transaction
from engine.store.models import Job

Clock = Callable[[], datetime]
HEARTBEAT_SECONDS = 15.0
POLL_SECONDS = 1.0
log = logging.getLogger("ordinance.jobs")


class JobLost(RuntimeError):
    """This worker no longer holds the job: it was thought dead and the job was taken again."""


def worker_name() -> str:
    """A name for a worker, unique among the city's servers: host, process, and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass
class ProgressReport:
    """The job's `report_progress(done, total, message)`: each call committed in its own short transaction."""

    sessions: sessionmaker[Session]
    job_id: int
    worker_id: str
    clock: Clock

    def __call__(self, done: int, total: int, message: str = "") -> None:
        """Store the progress; raise JobLost when another worker has taken the job."""
        with transaction(self.sessions) as session:
            held = queue.report_progress(session, self.job_id, self.worker_id, self.clock(), done, total, message)
        if not held:
            raise JobLost(f"job {self.job_id} was taken by another worker")


class Heartbeat:
    """A thread that tells the database every few seconds that the worker running a job lives."""

    def __init__(self, sessions: sessionmaker[Session], job_id: int, worker_id: str, clock: Clock,
                 every: float) -> None:
        """Beat for `job_id` every `every` seconds once started."""
        self.sessions, self.job_id, self.worker_id, self.clock, self.every = sessions, job_id, worker_id, clock, every
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"ordinance-job-{job_id}-heartbeat", daemon=True)

    def _beat(self) -> None:
        """Beat until stopped, or until the job is no longer this worker's."""
        while not self.stopped.wait(self.every):
            try:
                with transaction(self.sessions) as session:
                    if not queue.beat(session, self.job_id, self.worker_id, self.clock()):
                        return
            except Exception:  # noqa: BLE001 - a missed beat is retried; the job carries on
                log.exception("heartbeat of job %s failed", self.job_id)

    def __enter__(self) -> Heartbeat:
        """Start beating."""
        self.thread.start()
        return self

    def __exit__(self, *_exc: Any) -> None:
        """Stop beating."""
        self.stopped.set()
        self.thread.join()


def run_one(sessions: sessionmaker[Session], clock: Clock, worker_id: str, *,
            kinds: dict[str, Handler] | None = None, stale_after: timedelta = queue.STALE_AFTER,
            heartbeat_seconds: float | None = HEARTBEAT_SECONDS) -> Job | None:
    """Claim the oldest waiting job and do it; the job as claimed, or None when nothing waits."""
    with transaction(sessions) as session:
        job = queue.claim_next(session, worker_id, clock(), stale_after=stale_after)
    if job is None:
        return None
    log.info("job %s (%s) claimed by %s, attempt %s", job.id, job.kind, worker_id, job.attempts)
    if heartbeat_seconds:
        with Heartbeat(sessions, job.id, worker_id, clock, heartbeat_seconds):
            _do(sessions, job, clock, worker_id, kinds if kinds is not None else KINDS)
    else:
        _do(sessions, job, clock, worker_id, kinds if kinds is not None else KINDS)
    return job


def _do(sessions: sessionmaker[Session], job: Job, clock: Clock, worker_id: str,
        kinds: dict[str, Handler]) -> None:
    """Run the job's function and store its result, or its error in words."""
    handler = kinds.get(job.kind)
    try:
        if handler is None:
            raise LookupError(f"Ordinance has no kind of job named {job.kind!r}.")
        context = JobContext(sessions, job.id, job.requested_by, job.started_at or clock())
        result = json.loads(json.dumps(handler(context, job.input, ProgressReport(sessions, job.id, worker_id, clock))))
    except JobLost:
        log.warning("job %s was taken by another worker; %s leaves it", job.id, worker_id)
        return
    except Exception as error:  # noqa: BLE001 - a job's failure is stored for the page, not raised
        log.exception("job %s (%s) failed", job.id, job.kind)
        with transaction(sessions) as session:
            queue.fail(session, job.id, worker_id, clock(), str(error) or type(error).__name__)
        return
    with transaction(sessions) as session:
        if not queue.finish(session, job.id, worker_id, clock(), result):
            log.warning("job %s was taken by another worker; its result from %s is not kept", job.id, worker_id)


def run_pending(sessions: sessionmaker[Session], clock: Clock, worker_id: str | None = None, *,
                kinds: dict[str, Handler] | None = None, stale_after: timedelta = queue.STALE_AFTER,
                heartbeat_seconds: float | None = HEARTBEAT_SECONDS) -> list[Job]:
    """Do every waiting job once, oldest first, and return them (as claimed)."""
    worker_id = worker_id or worker_name()
    done = []
    while (job := run_one(sessions, clock, worker_id, kinds=kinds, stale_after=stale_after,
                          heartbeat_seconds=heartbeat_seconds)) is not None:
        done.append(job)
    return done


def run_worker(sessions: sessionmaker[Session], stop_event: threading.Event, clock: Clock,
               poll_seconds: float = POLL_SECONDS, *, worker_id: str | None = None,
               kinds: dict[str, Handler] | None = None, stale_after: timedelta = queue.STALE_AFTER,
               heartbeat_seconds: float | None = HEARTBEAT_SECONDS) -> None:
    """Do jobs as they come until `stop_event` is set, looking every `poll_seconds` when none waits."""
    worker_id = worker_id or worker_name()
    log.info("job worker %s started", worker_id)
    while not stop_event.is_set():
        try:
            if _waiting(sessions, clock(), stale_after) and run_one(
                    sessions, clock, worker_id, kinds=kinds, stale_after=stale_after,
                    heartbeat_seconds=heartbeat_seconds) is not None:
                continue
        except Exception:  # noqa: BLE001 - the database away for a moment must not end the worker
            log.exception("job worker %s: could not take a job; trying again", worker_id)
        stop_event.wait(poll_seconds)
    log.info("job worker %s stopped", worker_id)


def _waiting(sessions: sessionmaker[Session], now: datetime, stale_after: timedelta) -> bool:
    """Whether a job waits, read without taking SQLite's write lock (a worker with nothing to do stays quiet)."""
    with sessions() as session:
        session.connection(execution_options={"sqlite_begin": "DEFERRED"})
        return queue.has_waiting(session, now, stale_after)
