"""`ordinance bench all`: every benchmark the project keeps, one after another, and one table of their figures.

    ordinance bench all [--accounts 100000] [--web-seconds 30] [--skip web] [--json]

Each benchmark runs as `ordinance bench NAME --json` in a process of its own (so one's memory
does not weigh on the next, and the sweep's peak memory is its own); the table gives each
figure beside its target and the baseline measured in the same run. A benchmark that fails is
a line saying so, and the others still run. The README's speed table is this command's output.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass

import click

from webapp.cli.bench import command as bench

ORDINANCE = "from webapp.cli import main; main(prog_name='ordinance')"


@dataclass(frozen=True)
class Row:
    """One line of the table: what was measured, its figure, its target and its same-run baseline."""

    what: str
    figure: str
    target: str
    baseline: str
    met: bool | None


def _rules(r: dict) -> list[Row]:
    return [Row("criteria fact sets per second (shut-off eligibility)", f"{r['criteria_per_s']:,.0f}/s",
                "1,000,000/s", f"plain if/else {r['plain_criteria_per_s']:,.0f}/s", r["criteria_target_met"]),
            Row("water bills per second (batch)", f"{r['bills_per_s']:,.0f}/s", "300,000/s",
                f"plain Python {r['plain_bills_per_s']:,.0f}/s", r["bills_target_met"])]


def _billing(r: dict) -> list[Row]:
    return [Row(f"billing run, {r['accounts']:,} accounts", f"{r['billing_seconds']:.1f} s",
                f"{r['target_seconds']:.1f} s", f"plain rate evaluation {r['plain_seconds']:.1f} s ({r['ratio']:.1f}x); "
                f"the database's own work {r['database_seconds']:.1f} s",
                r["target_met"])]


def _sweep(r: dict) -> list[Row]:
    return [Row(f"delinquency sweep, {r['accounts']:,} accounts", f"{r['sweep_seconds']:.1f} s, "
                f"peak {r['peak_rss_mb']} MB", f"{r['target_seconds']:.1f} s, {r['target_memory_mb']} MB",
                f"bare candidate query {r['candidate_query_seconds']:.2f} s ({r['sweep_over_candidate_query']}x); "
                f"bare ledger pass {r['baseline_seconds']:.2f} s ({r['sweep_over_baseline']}x)",
                r["meets_time_target"] and r["meets_memory_target"])]


def _notices(r: dict) -> list[Row]:
    return [Row("notices per second into a mailing PDF", f"{r['batch_notices_per_s']:,.0f}/s",
                f"{r['target_notices_per_s']}/s",
                f"one PDF per notice {r['single_notices_per_s']:,.1f}/s", r["meets_target"])]


def _statements(r: dict) -> list[Row]:
    return [Row(f"bill statements per second into a billing run's mailing PDF ({r['batch_statements']:,})",
                f"{r['batch_statements_per_s']:,.0f}/s (CPU allows {r['batch_cpu_bound_statements_per_s']:,.0f}/s)",
                f"{r['target_statements_per_s']}/s",
                f"one PDF per statement {r['single_statements_per_s']:,.1f}/s", r["meets_target"])]


def _search(r: dict) -> list[Row]:
    return [Row(f"search p95, {r['accounts']:,} accounts", f"{r['search_p95_ms']:.1f} ms", "150 ms",
                f"one account by id p95 {r['baseline_p95_ms']:.2f} ms", r["meets_target"])]


def _payments(r: dict) -> list[Row]:
    return [Row(f"payment file, {r['rows']:,} rows", f"{r['import_rows_per_s']:,.0f} rows/s", "2,000 rows/s",
                f"csv + executemany {r['bare_rows_per_s']:,.0f} rows/s ({r['ratio']}x)", r["target_met"])]


def _impact(r: dict) -> list[Row]:
    return [Row(f"{what} draft's impact, {r[name + '_subjects']:,} accounts", f"{r[name + '_impact_seconds']:.2f} s",
                f"{r['target_seconds']:.2f} s", f"bare evaluation {r[name + '_bare_seconds']:.2f} s "
                f"({r[name + '_ratio']:.2f}x)", r[name + "_impact_seconds"] <= r["target_seconds"])
            for name, what in (("rate", "a rate"), ("criteria", "a criteria"))]


def _web(r: dict) -> list[Row]:
    rows = []
    counter = r.get("counter")
    base = f"/health p95 {r['baseline_health']['p95_ms']} ms"
    if counter:
        worst = max(counter["pages"].items(), key=lambda item: item[1]["p95_ms"] or 0)
        rows.append(Row(f"pages with {r['clerks']} clerks + {r['supervisors']} supervisors (2-5 s pauses), sweep "
                        "running", f"worst p95 {worst[1]['p95_ms']} ms ({worst[0]}), {counter['errors']} errors",
                        "every page p95 150 ms, no errors", base, counter["target_met"]))
    ceiling = r.get("ceiling")
    if ceiling:
        at = ceiling["requests_per_s_at_target"]
        rows.append(Row("requests per second with p95 at most 150 ms (no pauses)", "none" if at is None else f"{at}/s",
                        "report", base, None))
    return rows


BENCHES: dict[str, tuple[Callable[[int], list[str]], Callable[[dict], list[Row]]]] = {
    "rules": (lambda n: ["--accounts", str(n), "--clock", "cpu"], _rules),
    "billing": (lambda n: ["--accounts", str(n)], _billing),
    "sweep": (lambda n: ["--accounts", str(n)], _sweep),
    "notices": (lambda n: [], _notices),
    "statements": (lambda n: ["--accounts", str(min(n, 2000))], _statements),
    "search": (lambda n: ["--accounts", str(n)], _search),
    "payments": (lambda n: ["--accounts", str(min(n, 50_000)), "--rows", str(min(n, 50_000))], _payments),
    "web": (lambda n: ["--accounts", str(n)], _web),
    "impact": (lambda n: ["--accounts", str(min(n, 1_000_000))], _impact),
}


def run_one(name: str, args: list[str]) -> dict | str:
    """`ordinance bench NAME ARGS --json` in a process of its own: its numbers, or why it failed."""
    done = subprocess.run([sys.executable, "-c", ORDINANCE, "bench", name, *args, "--json"], capture_output=True,
                          text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    if done.returncode != 0:
        return (done.stderr.strip().splitlines() or ["(no output)"])[-1]
    try:
        return json.loads(done.stdout[done.stdout.index("{"):])
    except ValueError:
        return "its output was not JSON"


@bench.command("all")
@click.option("--accounts", default=100_000, show_default=True, type=click.IntRange(100, 2_000_000),
              help="The city size of every benchmark that builds a city.")
@click.option("--web-seconds", default=30.0, show_default=True, type=click.FloatRange(5, 3600),
              help="How long `bench web` runs each shape (each ceiling level).")
@click.option("--skip", multiple=True, type=click.Choice(list(BENCHES)), help="Leave a benchmark out.")
@click.option("--json", "as_json", is_flag=True, help="Print every benchmark's numbers as JSON.")
def all_bench(accounts: int, web_seconds: float, skip: tuple[str, ...], as_json: bool) -> None:
    """Every benchmark in turn, and a table of each figure beside its target and its same-run baseline."""
    results: dict[str, dict | str] = {}
    for name, (arguments, _) in BENCHES.items():
        if name in skip:
            continue
        click.echo(f"bench {name} ...", err=True)
        extra = ["--seconds", f"{web_seconds:g}"] if name == "web" else []
        results[name] = run_one(name, arguments(accounts) + extra)
    if as_json:
        click.echo(json.dumps(results, indent=2))
        return
    click.echo(f"ordinance bench all --accounts {accounts}: load average {os.getloadavg()[0]:.1f} on "
               f"{os.cpu_count()} CPUs at the end\n")
    click.echo("| what | measured | target | baseline in the same run | met |")
    click.echo("|---|---|---|---|---|")
    for name, result in results.items():
        if isinstance(result, str):
            click.echo(f"| {name} | failed: {result} | | | no |")
            continue
        for row in BENCHES[name][1](result):
            met = "—" if row.met is None else "yes" if row.met else "no"
            click.echo(f"| {row.what} | {row.figure} | {row.target} | {row.baseline} | {met} |")
