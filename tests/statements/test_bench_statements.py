"""`ordinance bench statements` measures the mailing and one PDF per statement in the same run."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from webapp.cli import main


def test_the_statement_bench_reports_a_mailing_against_single_pdfs():
    result = CliRunner().invoke(main, ["bench", "statements", "--accounts", "40", "--singles", "2", "--json"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output[result.output.index("{"):])
    assert shown["batch_statements"] == shown["batch_pages"] > 0 and shown["single_statements"] == 2
    assert shown["cycles"] and shown["batch_cpu_seconds"] > 0
    ratio = shown["batch_statements_per_s"] / shown["single_statements_per_s"]
    assert shown["batch_over_single"] == pytest.approx(ratio, rel=0.05, abs=0.1)
    assert shown["meets_target"] == (shown["batch_statements_per_s"] >= 200)
