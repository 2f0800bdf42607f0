"""`ordinance bench`: the benchmarks the project keeps (rules here; billing, notices and sweeps join this group)."""
from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

import click

from benchmarks.rules import TARGETS, run_rules_bench
from webapp.cli.context import CityContext, pass_city


@click.group()
def bench() -> None:
    """Measure Ordinance's speed on this machine."""


@bench.command("rules")
@click.option("--accounts", default=100_000, show_default=True, type=click.IntRange(100, 1_000_000),
              help="How many accounts the generated city has (its fact sets are theirs).")
@click.option("--rules-dir", default="rules", show_default=True, type=click.Path(exists=True, file_okay=False),
              help="The rules folder whose shut-off criteria and residential water schedule are measured.")
@click.option("--clock", type=click.Choice(["wall", "cpu"]), default="wall", show_default=True,
              help="Time by the wall clock, or by this process's CPU time (steadier on a shared machine).")
@click.option("--json", "as_json", is_flag=True, help="Print the numbers as JSON.")
@pass_city
def rules_bench(city: CityContext, accounts: int, rules_dir: str, clock: str, as_json: bool) -> None:
    """The city's shut-off criteria and water bills on a generated city's accounts, against plain Python."""
    with tempfile.TemporaryDirectory(prefix="ordinance-bench-rules-") as workdir:
        results = run_rules_bench(Path(workdir), accounts, rules_dir=Path(rules_dir), now=city.now(),
                                  timer=time.perf_counter if clock == "wall" else time.process_time,
                                  progress=lambda step: click.echo(step, err=True))
    results["clock"] = clock
    if as_json:
        click.echo(json.dumps(results, indent=2))
        return
    click.echo(f"shutoff-eligibility on {results['criteria_fact_sets']:,} accounts' facts as of {results['night']} "
               f"({results['criteria_distinct']:,} distinct fact sets; durable_rules decided "
               f"{results['criteria_keys_decided_by_durable']} keys of comparison answers)")
    click.echo(f"water-rates-residential on {results['bills']:,} residential reads, billed {results['billed_on']} "
               f"({results['bills_distinct']:,} distinct fact sets)")
    rows = [
        ("criteria, batch (compiled, durable_rules per key)", results["criteria_per_s"], results["criteria_vs_plain"]),
        ("criteria, durable_rules alone (sample)", results["durable_per_s"], results["durable_vs_plain"]),
        ("criteria, plain Python if/else", results["plain_criteria_per_s"], 1.0),
        ("bills, batch (compiled columns)", results["bills_per_s"], results["bills_vs_plain"]),
        ("bills, one at a time with explanations (sample)", results["explained_bills_per_s"],
         results["explained_bills_vs_plain"]),
        ("bills, plain Python", results["plain_bills_per_s"], 1.0),
    ]
    click.echo(f"{'what':<52}{'per second (' + clock + ')':>20}{'vs plain Python':>18}")
    for what, rate, ratio in rows:
        click.echo(f"{what:<52}{rate:>20,.0f}{ratio:>18.2f}")
    click.echo(f"criteria target {TARGETS['criteria']:,}/s: {'met' if results['criteria_target_met'] else 'NOT met'}; "
               f"bills target {TARGETS['bills']:,}/s: {'met' if results['bills_target_met'] else 'NOT met'} "
               f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")


command = bench
