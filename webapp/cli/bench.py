"""`ordinance bench`: the benchmarks the project keeps (rules now; billing and sweeps join this group)."""
from __future__ import annotations

import json
import time

import click

from benchmarks.rules import run_rules_bench


@click.group()
def bench() -> None:
    """Measure Ordinance's speed on this machine."""


@bench.command("rules")
@click.option("--facts", "n_facts", default=200_000, show_default=True, type=click.IntRange(1000),
              help="How many criteria fact sets to decide.")
@click.option("--bills", "n_bills", default=50_000, show_default=True, type=click.IntRange(1000),
              help="How many water bills to compute.")
@click.option("--clock", type=click.Choice(["wall", "cpu"]), default="wall", show_default=True,
              help="Time by the wall clock, or by this process's CPU time (steadier on a shared machine).")
@click.option("--json", "as_json", is_flag=True, help="Print the numbers as JSON.")
def rules_bench(n_facts: int, n_bills: int, clock: str, as_json: bool) -> None:
    """Criteria facts/s and bills/s, against durable_rules alone and hand-written Python."""
    results = run_rules_bench(n_facts, n_bills, timer=time.perf_counter if clock == "wall" else time.process_time)
    results["clock"] = clock
    if as_json:
        click.echo(json.dumps(results, indent=2))
        return
    rows = [
        ("criteria, batch (durable_rules + region cache)", results["criteria_facts_per_s"], results["criteria_vs_plain"]),
        ("criteria, durable_rules alone", results["durable_facts_per_s"], results["durable_vs_plain"]),
        ("criteria, plain Python if/else", results["plain_criteria_facts_per_s"], 1.0),
        ("bills, schedule evaluator", results["bills_per_s"], results["bills_vs_plain"]),
        ("bills, plain Python", results["plain_bills_per_s"], 1.0),
    ]
    click.echo(f"{'what':<50}{'per second (' + clock + ')':>20}{'vs plain Python':>18}")
    for what, rate, ratio in rows:
        click.echo(f"{what:<50}{rate:>20,.0f}{ratio:>18.2f}")
    click.echo(f"criteria target 100,000 facts/s: {'met' if results['criteria_target_met'] else 'NOT met'}"
               f" ({n_facts:,} fact sets, {results['criteria_regions']} regions decided by durable_rules)")
    click.echo(f"bills target 20,000/s: {'met' if results['bills_target_met'] else 'NOT met'} ({n_bills:,} bills)")


command = bench
