"""`ordinance jobs list|show|run-pending`, and the worker the scheduler process runs beside the sweeps."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from engine.jobs import rule_impact
from engine.rulebook import revisions
from engine.store.db import make_engine, make_sessionmaker, transaction
from engine.store.models import Job
from tests.factories import NOW
from tests.jobs.test_rule_impact import city_with_a_draft
from tests.web.test_rule_drafts import TODAY
from webapp.cli import main
from tests.web.served import ORDINANCE, REPO, environment


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
    runner = CliRunner()
    return lambda *args: runner.invoke(main, ["jobs", *args], env={"DATABASE_URL": committing_url,
                                                                    "ORDINANCE_INSTANCE": str(tmp_path)})


def ask_for_impact(sessions) -> int:
    """The late fee draft's impact asked for by sam; the job's id."""
    with transaction(sessions) as session:
        draft = revisions.history(session, "late-fee")[-1]
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


def test_the_scheduler_process_does_jobs_and_stops_with_sigterm(committing_url, sessions, tmp_path):
    """`ordinance scheduler` (what `ordinance serve` starts as its child) does a waiting job, then stops cleanly."""
    city_with_a_draft(sessions)
    job_id = ask_for_impact(sessions)
    env = {**environment(tmp_path / "instance"), "DATABASE_URL": committing_url}
    process = subprocess.Popen([sys.executable, "-c", ORDINANCE, "scheduler", "--no-catch-up"], cwd=REPO, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and _status(sessions, job_id) != "done":
            time.sleep(0.2)
        niceness = os.getpriority(os.PRIO_PROCESS, process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
    assert _status(sessions, job_id) == "done", output
    assert process.returncode == 0 and "Scheduler stopped." in output
    assert niceness == max(10, os.nice(0))  # the pages go before its sweeps and jobs (ORDINANCE_BACKGROUND_NICENESS)


def _status(sessions, job_id: int) -> str:
    """A job's status as another connection sees it."""
    with sessions() as session:
        return session.get(Job, job_id).status


@pytest.mark.parametrize("value", ["-1", "20", "low", "10.5"])
def test_a_background_niceness_that_is_no_niceness_is_refused_naming_the_range(monkeypatch, value):
    from webapp.config import ConfigError, background_niceness

    monkeypatch.setenv("ORDINANCE_BACKGROUND_NICENESS", value)
    with pytest.raises(ConfigError, match=f"ORDINANCE_BACKGROUND_NICENESS='{value}' is not a niceness: give a whole "
                                          "number from 0"):
        background_niceness()


def test_the_scheduler_stops_before_it_starts_on_a_niceness_it_cannot_use(committing_url, tmp_path):
    env = {**environment(tmp_path / "instance"), "DATABASE_URL": committing_url,
           "ORDINANCE_BACKGROUND_NICENESS": "99"}
    done = subprocess.run([sys.executable, "-c", ORDINANCE, "scheduler", "--no-catch-up"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "Error: ORDINANCE_BACKGROUND_NICENESS='99' is not a niceness" in done.stderr
