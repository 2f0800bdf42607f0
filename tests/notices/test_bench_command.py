"""`ordinance bench notices` prints both rates and the ratio between them."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from webapp.cli import main


def test_the_notice_bench_command_reports_a_mailing_against_single_pdfs():
    result = CliRunner().invoke(main, ["bench", "notices", "--notices", "4", "--singles", "2", "--json"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    assert shown["batch_notices"] == 4 and shown["single_notices"] == 2
    ratio = shown["batch_notices_per_s"] / shown["single_notices_per_s"]
    assert shown["batch_over_single"] == pytest.approx(ratio, rel=0.05, abs=0.1)
