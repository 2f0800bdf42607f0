"""`ordinance bench web`: clerks and supervisors on a real server while a sweep runs (benchmarks/web.py).

    ordinance bench web --accounts 100000 [--seconds 60] [--shape counter --shape ceiling]
                        [--database-url postgresql://...] [--keep DIR] [--json]
"""
from __future__ import annotations

import json
import tempfile
from datetime import datetime
from pathlib import Path

import click

from benchmarks.web import TARGET_P95_MS, run_web_bench
from webapp.cli.bench import command as bench
from webapp.cli.context import CityContext, pass_city


@bench.command("web")
@click.option("--accounts", default=100_000, show_default=True, type=click.IntRange(100, 2_000_000),
              help="Accounts in the sample city loaded for the run (a database that has a city keeps it).")
@click.option("--clerks", default=20, show_default=True, type=click.IntRange(1, 200), help="Clerks at work.")
@click.option("--supervisors", default=2, show_default=True, type=click.IntRange(0, 50), help="Supervisors at work.")
@click.option("--seconds", default=60.0, show_default=True, type=click.FloatRange(5, 3600),
              help="How long each shape runs (the ceiling: each of its levels).")
@click.option("--shape", "shapes", multiple=True, type=click.Choice(["counter", "ceiling"]),
              default=("counter", "ceiling"), show_default=True,
              help="counter: 2-5 s between pages; ceiling: no pause, more people at each level.")
@click.option("--database-url", default=None,
              help="Measure on this database (PostgreSQL); default: SQLite in the run's instance folder.")
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="The server's worker processes.")
@click.option("--no-sweep", is_flag=True, help="No sweep beside the load.")
@click.option("--sweep-night", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The night the first shape's sweep is for (each later shape the night before); default: the "
                   "city's today. On a kept city whose night is swept already, an earlier night is a whole sweep.")
@click.option("--keep", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The instance folder to use and keep (a city loaded there once is used again).")
@click.option("--json", "as_json", is_flag=True, help="Print the numbers as JSON.")
@pass_city
def web_bench(city: CityContext, accounts: int, clerks: int, supervisors: int, seconds: float, shapes: tuple[str, ...],
              database_url: str | None, workers: int | None, no_sweep: bool, sweep_night: datetime | None,
              keep: Path | None, as_json: bool) -> None:
    """p50/p95/p99 per page and requests per second for clerks and supervisors on `ordinance serve`, against /health."""
    def measure(instance: Path) -> dict:
        url = database_url or f"sqlite:///{instance / 'ordinance.db'}"
        return run_web_bench(instance, url, accounts=accounts, clerks=clerks, supervisors=supervisors, seconds=seconds,
                             shapes=list(shapes), sweep=not no_sweep, workers=workers,
                             sweep_night=sweep_night.date() if sweep_night else None,
                             now=city.now(), progress=lambda message: click.echo(message, err=True), clock=city.now)

    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        result = measure(keep.resolve())
    else:
        with tempfile.TemporaryDirectory(prefix="ordinance-bench-web-") as folder:
            result = measure(Path(folder))
    if as_json:
        click.echo(json.dumps(result, indent=2))
        return
    click.echo(f"{result['database']}, {result['accounts']:,} accounts, {clerks} clerks and {supervisors} supervisors; "
               f"load average {result['load_average']} on {result['cpus']} CPUs")
    base = result["baseline_health"]
    click.echo(f"baseline /health one at a time: p50 {base['p50_ms']} ms, p95 {base['p95_ms']} ms")
    if "counter" in result:
        counter = result["counter"]
        click.echo(f"counter (2-5 s between pages), {counter['seconds']} s: {counter['requests']:,} requests, "
                   f"{counter['requests_per_s']}/s, {counter['errors']} errors")
        click.echo(f"  {'page':<16}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}")
        for page, n in counter["pages"].items():
            click.echo(f"  {page:<16}{n['count']:>7}{n['p50_ms']:>9}{n['p95_ms']:>9}{n['p99_ms']:>9}{n['errors']:>8}")
        click.echo(f"  target every page p95 <= {TARGET_P95_MS:.0f} ms, no errors: "
                   f"{'met' if counter['target_met'] else 'NOT met'}")
        for sample in counter["error_samples"]:
            click.echo(f"  error: {sample}")
    if "ceiling" in result:
        click.echo("ceiling (no pause):")
        click.echo(f"  {'people':>6}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}")
        for level in result["ceiling"]["levels"]:
            click.echo(f"  {level['people']:>6}{level['requests_per_s']:>9}{level['p50_ms']:>9}{level['p95_ms']:>9}"
                       f"{level['p99_ms']:>9}{level['errors']:>8}")
        at = result["ceiling"]["requests_per_s_at_target"]
        click.echo(f"  requests per second with p95 <= {TARGET_P95_MS:.0f} ms: "
                   + (f"{at}" if at is not None else "none of the levels (even one person's p95 is above it)"))
