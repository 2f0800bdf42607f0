"""The rules benchmark runs, checks itself against hand-written Python, and prints its table."""
from __future__ import annotations

import time

from click.testing import CliRunner

from benchmarks.rules import run_rules_bench
from webapp.cli.bench import bench


def test_the_rules_benchmark_measures_every_path_and_its_ratio():
    results = run_rules_bench(2000, 1000, timer=time.perf_counter)
    for key in ("criteria_facts_per_s", "durable_facts_per_s", "plain_criteria_facts_per_s", "bills_per_s",
                "plain_bills_per_s", "criteria_vs_plain", "durable_vs_plain", "bills_vs_plain"):
        assert results[key] > 0, key
    assert 0 < results["criteria_regions"] <= 2000


def test_ordinance_bench_rules_prints_the_table():
    outcome = CliRunner().invoke(bench, ["rules", "--facts", "2000", "--bills", "1000", "--clock", "cpu"])
    assert outcome.exit_code == 0, outcome.output
    assert "criteria, durable_rules alone" in outcome.output and "bills, plain Python" in outcome.output
    assert "vs plain Python" in outcome.output
