"""How fast the night's delinquency sweep runs on a generated city, against a bare pass over the same ledger.

Generates the benchmark city (benchmarks.sweep_city, in a child process so its memory
does not count; its balances kept as of the day before the night) into a SQLite database in
a folder, then in this process: a baseline pass that streams every ledger row and computes
every account's standing (nothing else); the dashboard's past-due count and the sweep's
candidate query both ways, from the ledger (as before the kept balances) and from the kept
balances; the night's roll-over of the kept balances; then the delinquency sweep for the
night. The numbers: the times, the sweep's ratio to the baseline, its accounts per second,
and this process's peak resident memory. With `pdf` the sweep also renders its mailing, and
the notice benchmark compares one mailing PDF with one PDF per notice.
`ordinance bench sweep` (webapp.cli.bench_sweep) runs it and prints the numbers.
"""
from __future__ import annotations

import json
import resource
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from benchmarks.notices import run_notice_bench
from benchmarks.sweep_city import NIGHT
from engine.money.ledger import standings
from engine.money.ledger.kept import roll_over
from engine.store.db import make_engine, make_sessionmaker
from engine.store.schema import upgrade
from engine.sweeps.delinquency import maybe_past_due, past_due_accounts, windows
from engine.sweeps.mailing import Mailer
from engine.sweeps.registry import get_sweep
from engine.sweeps.runner import run_sweep
from engine.workflow.services import Catalog
from samplecity.city import APPROVAL_ROLE_IDS
from engine.office_counts import past_due_accounts as past_due_count_from_ledger, past_due_count


class BenchError(RuntimeError):
    """The benchmark could not run (the generated city could not be written); the message says why."""


REPO = Path(__file__).resolve().parents[1]
SECONDS_PER_100K = 10.0  # issue 17: 100,000 accounts in at most 10 s, 1,000,000 in at most 100 s
MEMORY_TARGET_MB = 500


def peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generate(url: str, accounts: int) -> tuple[float, dict]:
    """Write the benchmark city in a child process; its seconds and rows per table."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "benchmarks.sweep_city", url, str(accounts), str(REPO / "rules")],
                          cwd=REPO, capture_output=True, text=True)
    if done.returncode != 0:
        raise BenchError(f"generating the city failed:\n{done.stderr}")
    return time.perf_counter() - started, json.loads(done.stdout)


def generated_city(folder: Path, accounts: int) -> tuple[float | None, dict]:
    """The city in `folder`/bench.db: copied from the one an earlier run generated there for as many accounts (its
    seconds: None), or generated, and kept beside it untouched for the next run (a sweep changes bench.db)."""
    database, kept, counts = folder / "bench.db", folder / f"city-{accounts}.db", folder / f"city-{accounts}.json"
    for stale in (database, database.with_name("bench.db-wal"), database.with_name("bench.db-shm")):
        stale.unlink(missing_ok=True)
    if kept.exists() and counts.exists():
        _copy_database(kept, database)
        return None, json.loads(counts.read_text())
    engine = make_engine(f"sqlite:///{database}")
    upgrade(engine)
    engine.dispose()  # the generator writes alone
    seconds, rows = generate(f"sqlite:///{database}", accounts)
    _copy_database(database, kept)
    counts.write_text(json.dumps(rows))
    return seconds, rows


def _copy_database(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite database (its write-ahead log folded in), through SQLite's backup."""
    with sqlite3.connect(source) as reading, sqlite3.connect(target) as writing:
        reading.backup(writing)
    reading.close()
    writing.close()


def baseline(factory, as_of) -> tuple[float, float, int, int]:
    """A bare streaming pass: every ledger row read, every account's standing computed; wall and CPU seconds, counts."""
    started, cpu = time.perf_counter(), time.process_time()
    accounts = past_due = 0
    with factory() as session:
        for _account_id, standing in standings(session, as_of):
            accounts += 1
            past_due += standing.past_due_cents > 0
    return time.perf_counter() - started, time.process_time() - cpu, accounts, past_due


def timed(work: Callable[[], object]) -> tuple[float, object]:
    """Seconds a piece of work took, and what it gave."""
    started = time.perf_counter()
    found = work()
    return time.perf_counter() - started, found


def dashboard_count(factory, as_of) -> dict:
    """The dashboard's past-due count from the ledger (one SQL query) and from the kept balances; seconds, counts."""
    with factory() as session:
        ledger_s, by_ledger = timed(lambda: past_due_count_from_ledger(session, as_of))
        kept_s, by_kept = timed(lambda: past_due_count(session, as_of))
    return {"ledger_seconds": round(ledger_s, 3), "kept_seconds": round(kept_s, 3), "ledger_count": by_ledger,
            "kept_count": by_kept}


