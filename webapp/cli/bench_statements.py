"""`ordinance bench statements`: a billing run's statements into mailing PDFs against one PDF per statement."""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

import click

from benchmarks.statements import TARGET_PER_SECOND, run_statement_bench
from webapp.cli.bench import command as bench


@bench.command("statements")
@click.option("--accounts", default=1000, show_default=True, type=click.IntRange(20, 200_000),
              help="Accounts in the generated sample city (its latest month's bills are the statements).")
@click.option("--singles", default=30, show_default=True, type=click.IntRange(1),
              help="Statements rendered one PDF each, for the baseline.")
@click.option("--json", "as_json", is_flag=True, help="Print the numbers as JSON.")
def statements_bench(accounts: int, singles: int, as_json: bool) -> None:
    """Statements per second into the mailing PDF, and the ratio against one PDF per statement (target 200/s)."""
    with tempfile.TemporaryDirectory(prefix="ordinance-bench-statements-") as workdir:
        result = run_statement_bench(Path(workdir), accounts=accounts, singles=singles,
                                     progress=lambda step: click.echo(step, err=True))
    if as_json:
        click.echo(json.dumps(result, indent=2))
        return
    click.echo(f"mailing PDFs: {result['batch_statements']:,} statements ({result['batch_pages']:,} pages, "
               f"cycles {', '.join(result['cycles'])} of {result['period']}) in {result['batch_seconds']:.2f} s, "
               f"{result['batch_statements_per_s']:,.0f} statements/s "
               f"(CPU {result['batch_cpu_seconds']:.2f} s, {result['batch_cpu_ms_per_statement']:.1f} ms a statement: "
               f"{result['batch_cpu_bound_statements_per_s']:,.0f}/s when the {result['cpus']} CPUs are free)")
    click.echo(f"one PDF per statement: {result['single_statements']:,} statements in {result['single_seconds']:.2f} s, "
               f"{result['single_statements_per_s']:,.1f} statements/s")
    click.echo(f"ratio: the mailing is {result['batch_over_single']:.1f}x one PDF per statement")
    verdict = "met" if result["meets_target"] else "NOT met"
    click.echo(f"target {TARGET_PER_SECOND} statements/s into a mailing PDF: {verdict} "
               f"(load average {result['load_average']:.1f} on {result['cpus']} CPUs)")
