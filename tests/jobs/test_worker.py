"""The worker: each job's function run once, its progress committed as it goes, its result or error kept."""
from __future__ import annotations

import itertools
import threading
import time
from datetime import timedelta

from engine.jobs import queue
from engine.jobs.worker import JobLost, run_one, run_pending, run_worker
from engine.store.db import transaction
from engine.store.models import Job
from tests.factories import NOW


def ticking():
    """A clock that moves on a second each time it is read."""
    seconds = itertools.count()
    return lambda: NOW + timedelta(seconds=next(seconds))


def ask(sessions, kind: str = "count-sheep", **input: object) -> int:
    """A job of `kind` asked for and committed; its id."""
    with transaction(sessions) as session:
        return queue.enqueue(session, kind, dict(input), "sam", NOW).id


def job(sessions, job_id: int) -> Job:
    """The job as the database has it now."""
    with sessions() as session:
        return session.get(Job, job_id)


def test_a_job_runs_once_with_its_progress_committed_as_it_goes(committing_db):
    seen_from_outside: list[tuple[int, int, str]] = []
    calls = []

    def count_sheep(context, input, report_progress):
        """Count to input["sheep"], reporting each; what another connection sees is noted."""
        calls.append(context.job_id)
        for n in range(1, input["sheep"] + 1):
            report_progress(n, input["sheep"], f"{n} of {input['sheep']} sheep")
            other = job(committing_db, context.job_id)
            seen_from_outside.append((other.progress_done, other.progress_total, other.progress_message))
        return {"sheep": input["sheep"], "asked_by": context.requested_by}

    job_id = ask(committing_db, sheep=3)
    kinds = {"count-sheep": count_sheep}

    assert [j.id for j in run_pending(committing_db, ticking(), "w1", kinds=kinds)] == [job_id]
    assert run_pending(committing_db, ticking(), "w1", kinds=kinds) == []

    assert calls == [job_id]
    assert seen_from_outside == [(1, 3, "1 of 3 sheep"), (2, 3, "2 of 3 sheep"), (3, 3, "3 of 3 sheep")]
    done = job(committing_db, job_id)
    assert (done.status, done.result, done.error, done.attempts) == ("done", {"sheep": 3, "asked_by": "sam"},
                                                                     None, 1)
    assert done.started_at < done.finished_at


def test_a_job_that_raises_is_failed_with_its_reason_in_words(committing_db):
    def out_of_sheep(context, input, report_progress):
        """Fail at once."""
        raise ValueError("there are no sheep in the field")

    def a_set_of_sheep(context, input, report_progress):
        """Return something JSON cannot hold."""
        return {"sheep": {1, 2}}

    first, second, third = ask(committing_db), ask(committing_db, "set-of-sheep"), ask(committing_db, "goats")
    run_pending(committing_db, ticking(), "w1", kinds={"count-sheep": out_of_sheep, "set-of-sheep": a_set_of_sheep})

    assert (job(committing_db, first).status, job(committing_db, first).error) == (
        "failed", "there are no sheep in the field")
    assert job(committing_db, second).status == "failed" and "JSON" in job(committing_db, second).error
    assert job(committing_db, third).error == "Ordinance has no kind of job named 'goats'."
    assert run_pending(committing_db, ticking(), "w1", kinds={"count-sheep": out_of_sheep}) == []


def test_a_worker_thought_dead_stops_and_keeps_nothing(committing_db):
    """While w1 works, w2 takes the job (w1's heartbeat looked stale); w1's next report ends its work."""
    outcome = []

    def slow_sheep(context, input, report_progress):
        """Let w2 take the job over, then try to report."""
        with transaction(committing_db) as session:
            queue.claim_next(session, "w2", NOW + timedelta(hours=1))
        try:
            report_progress(1, 2, "1 of 2 sheep")
        except JobLost:
            outcome.append("lost")
            raise
        return {"from": "w1"}

    job_id = ask(committing_db)
    run_one(committing_db, lambda: NOW, "w1", kinds={"count-sheep": slow_sheep}, heartbeat_seconds=None)

    assert outcome == ["lost"]
    taken = job(committing_db, job_id)
    assert (taken.status, taken.claimed_by, taken.attempts, taken.result) == ("running", "w2", 2, None)


def test_the_heartbeat_says_the_worker_lives_while_a_job_reports_nothing(committing_db):
    def quiet_sheep(context, input, report_progress):
        """Work, without reporting, until the heartbeat has moved twice (or 30 seconds have gone)."""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if job(committing_db, context.job_id).heartbeat_at >= context.claimed_at + timedelta(seconds=2):
                return {"beating": True}
            time.sleep(0.05)
        return {"beating": False}

    job_id = ask(committing_db)
    run_one(committing_db, ticking(), "w1", kinds={"count-sheep": quiet_sheep}, heartbeat_seconds=0.05)
    assert job(committing_db, job_id).result == {"beating": True}


def test_the_worker_loop_does_jobs_as_they_come_until_stopped(committing_db):
    def count_sheep(context, input, report_progress):
        """Count nothing."""
        return {"counted": input["sheep"]}

    stop = threading.Event()
    worker = threading.Thread(target=run_worker, args=(committing_db, stop, ticking(), 0.05),
                              kwargs={"kinds": {"count-sheep": count_sheep}, "heartbeat_seconds": None})
    worker.start()
    try:
        ids = [ask(committing_db, sheep=n) for n in range(3)]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(job(committing_db, i).status != "done" for i in ids):
            time.sleep(0.05)
    finally:
        stop.set()
        worker.join(timeout=30)
    assert not worker.is_alive()
    assert [job(committing_db, i).result for i in ids] == [{"counted": 0}, {"counted": 1}, {"counted": 2}]
