"""`ordinance bench search`: the one search box on a generated city, against a primary-key read.

    ordinance bench search --accounts 100000 [--queries 800] [--keep DIR] [--json]
"""
from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

import click

from benchmarks.search import TARGET_P95_MS, run_search_bench
from webapp.cli.bench import command as bench


@bench.command("search")
@click.option("--accounts", default=100_000, show_default=True, type=click.IntRange(100, 2_000_000),
              help="Accounts in the generated city.")
@click.option("--queries", default=800, show_default=True, type=click.IntRange(16, 100_000),
              help="Searches timed, a mix drawn from the city's rows.")
@click.option("--json", "as_json", is_flag=True, help="Print the numbers as JSON.")
@click.option("--keep", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Keep the generated database in this folder.")
def search_bench(accounts: int, queries: int, as_json: bool, keep: Path | None) -> None:
    """p50 and p95 of realistic searches on SQLite, against a single-row primary-key read."""
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        (keep / "search.db").unlink(missing_ok=True)
        result = run_search_bench(keep / "search.db", accounts, queries, time.perf_counter)
    else:
        with tempfile.TemporaryDirectory(prefix="ordinance-bench-") as folder:
            result = run_search_bench(Path(folder) / "search.db", accounts, queries, time.perf_counter)
    if as_json:
        click.echo(json.dumps(result, indent=2))
        return
    click.echo(f"city: {accounts:,} accounts built in {result['build_seconds']:.1f} s (search tables kept by triggers)")
    click.echo(f"{'search':<34}{'p50 ms':>10}{'p95 ms':>10}  found something / the one drawn (of a page)")
    for kind, numbers in result["by_kind"].items():
        click.echo(f"  {kind:<32}{numbers['p50_ms']:>10.2f}{numbers['p95_ms']:>10.2f}  {numbers['found_something']:>8}"
                   f" / {numbers['found_the_one_drawn']}")
    click.echo(f"{'all ' + str(result['queries']) + ' searches':<34}{result['search_p50_ms']:>10.2f}"
               f"{result['search_p95_ms']:>10.2f}  (max {result['search_max_ms']:.2f} ms)")
    click.echo(f"{'baseline: one account by its id':<34}{result['baseline_p50_ms']:>10.2f}{result['baseline_p95_ms']:>10.2f}")
    click.echo(f"ratio: search p95 is {result['p95_over_baseline_p95']:.1f}x the primary-key read's p95")
    verdict = "met" if result["meets_target"] else "NOT met"
    click.echo(f"target p95 <= {TARGET_P95_MS:.0f} ms: {verdict}")
