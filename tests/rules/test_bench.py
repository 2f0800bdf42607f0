"""The rules benchmark measures the city's own documents on a generated city's accounts, and prints its table."""
from __future__ import annotations

import itertools
from datetime import datetime, timezone
from pathlib import Path

from click.testing import CliRunner

from benchmarks.rules import run_rules_bench, shutoff_by_hand, water_bill_by_hand
from webapp.cli.bench import bench

RULES = Path(__file__).resolve().parents[2] / "rules"
NOW = datetime(2026, 3, 1, 17, tzinfo=timezone.utc)


def test_the_rules_benchmark_checks_every_path_on_real_accounts_and_gives_ratios(tmp_path):
    ticks = itertools.count()
    results = run_rules_bench(tmp_path, 300, rules_dir=RULES, now=NOW, timer=lambda: float(next(ticks)))
    assert results["criteria_fact_sets"] == 300 and results["bills"] == 270  # nine in ten accounts are residential
    assert 1 < results["criteria_distinct"] <= 300 and 1 < results["bills_distinct"] <= 270
    assert 1 <= results["criteria_keys_decided_by_durable"] <= results["criteria_distinct"]
    for key in ("criteria_per_s", "durable_per_s", "plain_criteria_per_s", "bills_per_s", "explained_bills_per_s",
                "plain_bills_per_s"):
        assert results[key] > 0, key
    assert results["criteria_vs_plain"] == results["criteria_per_s"] / results["plain_criteria_per_s"]


def test_the_hand_written_decision_and_bill_are_the_city_documents_worked_by_hand():
    assert shutoff_by_hand({"past_due_balance": 120, "days_past_due": 75, "low_income": True}) == {
        "eligible": False, "reason": "assistance_program_extension"}
    assert shutoff_by_hand({"past_due_balance": 49.99, "days_past_due": 200}) == {
        "eligible": False, "reason": "balance_below_minimum"}
    # 3/4" meter, 12 CCF, sewer, winter 5: 27.02 + 7 x 2.05 + 5 x 2.57 + 16.33 + 5 x 3.18 = 86.45; 5% = 4.32
    assert str(water_bill_by_hand({"meter_size": '3/4"', "consumption_ccf": 12, "sewer": True})) == "90.77"


def test_ordinance_bench_rules_prints_the_table(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'city.db'}")
    outcome = CliRunner().invoke(bench, ["rules", "--accounts", "200", "--clock", "cpu", "--rules-dir", str(RULES)])
    assert outcome.exit_code == 0, outcome.output
    assert "criteria, durable_rules alone" in outcome.output and "bills, plain Python" in outcome.output
    assert "distinct fact sets" in outcome.output and "vs plain Python" in outcome.output
