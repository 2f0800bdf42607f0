"""`ordinance bench billing`: bill N generated accounts in a temporary SQLite database and time it."""
from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

import click

from benchmarks.billing import run_billing_bench
from engine.money import format_money
from webapp.cli.bench import command as bench
from webapp.cli.billing import load_rules
from webapp.cli.context import CityContext, pass_city


@bench.command("billing")
@click.option("--accounts", default=100_000, show_default=True, type=click.IntRange(100),
              help="How many accounts to generate and bill.")
@click.option("--chunk", default=2000, show_default=True, help="Rows per transaction.")
@click.option("--rules-dir", default="rules", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the numbers as JSON.")
@pass_city
def billing_bench(city: CityContext, accounts: int, chunk: int, rules_dir: str, as_json: bool) -> None:
    """The full billing run against plain rate evaluation of the same reads (target: 100,000 in 8 s)."""
    library = load_rules(rules_dir)
    with tempfile.TemporaryDirectory(prefix="ordinance-bench-") as workdir:
        with click.progressbar(length=accounts, label="Billing", file=sys.stderr) as bar:
            results = run_billing_bench(library, Path(workdir), accounts, now=city.now(), timer=time.perf_counter,
                                        cpu_timer=time.process_time,
                                        chunk=chunk, progress=bar.update)
    if as_json:
        click.echo(json.dumps(results, indent=2))
        return
    click.echo(f"generated {accounts:,} accounts and a reads file in {results['generate_seconds']:.1f} s (not timed)")
    click.echo(f"billing run (file, rates, bills, lines, charges, audit): {results['billing_seconds']:.1f} s "
               f"(CPU {results['billing_cpu_seconds']:.1f} s), "
               f"{results['bills_per_s']:,.0f} bills/s; {results['billed']:,} billed for "
               f"{format_money(results['billed_total_cents'])}, {results['refused']} refused")
    click.echo(f"  of which the database's own work (its {results['database_statements']:,} statements and "
               f"{results['database_commits']:,} commits, from call to return of the driver): "
               f"{results['database_seconds']:.1f} s")
    click.echo(f"plain rate evaluation of the same reads: {results['plain_seconds']:.1f} s "
               f"(CPU {results['plain_cpu_seconds']:.1f} s), "
               f"{results['plain_per_s']:,.0f} bills/s, {format_money(results['plain_total_cents'])}")
    click.echo(f"ratio billing run / plain evaluation: {results['ratio']:.2f}")
    click.echo(f"target {results['target_seconds']:.1f} s for {accounts:,} accounts (8 s per 100,000): "
               f"{'met' if results['target_met'] else 'NOT met'}"
               f" (wall clock; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs during the run)")