def candidates(factory, as_of, width: int) -> dict:
    """The sweep's candidate query over every window of account ids, from the ledger and from the kept balances."""
    def over_every_window(query) -> int:
        with factory() as session:
            return sum(len(query(session, as_of, low, high)) for low, high in windows(session, 0, width))

    ledger_s, by_ledger = timed(lambda: over_every_window(maybe_past_due))
    kept_s, by_kept = timed(lambda: over_every_window(past_due_accounts))
    return {"ledger_seconds": round(ledger_s, 3), "kept_seconds": round(kept_s, 3), "ledger_candidates": by_ledger,
            "kept_candidates": by_kept}


def night_roll_over(factory, as_of, clock) -> tuple[float, int]:
    """The night's roll-over of the kept balances, in its own transaction; seconds and accounts worked out."""
    with factory() as session, session.begin():
        seconds, done = timed(lambda: roll_over(session, as_of, now=clock(), actor="bench"))
    return seconds, done.accounts


class TimedMailer(Mailer):
    """The sweep's mailer, timing its rendering (to tell the mailing's notices per second)."""

    seconds = 0.0

    def __call__(self, session, run, report):
        """Render as the mailer does, adding up the seconds."""
        started = time.perf_counter()
        try:
            return super().__call__(session, run, report)
        finally:
            self.seconds += time.perf_counter() - started


def run_sweep_bench(accounts: int, pdf: bool, chunk: int, folder: Path, clock: Callable[[], datetime]) -> dict:
    """Generate, measure the baseline, run the sweep (its clock: `clock`); the numbers."""
    generated_s, rows = generated_city(folder, accounts)
    engine = make_engine(f"sqlite:///{folder / 'bench.db'}")
    factory = make_sessionmaker(engine)
    base_s, base_cpu, base_accounts, past_due = baseline(factory, NIGHT)
    dashboard_before_roll_over = dashboard_count(factory, NIGHT)
    roll_s, rolled = night_roll_over(factory, NIGHT, clock)
    dashboard = dashboard_count(factory, NIGHT)
    candidate_query = candidates(factory, NIGHT, chunk * 12)
    rss_before_sweep = peak_rss_mb()
    catalog = Catalog.load(REPO / "rules", REPO / "workflows", APPROVAL_ROLE_IDS)
    mailer = TimedMailer(REPO / "templates" / "notices", folder / "notices") if pdf else None
    started, cpu = time.perf_counter(), time.process_time()
    outcome = run_sweep(factory, get_sweep("delinquency"), as_of=NIGHT, today=NIGHT, clock=clock, runner="bench",
                        services=catalog, mailer=mailer, chunk_size=chunk)
    sweep_s, sweep_cpu = time.perf_counter() - started, time.process_time() - cpu
    engine.dispose()
    report = outcome.report
    target = SECONDS_PER_100K * accounts / 100_000
    bare = candidate_query["kept_seconds"]
    results = {
        "accounts": accounts, "ledger_rows": rows["ledger"], "open_cases_before": rows["cases"],
        "generate_seconds": None if generated_s is None else round(generated_s, 1), "baseline_seconds": round(base_s, 2),
        "baseline_cpu_seconds": round(base_cpu, 2), "sweep_cpu_seconds": round(sweep_cpu, 2),
        "baseline_accounts": base_accounts, "baseline_past_due": past_due,
        "dashboard_past_due_before_roll_over": dashboard_before_roll_over, "roll_over_seconds": round(roll_s, 3),
        "roll_over_accounts": rolled, "dashboard_past_due": dashboard, "candidate_query": candidate_query,
        "sweep_seconds": round(sweep_s, 2), "sweep_over_baseline": round(sweep_s / base_s, 2),
        "candidate_query_seconds": bare,
        "sweep_over_candidate_query": round(sweep_s / bare, 1) if bare else None,
        "sweep_over_baseline_cpu": round(sweep_cpu / base_cpu, 2) if base_cpu else None,
        "accounts_per_second": round(accounts / sweep_s), "candidates_visited": report["subjects"],
        "cases_opened": sum(report["cases_opened"].values()), "steps": report["totals"]["steps"],
        "notices": report["totals"]["notices"], "fees": report["totals"]["fees"],
        "exceptions": report["totals"]["exceptions"], "chunks": outcome.chunks, "chunk_size": chunk,
        "mailings": report.get("mailings", []), "peak_rss_mb_before_sweep": round(rss_before_sweep),
        "peak_rss_mb": round(peak_rss_mb()), "target_seconds": target,
        "target_memory_mb": MEMORY_TARGET_MB, "meets_time_target": sweep_s <= target,
        "meets_memory_target": peak_rss_mb() <= MEMORY_TARGET_MB,
    }
    if pdf:
        results["mailing_seconds"] = round(mailer.seconds, 2)
        results["mailing_notices_per_s"] = round(results["notices"] / mailer.seconds, 1) if mailer.seconds else None
        results["notice_bench"] = run_notice_bench(n=1000, singles=50)
    return results
