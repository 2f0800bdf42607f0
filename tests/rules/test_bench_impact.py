"""The impact benchmark times each draft's impact and a bare evaluation of the same accounts, and prints both."""
from __future__ import annotations

import itertools
from pathlib import Path

from click.testing import CliRunner

from benchmarks.impact import EFFECTIVE, criteria_draft, rate_draft, run_impact_bench
from engine.rules.diff import document_diff
from engine.rules.loader import load_document
from webapp.cli.bench import bench

RULES = Path(__file__).resolve().parents[2] / "rules"


def test_the_drafts_are_made_as_the_form_makes_them_one_new_version_each():
    for make, path in ((rate_draft, "utilities/water-rates-residential.yaml"),
                       (criteria_draft, "utilities/shutoff-eligibility.yaml")):
        published = load_document((RULES / path).read_text(encoding="utf-8"), "published")
        header, versions = document_diff(published, load_document(make(RULES), "draft"))
        assert header == [] and [(v.effective, v.change) for v in versions] == [(EFFECTIVE.isoformat(), "added")]


def test_the_benchmark_times_both_drafts_against_bare_evaluation_of_the_same_accounts(tmp_path):
    ticks = itertools.count()
    results = run_impact_bench(tmp_path, 400, rules_dir=RULES, timer=lambda: float(next(ticks)))
    assert results["rate_subjects"] == results["rate_counted"] == 400  # every account has a last bill
    assert 0 < results["criteria_subjects"] == results["criteria_counted"] < 400  # the accounts past due
    assert 0 < results["rate_changed"] <= 400 and results["criteria_changed"] >= 1  # $50 to $60 moves someone
    for name in ("rate", "criteria"):
        assert results[f"{name}_impact_seconds"] == results[f"{name}_bare_seconds"] == 1.0  # one tick each
        assert results[f"{name}_ratio"] == 1.0


def test_ordinance_bench_impact_prints_both_drafts_and_the_bare_evaluation(tmp_path):
    outcome = CliRunner().invoke(bench, ["impact", "--accounts", "300", "--rules-dir", str(RULES)])
    assert outcome.exit_code == 0, outcome.output
    assert "water-rates-residential, tier 2 +5% (300 accounts)" in outcome.output
    assert "shutoff-eligibility, $50.00 threshold to $60.00" in outcome.output
    assert "impact s" in outcome.output and "bare s" in outcome.output and "per draft for 300 accounts" in outcome.output
    assert "impact cpu s" in outcome.output and "bare cpu s" in outcome.output


def test_the_benchmark_times_the_cpu_as_well_when_given_a_cpu_timer(tmp_path):
    ticks, cpu = itertools.count(), itertools.count(step=2)
    results = run_impact_bench(tmp_path, 200, rules_dir=RULES, timer=lambda: float(next(ticks)),
                               cpu_timer=lambda: float(next(cpu)))
    for name in ("rate", "criteria"):
        assert results[f"{name}_impact_cpu_seconds"] == results[f"{name}_bare_cpu_seconds"] == 2.0
