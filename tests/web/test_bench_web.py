"""`ordinance bench web` end to end on a small city: real sign-ins, receipts posted, steps taken, nothing failed."""
from __future__ import annotations

import signal
import subprocess
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select

from benchmarks import web
from benchmarks.web import run_web_bench
from engine.store.db import make_engine, make_sessionmaker
from engine.store.models import CaseEvent, Receipt, SweepRun
from webapp.cli.scheduler import SQLITE_CHUNK


def test_the_office_works_on_the_real_server_and_every_request_is_counted(tmp_path):
    url = f"sqlite:///{tmp_path / 'ordinance.db'}"
    result = run_web_bench(tmp_path, url, accounts=150, clerks=3, supervisors=1, seconds=3, shapes=["ceiling"],
                           sweep=True, workers=1, now=datetime(2026, 12, 6, 18, tzinfo=timezone.utc),
                           sweep_night=date(2026, 12, 4))
    levels = result["ceiling"]["levels"]
    assert [level["people"] for level in levels] == [1, 2, 4]
    assert result["ceiling"]["errors"] == 0, [level["error_samples"] for level in levels]
    assert all(level["requests_per_s"] > 0 and level["p95_ms"] is not None for level in levels)
    assert result["ceiling_sweep_exit"] == 0
    assert result["sweep_chunk"] == SQLITE_CHUNK  # on SQLite the sweep beside goes in the scheduler's short chunks
    assert result["baseline_health"]["count"] == 300
    sessions = make_sessionmaker(make_engine(url))
    with sessions() as session:
        receipts = session.scalar(select(func.count()).select_from(Receipt).where(Receipt.actor.like("benchclerk%")))
        steps = session.scalar(select(func.count()).select_from(CaseEvent).where(CaseEvent.actor.like("benchsup%")))
        nights = session.scalars(select(SweepRun.as_of)).all()
    assert receipts > 0 and steps > 0
    assert nights == [date(2026, 12, 4)]  # the night asked for (a kept city's today may be swept already)


def alive_descendants(pid: int) -> set[int]:
    """The processes below `pid` that are still running (from /proc: each process's parent, transitively)."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:  # ended while we looked
                continue
            state, parent = stat.rsplit(")", 1)[1].split()[:2]
            if state != "Z":
                parents[int(entry.name)] = int(parent)
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def running(pid: int) -> bool:
    """Whether a process is still running (a zombie has ended; only its exit status is left)."""
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_a_load_that_fails_leaves_neither_the_sweep_nor_the_server_running(tmp_path, monkeypatch):
    """The clerks' sign-in is refused by the server (they arrive with a password other than the one the staff were
    given): the run raises, and the sweep beside it and the server, workers and all, are stopped, not left behind."""
    url = f"sqlite:///{tmp_path / 'ordinance.db'}"
    processes: list[subprocess.Popen] = []
    at_failure: dict[str, object] = {}
    real_sign_in = web.Person.sign_in

    async def sign_in_with_another_password(person):
        at_failure["running"] = [p.poll() is None for p in processes]
        at_failure["pids"] = {p.pid for p in processes} | {d for p in processes for d in alive_descendants(p.pid)}
        monkeypatch.setattr(web, "PASSWORD", "not-the-password-the-staff-were-given")
        await real_sign_in(person)

    monkeypatch.setattr(web.Person, "sign_in", sign_in_with_another_password)
    with pytest.raises(RuntimeError, match="benchclerk01 could not sign in"):
        run_web_bench(tmp_path, url, accounts=100, clerks=1, supervisors=0, seconds=5, shapes=["counter"],
                      sweep=True, workers=1, now=datetime(2026, 12, 6, 18, tzinfo=timezone.utc), processes=processes)
    server, sweep = processes
    assert at_failure["running"] == [True, True]  # the sweep was still at work when the load failed
    assert len(at_failure["pids"]) >= 3  # the server, its worker, the sweep
    assert sweep.returncode == -signal.SIGTERM  # stopped by the run, not ended on its own
    assert server.returncode is not None
    assert not [pid for pid in at_failure["pids"] if running(pid)]


def test_clerks_with_pauses_start_out_of_step_and_without_pauses_at_once():
    """The counter shape: each person's first page comes somewhere in a pause, not all 22 at one instant (a burst no
    counter sees); the ceiling shape starts everyone at once."""
    import asyncio
    import random
    import time

    from benchmarks.web import work

    class Someone:
        def __init__(self, seed: int) -> None:
            self.rng, self.acts = random.Random(seed), []

        async def act(self) -> None:
            self.acts.append(time.monotonic())
            await asyncio.sleep(0.01)  # a page's answer

    for think, spread in (((0.2, 0.5), lambda s: s > 0.15), (None, lambda s: s < 0.05)):
        people = [Someone(n) for n in range(12)]
        started = time.monotonic()
        asyncio.run(work(people, 0.6, think))
        firsts = [person.acts[0] - started for person in people]
        assert spread(max(firsts) - min(firsts)), (think, firsts)
        if think:
            assert all(0 <= first <= 0.5 + 0.05 for first in firsts)


def test_the_dashboard_figures_are_worked_out_beside_the_load_as_the_scheduler_would(tmp_path):
    """bench web has no scheduler process: its thread ticks as the one scheduler does, and keeps the city's figures."""
    import threading

    from engine.store.office_figures import OfficeFigures
    from engine.store.schema import upgrade

    url = f"sqlite:///{tmp_path / 'ordinance.db'}"
    upgrade(make_engine(url))
    moment = datetime(2026, 12, 6, 18, tzinfo=timezone.utc)  # 10:00 on 2026-12-06 in the sample city
    stop = threading.Event()
    thread = web.figures_ticking(url, lambda: moment, stop)
    try:
        kept = None
        with make_sessionmaker(make_engine(url))() as session:
            for _ in range(200):  # the first tick comes at once; up to 10 s for it
                kept = session.scalar(select(OfficeFigures.worked_out_at))
                if kept is not None:
                    break
                session.rollback()
                stop.wait(0.05)
        assert kept == moment  # worked out by the thread, on the clock it was given
    finally:
        stop.set()
        thread.join(timeout=5)
    assert not thread.is_alive()
