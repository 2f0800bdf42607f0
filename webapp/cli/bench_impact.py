"""`ordinance bench impact`: a rate draft's and a criteria draft's impact on N generated accounts, against bare evaluation."""
from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

import click

from benchmarks.impact import run_impact_bench
from webapp.cli.bench import command as bench

TARGET_SECONDS = 3.0  # per draft on 100,000 accounts (issue 16), scaled by the accounts measured


@bench.command("impact")
@click.option("--accounts", default=100_000, show_default=True, type=click.IntRange(100, 1_000_000),
              help="How many accounts the generated city has.")
@click.option("--rules-dir", default="rules", show_default=True, type=click.Path(exists=True, file_okay=False),
              help="The rules folder whose residential water schedule and shut-off criteria are drafted.")
@click.option("--json", "as_json", is_flag=True, help="Print the numbers as JSON.")
def impact_bench(accounts: int, rules_dir: str, as_json: bool) -> None:
    """A rate draft's and a criteria draft's impact, each against a bare evaluation of the same accounts."""
    with tempfile.TemporaryDirectory(prefix="ordinance-bench-impact-") as workdir:
        results = run_impact_bench(Path(workdir), accounts, rules_dir=Path(rules_dir), timer=time.perf_counter,
                                   progress=lambda step: click.echo(step, err=True), cpu_timer=time.process_time)
    limit = TARGET_SECONDS * accounts / 100_000
    results["target_seconds"] = limit
    if as_json:
        click.echo(json.dumps(results, indent=2))
        return
    click.echo(f"{accounts:,} accounts; drafts effective {results['effective']}, impact as of {results['today']}")
    click.echo(f"{'draft':<62}{'impact s':>10}{'bare s':>10}{'ratio':>8}{'impact cpu s':>14}{'bare cpu s':>12}")
    for name, what in (("rate", "water-rates-residential, tier 2 +5%"),
                       ("criteria", "shutoff-eligibility, $50.00 threshold to $60.00")):
        click.echo(f"{what + ' (' + format(results[name + '_subjects'], ',') + ' accounts)':<62}"
                   f"{results[name + '_impact_seconds']:>10.2f}{results[name + '_bare_seconds']:>10.2f}"
                   f"{results[name + '_ratio']:>8.2f}{results.get(name + '_impact_cpu_seconds', 0.0):>14.2f}"
                   f"{results.get(name + '_bare_cpu_seconds', 0.0):>12.2f}")
    click.echo(f"changed: {results['rate_changed']:,} bills, {results['criteria_changed']:,} decisions")
    met = all(results[f"{name}_impact_seconds"] <= limit for name in ("rate", "criteria"))
    click.echo(f"target {limit:.2f} s per draft for {accounts:,} accounts (3 s per 100,000): "
               f"{'met' if met else 'NOT met'} (wall clock; load average {os.getloadavg()[0]:.1f} "
               f"on {os.cpu_count()} CPUs)")
