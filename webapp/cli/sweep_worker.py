"""`ordinance sweep worker`: a machine that shares the nights' sweeps (and the background jobs) with the others.

    ordinance sweep worker [--poll 2] [--once] [--no-jobs]

The deployment's one scheduler starts each night's runs; every worker looks for runs that are not
finished and joins them. Runners of one run take turns chunk by chunk through the run's row lock
(PostgreSQL `FOR UPDATE SKIP LOCKED`): no chunk is done twice, and a run whose scheduler or worker
died is finished by the others from its last committed chunk. Different sweeps of the night run on
different workers at the same time. Unless --no-jobs, the worker also does background jobs (impact
previews, ...) from the same queue the scheduler serves.

This module adds `worker` to the `sweep` group when the command line gathers its modules (it holds
no `command` of its own).
"""
from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Collection

import click
from sqlalchemy import select

from engine.store.models import SweepRun
from engine.sweeps.registry import all_sweeps
from webapp.cli.context import CityContext, pass_city
from webapp.cli.scheduler import stand_back_or_fail, start_job_worker, stop_on_sigterm, sweep_jobs
from webapp.cli.sweep import command as sweep_command
from webapp.cli.sweep import execute, sweep_named
from webapp.observability import configure_logging

log = logging.getLogger("ordinance.sweep_worker")


def unfinished_runs(city: CityContext, sweeps: Collection[str]) -> list[SweepRun]:
    """Runs started (by the scheduler or by hand) and not finished, oldest first, of these sweeps (the built-in ones
    and the city's sweep documents)."""
    with city.db.sessions() as session:
        runs = session.scalars(select(SweepRun).where(SweepRun.status == "running", SweepRun.dry_run.is_(False))
                               .order_by(SweepRun.id)).all()
        session.expunge_all()
    return [run for run in runs if run.sweep in sweeps]


def join(city: CityContext, run: SweepRun, catalog) -> int:
    """Take turns on one run until it is done; the chunks this worker did.

    The run is for the city's date now, not the day the worker started (a worker runs for days): a run the
    scheduler started after midnight is tonight's, neither a night still to come nor one caught up.
    """
    outcome = execute(city.db, run.sweep, run.as_of, today=city.today_now(), catalog=catalog, clock=city.now)
    click.echo(f"Joined {sweep_named(run.sweep, catalog.rules)} for {run.as_of} (run {run.id}): {outcome.status}, "
               f"{outcome.chunks} chunk(s) by this worker")
    log.info("joined sweep run", extra={"run_id": run.id, "sweep": run.sweep, "as_of": run.as_of.isoformat(),
                                        "status": outcome.status, "chunks": outcome.chunks})
    return outcome.chunks


@sweep_command.command("worker")
@click.option("--poll", type=click.FloatRange(0.05, 600), default=2.0, show_default=True,
              help="Seconds between looks for unfinished runs.")
@click.option("--once", is_flag=True, help="Join the runs unfinished now, then stop.")
@click.option("--no-jobs", is_flag=True, help="Do no background jobs, only sweeps.")
@pass_city
def worker_command(city: CityContext, poll: float, once: bool, no_jobs: bool) -> None:
    """Join every unfinished sweep run until it is done, and do background jobs (Ctrl-C or SIGTERM to stop)."""
    configure_logging()
    jobs = sweep_jobs(city.db)
    stand_back_or_fail()
    signal.signal(signal.SIGTERM, stop_on_sigterm)
    stop_jobs = threading.Event()
    job_thread = None if no_jobs or once else start_job_worker(city.db, stop_jobs, city.now)
    click.echo("Sweep worker: joining unfinished runs" + ("" if job_thread is None else ", doing background jobs")
               + (" (once)" if once else f", looking every {poll:g} s (Ctrl-C to stop)"))
    try:
        while True:
            catalog = jobs.current_catalog()
            for run in unfinished_runs(city, all_sweeps(catalog.rules)):
                join(city, run, catalog)
            if once:
                return
            time.sleep(poll)
    except (KeyboardInterrupt, SystemExit):
        click.echo("Sweep worker stopped.")
    finally:
        stop_jobs.set()
        if job_thread is not None:
            job_thread.join(timeout=30)
