"""`ordinance jobs list|show|run-pending`, and the worker the scheduler process runs beside the sweeps."""
from __future__ import annotations

import threading
import time

import pytest
from click.testing import CliRunner

from engine.jobs import rule_impact
from engine.rulebook import store
from engine.store.db import make_engine, make_sessionmaker, transaction
from engine.store.models import Job
from tests.factories import NOW
from tests.jobs.test_rule_impact import city_with_a_draft
from tests.web.test_rule_drafts import TODAY
from webapp.cli import main
from webapp.cli.scheduler import start_in_process
from webapp.config import Config


@pytest.fixture()
def sessions(committing_url):
    """Sessions on the test's own database, which the command line also uses."""
    engine = make_engine(committing_url)
    yield make_sessionmaker(engine)
    engine.dispose()


@pytest.fixture()
def jobs(committing_url, tmp_path, monkeypatch):
    """Run `ordinance jobs ...` on the test's own database at NOW."""
    monkeypatch.setattr("webapp.cli.context.now", lambda: NOW)
    monkeypatch.setattr("webapp.cli.jobs.now", lambda: NOW)
    runner = CliRunner()
    return lambda *args: runner.invoke(main, ["jobs", *args], env={"DATABASE_URL": committing_url,
                                                                    "ORDINANCE_INSTANCE": str(tmp_path)})


def ask_for_impact(sessions) -> int:
    """The late fee draft's impact asked for by sam; the job's id."""
    with transaction(sessions) as session:
        draft = store.history(session, "late-fee")[-1]
        return rule_impact.request_impact(session, draft, TODAY, "sam", NOW).id


def test_list_show_and_run_pending(sessions, jobs):
    assert jobs("list").output == "No jobs yet.\n"
    city_with_a_draft(sessions)
    job_id = ask_for_impact(sessions)
    assert "rule-impact    queued" in jobs("list").output

    ran = jobs("run-pending")
    assert ran.exit_code == 0, ran.output
    assert ran.output == f"job {job_id} rule-impact: done\nRan 1 job(s).\n"
    assert jobs("run-pending").output == "No jobs were waiting.\n"

    shown = jobs("show", str(job_id)).output
    assert "status:          done" in shown and "progress:        1/1" in shown and "requested_by:    sam" in shown
    assert '"after_total": "24.00"' in jobs("show", str(job_id), "--json").output
    missing = jobs("show", "999")
    assert missing.exit_code == 1 and "there is no job 999" in missing.output


def test_run_pending_exits_1_when_a_job_failed(sessions, jobs):
    city_with_a_draft(sessions)
    job_id = ask_for_impact(sessions)
    with transaction(sessions) as session:
        job = session.get(Job, job_id)
        job.input = {**job.input, "revision": 9}
    ran = jobs("run-pending")
    assert ran.exit_code == 1
    assert f"job {job_id} rule-impact: failed: “late-fee” has no revision 9 any more." in ran.output


def test_the_in_process_scheduler_does_jobs_and_stops_with_the_scheduler(committing_url, sessions, tmp_path):
    city_with_a_draft(sessions)
    job_id = ask_for_impact(sessions)
    scheduler, catching_up = start_in_process(Config(database_url=committing_url, instance=tmp_path))
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with sessions() as session:
                if session.get(Job, job_id).status == "done":
                    break
            time.sleep(0.1)
        [worker] = [thread for thread in threading.enumerate() if thread.name == "ordinance-jobs"]
    finally:
        scheduler.shutdown(wait=False)
        catching_up.join(timeout=120)
    worker.join(timeout=30)
    assert not worker.is_alive()
    with sessions() as session:
        assert session.get(Job, job_id).status == "done"
