"""`ordinance bench web` end to end on a small city: real sign-ins, receipts posted, steps taken, nothing failed."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import func, select

from benchmarks.web import run_web_bench
from engine.store.db import make_engine, make_sessionmaker
from engine.store.models import CaseEvent, Receipt
from webapp.cli.scheduler import SQLITE_CHUNK


def test_the_office_works_on_the_real_server_and_every_request_is_counted(tmp_path):
    url = f"sqlite:///{tmp_path / 'ordinance.db'}"
    result = run_web_bench(tmp_path, url, accounts=150, clerks=3, supervisors=1, seconds=3, shapes=["ceiling"],
                           sweep=True, workers=1, now=datetime(2026, 12, 6, 18, tzinfo=timezone.utc))
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
    assert receipts > 0 and steps > 0
