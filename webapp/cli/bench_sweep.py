"""`ordinance bench sweep`: the delinquency sweep over a generated city, timed against its bare candidate query.

    ordinance bench sweep --accounts 100000 [--pdf] [--chunk 500] [--json]

The benchmark is benchmarks.sweep; this command runs it and prints its numbers. It
generates the benchmark city (benchmarks.sweep_city, in a child process so its memory
does not count; its balances kept as of the day before the night) into a temporary SQLite
database, then in this process: a baseline pass that streams every ledger row and computes
every account's standing (nothing else); the dashboard's past-due count and the sweep's
candidate query both ways, from the ledger (as before the kept balances) and from the kept
balances; the night's roll-over of the kept balances; then the delinquency sweep for the
night. Prints the times, the sweep's ratio to the bare candidate query (issue 17's
baseline) and to the ledger pass, its accounts per second, and this process's peak
resident memory, against the targets: 10 s per 100,000 accounts, 500 MB. With --pdf the sweep also renders its
mailing, and the notice benchmark compares one mailing PDF with one PDF per notice.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import click

from benchmarks.sweep import MEMORY_TARGET_MB, BenchError, run_sweep_bench
from benchmarks.sweep_city import NIGHT
from webapp.cli.bench import command as bench
from webapp.cli.context import CityContext, fail, pass_city


def show(results: dict) -> None:
    """The numbers as a table a person reads."""
    click.echo(f"accounts {results['accounts']:,}, ledger rows {results['ledger_rows']:,}, open cases before "
               f"{results['open_cases_before']:,} " + ("(copied from the city an earlier run kept)"
                                                        if results['generate_seconds'] is None else
                                                        f"(generated in {results['generate_seconds']} s)"))
    click.echo(f"baseline (stream every ledger row, compute every standing): {results['baseline_seconds']} s, "
               f"(CPU {results['baseline_cpu_seconds']} s), {results['baseline_past_due']:,} accounts past due")
    before, after, query = (results["dashboard_past_due_before_roll_over"], results["dashboard_past_due"],
                            results["candidate_query"])
    click.echo(f"dashboard past-due count: from the ledger {after['ledger_seconds']} s ({after['ledger_count']:,}); "
               f"from the kept balances {after['kept_seconds']} s ({after['kept_count']:,}); before the night's "
               f"roll-over {before['kept_seconds']} s ({before['kept_count']:,})")
    click.echo(f"the night's roll-over of the kept balances: {results['roll_over_seconds']} s, "
               f"{results['roll_over_accounts']:,} accounts worked out again")
    click.echo(f"sweep candidate query over every window: from the ledger {query['ledger_seconds']} s "
               f"({query['ledger_candidates']:,}); from the kept balances {query['kept_seconds']} s "
               f"({query['kept_candidates']:,})")
    click.echo(f"delinquency sweep for {NIGHT}: {results['sweep_seconds']} s "
               f"(CPU {results['sweep_cpu_seconds']} s; {results['accounts_per_second']:,} accounts/s), "
               f"{results['sweep_over_candidate_query']}x the bare candidate query "
               f"({results['candidate_query_seconds']} s), {results['sweep_over_baseline']}x the ledger pass "
               f"(CPU {results['sweep_over_baseline_cpu']}x)")
    click.echo(f"  candidates visited {results['candidates_visited']:,} in {results['chunks']} chunks of "
               f"{results['chunk_size']}; cases opened {results['cases_opened']:,}; steps {results['steps']:,}; "
               f"notices {results['notices']:,}; fees ${results['fees']}; exceptions {results['exceptions']}")
    for mailing in results["mailings"]:
        click.echo(f"  mailing {mailing['notice_type']}: {mailing['count']:,} notices -> {mailing['pdf']}")
    if results.get("mailing_seconds") is not None:
        click.echo(f"  the night's mailings rendered in {results['mailing_seconds']} s "
                   f"({results['mailing_notices_per_s']} notices/s), inside the sweep's time")
    click.echo(f"peak memory (RSS) {results['peak_rss_mb']} MB (before the sweep {results['peak_rss_mb_before_sweep']}"
               f" MB); target {MEMORY_TARGET_MB} MB: {'met' if results['meets_memory_target'] else 'NOT met'}")
    click.echo(f"time target {results['target_seconds']:.1f} s for {results['accounts']:,} accounts "
               f"(10 s per 100,000): {'met' if results['meets_time_target'] else 'NOT met'} "
               f"(wall clock; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs at the end)")
    notices = results.get("notice_bench")
    if notices:
        click.echo(f"notices into one mailing PDF: {notices['batch_notices_per_s']:,.0f}/s "
                   f"({notices['batch_notices']} notices); "
                   f"one PDF per notice: {notices['single_notices_per_s']:,.1f}/s;"
                   f" ratio {notices['batch_over_single']}x; target 300/s: "
                   f"{'met' if notices['meets_target'] else 'NOT met'}")


@bench.command("sweep")
@click.option("--accounts", default=100_000, show_default=True, type=click.IntRange(100, 2_000_000),
              help="How many utility accounts to generate.")
@click.option("--pdf", is_flag=True, help="Render the night's mailing too, and run the notice benchmark.")
@click.option("--chunk", default=500, show_default=True, type=click.IntRange(1), help="Accounts per chunk.")
@click.option("--json", "as_json", is_flag=True, help="Print the numbers as JSON.")
@click.option("--keep", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Keep the generated database in this folder instead of a temporary one; a later run with as "
                   "many accounts and the same folder sweeps a copy of it instead of generating it again.")
@pass_city
def sweep_bench(city: CityContext, accounts: int, pdf: bool, chunk: int, as_json: bool, keep: Path | None) -> None:
    """Time the delinquency sweep on a generated city against a bare pass over its ledger."""
    try:
        if keep is not None:
            keep.mkdir(parents=True, exist_ok=True)
            results = run_sweep_bench(accounts, pdf, chunk, keep, city.now)
        else:
            with tempfile.TemporaryDirectory(prefix="ordinance-bench-") as folder:
                results = run_sweep_bench(accounts, pdf, chunk, Path(folder), city.now)
    except BenchError as error:
        fail(str(error))
    if as_json:
        click.echo(json.dumps(results, indent=2, default=str))
    else:
        show(results)
