"""Safe to kill, safe to run twice at once: real processes running `ordinance sweep run`.

The kill test runs the sweep in a subprocess against a committing SQLite database in
chunks of 20 accounts, waits until the first chunk has committed (the run's cursor moves),
kills the process with SIGKILL, runs the sweep again, and compares everything the sweep
wrote with a clean run on a copy of the same starting database. The concurrency test starts
two `ordinance sweep run` processes on the same database at once (PostgreSQL under
scripts/with-postgres.sh, SQLite otherwise) and checks that nothing was done twice.
"""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.audit import verify_chain
from engine.store.db import make_engine, make_sessionmaker
from engine.store.models import Case, CaseEvent, LedgerEntry, Notice, SweepRun
from tests.sweeps.conftest import NIGHT, REPO, build_city, city_and_its_twin, outcome_of, sweep

ON_THE_NIGHT = [sys.executable, "-m", "tests.sweeps.on_the_night", NIGHT.isoformat()]  # `ordinance`, clock that night


def sweep_process(url: str, instance: Path, chunk: int) -> subprocess.Popen:
    """`ordinance sweep run delinquency --as-of NIGHT --no-pdf` in a process of its own, run that night."""
    env = {**os.environ, "DATABASE_URL": url, "ORDINANCE_INSTANCE": str(instance),
           "ORDINANCE_SWEEP_CHUNK": str(chunk)}
    return subprocess.Popen([*ON_THE_NIGHT, "sweep", "run", "delinquency", "--as-of", NIGHT.isoformat(), "--no-pdf"],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def cursor_of(path: Path) -> tuple[int, str] | None:
    """The delinquency run's cursor and status, read beside the running sweep (None before it starts)."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30) as connection:
        return connection.execute("SELECT cursor, status FROM sweep_runs WHERE sweep = 'delinquency'").fetchone()


def test_a_sweep_killed_mid_run_and_run_again_matches_a_clean_run(committing_db, committing_url, catalog, tmp_path):
    """kill -9 after the first committed chunk, run again: the same notices, fees, cases and events as a clean run."""
    if not committing_url.startswith("sqlite"):
        pytest.skip("the kill test copies the SQLite file for its clean run")
    clean_path = tmp_path / "clean.db"
    path = city_and_its_twin(committing_db, committing_url, clean_path, 300)

    process = sweep_process(committing_url, tmp_path, chunk=20)
    deadline = time.monotonic() + 120
    while (cursor_of(path) or (0, ""))[0] == 0:
        assert process.poll() is None, process.stderr.read().decode()
        assert time.monotonic() < deadline, "the first chunk never committed"
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL
    cursor, status = cursor_of(path)
    assert status == "running" and 0 < cursor < 900  # killed mid-run, after at least one chunk
    with committing_db() as session:
        halfway = session.scalar(select(func.count()).select_from(Case))
    assert 0 < halfway < 100

    again = sweep(committing_db, catalog, chunk_size=20)
    assert again.status == "done"
    clean_engine = make_engine(f"sqlite:///{clean_path}")
    clean = make_sessionmaker(clean_engine)
    clean_outcome = sweep(clean, catalog, chunk_size=20)
    assert outcome_of(committing_db) == outcome_of(clean)
    assert again.report == clean_outcome.report
    with committing_db() as session:
        assert verify_chain(session).intact
    clean_engine.dispose()


def test_two_runners_at_once_double_nothing(committing_db, committing_url, catalog, tmp_path):
    """Two `ordinance sweep run` processes on one database at once: each account gets one case, fee and notice."""
    with committing_db() as session, session.begin():
        owing = [a for n, a in enumerate(build_city(session, 120)) if n % 3 == 2]
    first, second = (sweep_process(committing_url, tmp_path, chunk=3) for _ in range(2))
    outputs = [p.communicate(timeout=300) for p in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], outputs
    with committing_db() as session:
        [run] = session.scalars(select(SweepRun)).all()
        assert run.status == "done" and run.cursor == owing[-1]
        cases = Counter(session.scalars(select(Case.subject_id)))
        fees = Counter(session.scalars(select(LedgerEntry.account_id).where(LedgerEntry.kind == "fee")))
        notices = Counter(session.scalars(select(Notice.subject_id)))
        steps = Counter(session.scalars(select(CaseEvent.step)))
        assert cases == fees == notices == Counter(owing)
        assert steps == {"open": 40, "mail_reminder": 40}
        assert run.report["steps"] == {"delinquency.mail_reminder": 40, "delinquency.open": 40}
        assert run.report["subjects"] == 40
        assert verify_chain(session).intact
    both = outputs[0][0].decode() + outputs[1][0].decode()
    assert "done (run" in both
