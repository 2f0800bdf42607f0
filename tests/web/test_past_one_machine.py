"""A deployment past one machine, on loopback with a real PostgreSQL: two web servers, sweep workers that finish
a night another machine started, and one shared PDF folder — each a process of its own, as docs/deployment.md
sets them up.

Runs on the PostgreSQL suite (scripts/with-postgres.sh); on SQLite it is skipped, since SQLite is one machine's.
"""
from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.store.db import make_engine, make_sessionmaker
from engine.store.models import Case, Notice, SweepRun
from tests.conftest import _postgres_url
from tests.web.served import ORDINANCE, REPO, environment, start_serve

NIGHT = "2026-11-05"
pytestmark = pytest.mark.skipif(_postgres_url() is None, reason="a deployment past one machine needs PostgreSQL")


def shared(url: str, pdfs: Path) -> dict[str, str]:
    """What every machine of the deployment is given alike: the database, the keys, the PDF folder."""
    return {"DATABASE_URL": url, "SECRET_KEY": "deployment-test-secret-key-0123456789abcdef",
            "AUDIT_KEY": "deployment-test-audit-key-0123456789abcdef", "ORDINANCE_PDF_FOLDER": str(pdfs),
            "ORDINANCE_SWEEP_CHUNK": "1", "ORDINANCE_LOG_FORMAT": "json"}


def on_the_night(instance: Path, env: dict[str, str], *args: str) -> subprocess.Popen:
    """`ordinance ARGS` as a process of its own, its clock at 02:00 in the city on NIGHT."""
    return subprocess.Popen([sys.executable, "-m", "tests.sweeps.on_the_night", NIGHT, *args], cwd=REPO,
                            env=environment(instance, **env), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)


def ordinance(instance: Path, env: dict[str, str], *args: str) -> str:
    """One `ordinance` command to its end; its output."""
    done = subprocess.run([sys.executable, "-c", ORDINANCE, *args], cwd=REPO, env=environment(instance, **env),
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture()
def city(committing_url: str, tmp_path: Path) -> tuple[str, dict[str, str]]:
    """A 400-account sample city in a PostgreSQL database of the test's own, migrated once."""
    env = shared(committing_url, tmp_path / "shared-pdfs")
    ordinance(tmp_path / "setup", env, "demo", "--accounts", "400", "--licenses", "10", "--as-of", NIGHT)
    return committing_url, env


def test_a_night_started_on_one_machine_is_finished_by_the_workers_of_others(city, tmp_path):
    url, env = city
    sessions = make_sessionmaker(make_engine(url))
    first = on_the_night(tmp_path / "scheduler", env, "sweep", "run", "delinquency", "--as-of", NIGHT)
    deadline = time.monotonic() + 120
    while True:  # the first machine dies after its first chunks are committed
        with sessions() as session:
            run = session.scalar(select(SweepRun).where(SweepRun.sweep == "delinquency"))
        if run is not None and run.cursor > 0:
            break
        assert first.poll() is None and time.monotonic() < deadline, first.communicate()[0]
        time.sleep(0.02)
    first.send_signal(signal.SIGKILL)
    first.wait()
    with sessions() as session:
        assert session.get(SweepRun, run.id).status == "running"
    workers = [on_the_night(tmp_path / f"worker{n}", env, "sweep", "worker", "--once", "--no-jobs") for n in (1, 2)]
    outputs = [worker.communicate(timeout=300)[0] for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], outputs
    joined = rf"Joined Delinquency notices and shut-offs \(delinquency\) for {NIGHT} \(run {run.id}\): \w+, (\d+) chunk"
    chunks = [int(m.group(1)) for out in outputs for m in re.finditer(joined, out)]
    assert len(chunks) == 2 and sum(chunks) > 0, outputs
    with sessions() as session:
        finished = session.get(SweepRun, run.id)
        assert finished.status == "done"
        per_account = session.execute(select(Case.subject_id, func.count()).where(Case.workflow_id == "delinquency")
                                      .group_by(Case.subject_id).having(func.count() > 1)).all()
        assert per_account == []  # no account's chunk was done twice
        mailed = session.scalar(select(func.count()).select_from(Notice).where(Notice.sweep_run_id == run.id))
        mailings = finished.report.get("mailings") or []
    assert mailed > 0 and sum(m["count"] for m in mailings) == mailed
    for mailing in mailings:  # written once, to the folder every machine shares
        assert tmp_path / "shared-pdfs" in Path(mailing["pdf"]).parents and Path(mailing["pdf"]).is_file()


def sign_in(base: str, opener: urllib.request.OpenerDirector) -> None:
    """The demo clerk signs in on one web machine."""
    page = opener.open(base + "/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"csrf_token": token, "username": "clerk", "password": "clerk-demo-2026"}).encode()
    opener.open(base + "/login", data=form)


def test_two_web_machines_serve_one_city_and_a_clerk_moves_between_them(city, tmp_path):
    url, env = city
    machines = [start_serve(tmp_path / name, "--no-scheduler", "--no-migrate", "--workers", "2", **env)
                for name in ("web1", "web2")]
    try:
        for machine in machines:
            ready = urllib.request.urlopen(machine.url + "/ready")
            assert ready.status == 200 and b'"status": "ready"' in ready.read().replace(b'":"', b'": "')
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        sign_in(machines[0].url, opener)
        dashboard = opener.open(machines[1].url + "/")  # the session signed on web1 opens web2's pages
        assert dashboard.geturl() == machines[1].url + "/" and "Sign out" in dashboard.read().decode()
        request_id = dashboard.headers["X-Request-ID"]
        metrics = urllib.request.urlopen(machines[1].url + "/metrics").read().decode()
        assert re.search(r'ordinance_request_seconds_count\{endpoint="main.dashboard",method="GET",status="200"\} '
                         r'1\.0', metrics)
    finally:
        codes = [machine.stop() for machine in machines]
    assert codes == [0, 0]
    logged = [line for line in machines[1].output().splitlines() if request_id in line]
    assert logged and '"path": "/"' in logged[0] and '"status": 200' in logged[0]
