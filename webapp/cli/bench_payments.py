"""`ordinance bench payments`: a lockbox file imported, against the same rows written bare (benchmarks/payments.py).

    ordinance bench payments [--accounts 50000] [--rows 50000] [--json]
"""
from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

import click

from benchmarks.payments import TARGET_ROWS_PER_S, run_payments_bench
from webapp.cli.bench import command as bench
from webapp.cli.context import CityContext, pass_city


@bench.command("payments")
@click.option("--accounts", default=50_000, show_default=True, type=click.IntRange(100, 2_000_000),
              help="Accounts in the generated city.")
@click.option("--rows", default=50_000, show_default=True, type=click.IntRange(10, 2_000_000),
              help="Payments in the lockbox file.")
@click.option("--json", "as_json", is_flag=True, help="Print the numbers as JSON.")
@pass_city
def payments_bench(city: CityContext, accounts: int, rows: int, as_json: bool) -> None:
    """Rows per second of the payment import, against csv and one executemany of the same rows."""
    with tempfile.TemporaryDirectory(prefix="ordinance-bench-payments-") as folder:
        result = run_payments_bench(Path(folder), accounts, rows, now=city.now(), timer=time.perf_counter,
                                    cpu_timer=time.process_time)
    if as_json:
        click.echo(json.dumps(result, indent=2))
        return
    click.echo(f"lockbox file of {result['rows']:,} payments over {result['accounts']:,} accounts "
               f"(city generated in {result['generate_seconds']} s)")
    click.echo(f"  import: {result['posted']:,} posted in {result['import_seconds']} s "
               f"({result['import_cpu_seconds']} s CPU): {result['import_rows_per_s']:,.0f} rows/s")
    click.echo(f"  bare csv + executemany: {result['bare_rows']:,} rows in {result['bare_seconds']} s: "
               f"{result['bare_rows_per_s']:,.0f} rows/s")
    click.echo(f"  ratio: the import takes {result['ratio']}x the bare write")
    click.echo(f"  target {TARGET_ROWS_PER_S:,} rows/s: {'met' if result['target_met'] else 'NOT met'} "
               f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
