"""The sweep benchmark's city and command, on a few hundred accounts (speed itself is shown by the bench only)."""
from __future__ import annotations

import json

from click.testing import CliRunner

from benchmarks.sweep_city import habit
from webapp.cli import main as ordinance
from webapp.cli.bench_all import _sweep


def test_bench_sweep_runs_the_night_on_a_generated_city_and_reports_its_numbers():
    """400 accounts: the late payers of cycle D are tonight's new cases; yesterday's cases are only visited."""
    result = CliRunner().invoke(ordinance, ["bench", "sweep", "--accounts", "400", "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    numbers = json.loads(result.stdout)
    late_in_cycle_d = sum(1 for n in range(1, 401) if n % 4 == 3 and habit(n) == "late")
    assert numbers["cases_opened"] == late_in_cycle_d > 0
    assert numbers["notices"] == numbers["cases_opened"] and numbers["exceptions"] == 0
    assert numbers["candidates_visited"] == numbers["baseline_past_due"] == numbers["open_cases_before"] + late_in_cycle_d
    assert numbers["baseline_accounts"] == 400 and numbers["ledger_rows"] > 400 * 6
    assert numbers["sweep_seconds"] > 0 and numbers["peak_rss_mb"] > 0
    # Issue 17's bars: 10 s per 100,000 accounts and 500 MB, against the bare candidate query of the same run.
    assert numbers["target_seconds"] == 10.0 * 400 / 100_000 and numbers["target_memory_mb"] == 500
    assert numbers["candidate_query_seconds"] == numbers["candidate_query"]["kept_seconds"]
    assert numbers["meets_time_target"] == (numbers["sweep_seconds"] <= numbers["target_seconds"])
    row, = _sweep(numbers)
    assert row.target == "0.0 s, 500 MB" and row.met == (numbers["meets_time_target"] and numbers["meets_memory_target"])
    assert row.baseline.startswith(f"bare candidate query {numbers['candidate_query_seconds']:.2f} s")


def test_a_kept_city_is_swept_again_from_a_copy_of_it_not_generated_again(tmp_path):
    """--keep: the first run generates the city and keeps it; the next sweeps a fresh copy, with the same results."""
    def run() -> dict:
        result = CliRunner().invoke(ordinance, ["bench", "sweep", "--accounts", "200", "--json", "--keep",
                                                str(tmp_path)], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    first, second = run(), run()
    assert first["generate_seconds"] is not None and second["generate_seconds"] is None
    same = ("ledger_rows", "open_cases_before", "baseline_past_due", "candidates_visited", "cases_opened", "notices",
            "fees")
    assert {key: second[key] for key in same} == {key: first[key] for key in same} and first["cases_opened"] > 0
    assert sorted(path.name for path in tmp_path.glob("city-*")) == ["city-200.db", "city-200.json"]
