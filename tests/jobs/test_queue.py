"""The job queue: one job per dedupe key, claimed by one worker, retaken from a dead one, never run twice."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.jobs import queue
from engine.store.db import transaction
from engine.store.models import AuditEntry, Job
from tests.factories import NOW

LATER = NOW + queue.STALE_AFTER + timedelta(seconds=1)


def ask(db: Session, key: str | None = "rule-impact:late-fee:2", **input: object) -> Job:
    """A job asked for by a supervisor at NOW."""
    return queue.enqueue(db, "rule-impact", dict(input), "sam", NOW, dedupe_key=key)


def test_the_same_dedupe_key_is_one_job_and_one_audit_row(db):
    first = ask(db)
    assert ask(db) is first
    assert ask(db, key="rule-impact:late-fee:3").id != first.id
    audited = db.scalars(select(AuditEntry.subject_id).where(AuditEntry.action == "job.request")).all()
    assert sorted(audited) == sorted([str(first.id), str(first.id + 1)])


def test_a_failed_job_leaves_room_for_a_fresh_one(db):
    first = ask(db)
    queue.claim_next(db, "w1", NOW)
    assert queue.fail(db, first.id, "w1", NOW, "the rules could not be read")
    fresh = ask(db)
    assert fresh.id != first.id and fresh.status == "queued"
    assert queue.latest_job(db, "rule-impact:late-fee:2").id == fresh.id


def test_a_kind_is_a_plain_name(db):
    with pytest.raises(queue.JobError, match="lower-case letters"):
        queue.enqueue(db, "Rule Impact!", {}, "sam", NOW)


def test_claiming_takes_the_oldest_queued_job_for_one_worker(db):
    first, second = ask(db, key=None), ask(db, key=None)
    claimed = queue.claim_next(db, "w1", NOW)
    assert (claimed.id, claimed.status, claimed.claimed_by, claimed.attempts) == (first.id, "running", "w1", 1)
    assert queue.claim_next(db, "w2", NOW).id == second.id
    assert queue.claim_next(db, "w3", NOW) is None


def test_a_job_taken_first_by_another_worker_is_not_taken_again(db):
    job = ask(db)
    assert queue._take(db, job.id, "w1", NOW, queue.STALE_AFTER)
    assert not queue._take(db, job.id, "w2", NOW, queue.STALE_AFTER)  # the conditional UPDATE changed no row
    assert db.get(Job, job.id, populate_existing=True).claimed_by == "w1"


def test_a_dead_workers_job_is_taken_again_and_the_dead_one_cannot_store_anything(db):
    job = ask(db)
    queue.claim_next(db, "w1", NOW)
    assert queue.claim_next(db, "w2", NOW + timedelta(seconds=30)) is None  # w1 may still be working

    retaken = queue.claim_next(db, "w2", LATER)

    assert (retaken.id, retaken.claimed_by, retaken.attempts) == (job.id, "w2", 2)
    assert not queue.report_progress(db, job.id, "w1", LATER, 5, 10, "")
    assert not queue.finish(db, job.id, "w1", LATER, {"from": "w1"})
    assert queue.finish(db, job.id, "w2", LATER, {"from": "w2"})
    assert db.get(Job, job.id, populate_existing=True).result == {"from": "w2"}


def test_a_job_that_stops_its_worker_every_time_is_given_up(db):
    job = ask(db)
    moment = NOW
    for _ in range(queue.MAX_ATTEMPTS):
        assert queue.claim_next(db, "w", moment).id == job.id
        moment += queue.STALE_AFTER + timedelta(seconds=1)
    assert queue.claim_next(db, "w", moment) is None
    failed = db.get(Job, job.id, populate_existing=True)
    assert failed.status == "failed" and "started 3 times" in failed.error


def test_a_done_or_failed_job_is_never_claimed_again(db):
    done, failed = ask(db, key="a"), ask(db, key="b")
    queue.claim_next(db, "w", NOW)
    queue.claim_next(db, "w", NOW)
    queue.finish(db, done.id, "w", NOW, {})
    queue.fail(db, failed.id, "w", NOW, "no")
    assert queue.claim_next(db, "w", NOW + timedelta(days=30)) is None
    assert not queue.has_waiting(db, NOW + timedelta(days=30))


def claim_at_once(sessions: sessionmaker[Session], workers: int) -> list[int | None]:
    """Each of `workers` threads claims one job at the same moment, in its own transaction; the ids they got."""
    start = threading.Barrier(workers)
    got: list[int | None] = [None] * workers

    def claim(n: int) -> None:
        start.wait()
        with transaction(sessions) as session:
            job = queue.claim_next(session, f"worker-{n}", NOW)
            got[n] = job.id if job else None

    threads = [threading.Thread(target=claim, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return got


def test_two_workers_racing_claim_different_jobs(committing_db):
    with transaction(committing_db) as session:
        ids = sorted(ask(session, key=None).id for _ in range(2))
    for _ in range(3):
        assert sorted(claim_at_once(committing_db, 2)) == ids
        with transaction(committing_db) as session:  # queued again for the next round
            for job in session.scalars(select(Job)):
                job.status = "queued"


def test_two_workers_racing_for_one_job_one_gets_it(committing_db):
    with transaction(committing_db) as session:
        job_id = ask(session).id
    got = claim_at_once(committing_db, 2)
    assert sorted(got, key=lambda x: x is None) == [job_id, None]
    with committing_db() as session:
        assert session.get(Job, job_id).attempts == 1
