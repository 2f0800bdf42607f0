"""`ordinance bench notices`: notices into one mailing PDF against one PDF per notice."""
from __future__ import annotations

import json

import click

from benchmarks.notices import TARGET_PER_SECOND, run_notice_bench
from webapp.cli.bench import command as bench


@bench.command("notices")
@click.option("--notices", default=1000, show_default=True, type=click.IntRange(1),
              help="Notices rendered into one mailing PDF.")
@click.option("--singles", default=50, show_default=True, type=click.IntRange(1),
              help="Notices rendered one PDF each, for the baseline.")
@click.option("--json", "as_json", is_flag=True, help="Print the numbers as JSON.")
def notices_bench(notices: int, singles: int, as_json: bool) -> None:
    """Sample notices per second into a mailing PDF, and the ratio against one PDF per notice."""
    result = run_notice_bench(n=notices, singles=singles)
    if as_json:
        click.echo(json.dumps(result, indent=2))
        return
    click.echo(f"mailing PDF: {result['batch_notices']:,} notices in {result['batch_seconds']:.2f} s, "
               f"{result['batch_notices_per_s']:,.0f} notices/s "
               f"(CPU {result['batch_cpu_seconds']:.2f} s; {result['processes']} wkhtmltopdf processes)")
    click.echo(f"mailing PDF with each notice's copy kept (what the mailer does): {result['kept_seconds']:.2f} s, "
               f"{result['kept_notices_per_s']:,.0f} notices/s (CPU {result['kept_cpu_seconds']:.2f} s; "
               f"{result['kept_bytes_per_notice']:,} bytes kept per notice)")
    click.echo(f"one PDF per notice: {result['single_notices']:,} notices in {result['single_seconds']:.2f} s, "
               f"{result['single_notices_per_s']:,.1f} notices/s")
    click.echo(f"ratio: the mailing is {result['batch_over_single']:.1f}x one PDF per notice")
    verdict = "met" if result["meets_target"] else "NOT met"
    click.echo(f"target {TARGET_PER_SECOND} notices/s into a mailing PDF: {verdict}")
    kept = "met" if result["kept_meets_target"] else "NOT met"
    click.echo(f"target {TARGET_PER_SECOND} notices/s into a mailing PDF with each copy kept: {kept}")
