"""The payment-file benchmark runs end to end on a small city: every line posted, its credit on the ledger."""
from __future__ import annotations

import itertools
from datetime import datetime, timezone

from benchmarks.payments import run_payments_bench


def test_a_small_payments_bench_posts_every_line_and_writes_the_same_rows_bare(tmp_path):
    ticks = itertools.count()
    result = run_payments_bench(tmp_path, 200, 500, now=datetime(2026, 12, 6, 18, tzinfo=timezone.utc),
                                timer=lambda: float(next(ticks)), cpu_timer=lambda: 0.0)
    assert result["posted"] == result["payments_stored"] == result["ledger_credits"] == result["bare_rows"] == 500
    assert (result["import_seconds"], result["bare_seconds"], result["ratio"]) == (1.0, 1.0, 1.0)
