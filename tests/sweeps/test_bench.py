"""The sweep benchmark's city and command, on a few hundred accounts (speed itself is shown by the bench only)."""
from __future__ import annotations

import json

from click.testing import CliRunner

from benchmarks.sweep_city import habit
from webapp.cli import main as ordinance


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
