"""`ordinance scheduler`: the deployment's one scheduler, in the foreground.

    ordinance scheduler [--schedule schedule.yaml] [--no-catch-up]

On start, nights missed within the schedule's look-back (the machine was off) are run once
each, oldest first; then each sweep runs on its days at its city time. A second scheduler
started by mistake never repeats a sweep: the run row in the database decides. `ordinance
serve` starts one as its child process (never inside a web worker); a larger deployment runs
it on its own with `ordinance serve --no-scheduler` beside it. SIGTERM or Ctrl-C stops it;
a sweep stopped halfway carries on where it stopped at the next start.

Beside the sweeps, a thread does the background jobs pages ask for (engine/jobs), as they
come; a second scheduler's worker never takes a job the first is doing. Every 10 seconds a
job looks whether the dashboard's whole-city figures are due (the city's
`dashboard_figures_seconds`, engine.office_figures) and works them out when they are: the
one writer of those figures while it runs (a page writes them only when they are missing or
too old).
"""
from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Collection
from datetime import date, datetime
from pathlib import Path
from types import FrameType
from typing import Any

import click

from engine.jobs.worker import run_worker
from engine.office_counts import refresh
from engine.rulebook.catalog_source import catalog_of_database, catalog_stamp
from engine.rules.errors import DocumentError
from engine.sweeps.registry import all_sweeps
from engine.sweeps.scheduler import Schedule, add_jobs, catch_up, load_schedule, zone_disagrees
from engine.workflow.services import Catalog
from webapp.cli.context import USAGE_ERROR, CityContext, Database, fail, now, pass_city
from webapp.cli.sweep import execute, sweep_named
from webapp.config import ConfigError, stand_back
from webapp.observability import configure_logging

REPO = Path(__file__).resolve().parents[2]
SCHEDULE = REPO / "schedule.yaml"
SQLITE_CHUNK = 100
JOB_POLL_SECONDS = 1.0
FIGURES_TICK_SECONDS = 10  # the shortest interval a city may set; a tick with nothing due reads two small rows
log = logging.getLogger("ordinance.scheduler")


class SweepJobs:
    """What a scheduled job does: run the sweep for the date against the database, and log how it went."""

    def __init__(self, db: Database, echo=click.echo, chunk: int | None = None,
                 clock: Callable[[], datetime] = now) -> None:
        """The database the sweeps run against, where a line per run goes, the chunk size (default: the CLI's) and
        the clock the runs keep their moments by (the day their notices are printed on)."""
        self.db = db
        self.echo = echo
        self.chunk = chunk
        self.clock = clock
        self.catalog: Catalog | None = None
        self.catalog_stamp: tuple = ()

    def current_catalog(self) -> Catalog:
        """The published rules and the workflows, read again after a publication, a new approval role or a change
        under the folders."""
        with self.db.sessions() as session:
            published = catalog_stamp(session)
        stamp = (published, *sorted((str(p), p.stat().st_mtime_ns) for folder in ("rules", "workflows")
                                    for p in (REPO / folder).rglob("*.yaml")))
        if self.catalog is None or stamp != self.catalog_stamp:
            self.catalog = catalog_of_database(self.db.sessions, REPO / "rules", REPO / "workflows")
            self.catalog_stamp = stamp
        return self.catalog

    def __call__(self, sweep: str, day: date, today: date) -> None:
        """Run one sweep for one night on the city's date `today`; a failure is logged, and the scheduler carries on."""
        try:
            outcome = execute(self.db, sweep, day, today=today, catalog=self.current_catalog(), chunk=self.chunk,
                              clock=self.clock)
        except Exception as error:  # noqa: BLE001 - the scheduler must outlive one failed night
            log.exception("sweep %s for %s failed", sweep, day)
            self.echo(f"sweep {self.named(sweep)} for {day}: FAILED: {error}", err=True)
            return
        totals = outcome.report.get("totals", {})
        self.echo(f"sweep {self.named(sweep)} for {day}: {outcome.status}, {totals.get('steps', 0)} steps, "
                  f"{totals.get('notices', 0)} notices, {totals.get('exceptions', 0)} exceptions")

    def named(self, sweep: str) -> str:
        """The sweep as its line names it (label and id, webapp.cli.sweep.sweep_named), by the rules last read; its
        id alone when none could be read (the database the failure is about)."""
        return sweep_named(sweep, self.catalog.rules) if self.catalog is not None else sweep


def start_job_worker(db: Database, stop: threading.Event, clock: Callable[[], datetime] = now) -> threading.Thread:
    """The thread that does background jobs as they come, until `stop` is set."""
    worker = threading.Thread(target=run_worker, args=(db.sessions, stop, clock, JOB_POLL_SECONDS),
                              name="ordinance-jobs", daemon=True)
    worker.start()
    return worker


def refresh_figures(db: Database, clock: Callable[[], datetime]) -> None:
    """The dashboard figures' tick: worked out and kept when due, else nothing; a failure is logged, and the
    scheduler carries on."""
    try:
        refreshed = refresh(db.sessions, clock())
    except Exception:  # noqa: BLE001 - a failed tick must not stop the sweeps; the pages count live meanwhile
        log.exception("the dashboard figures could not be worked out")
        return
    if refreshed is not None:
        figures, took_ms = refreshed
        log.info("dashboard figures for %s worked out in %d ms", figures.city_date, took_ms)


FIGURES_JOB_NAME = "dashboard figures when due"


class QuietTicks(logging.Filter):
    """APScheduler's lines at INFO about the figures' tick ("Running job", "executed successfully") left out: two
    lines every 10 seconds would bury the log. Its warnings stay, and the tick logs each working out itself."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING or FIGURES_JOB_NAME not in record.getMessage()


QUIET_TICKS = QuietTicks()


def add_figures_job(scheduler: Any, db: Database, clock: Callable[[], datetime]) -> None:
    """The dashboard figures' tick on an APScheduler 3 scheduler: every 10 seconds from now, one at a time."""
    from apscheduler.triggers.interval import IntervalTrigger

    logging.getLogger("apscheduler.executors.default").addFilter(QUIET_TICKS)  # once: the same filter each time
    scheduler.add_job(refresh_figures, IntervalTrigger(seconds=FIGURES_TICK_SECONDS), args=(db, clock),
                      id="dashboard-figures", name=FIGURES_JOB_NAME, coalesce=True, max_instances=1,
                      misfire_grace_time=FIGURES_TICK_SECONDS, next_run_time=clock(), replace_existing=True)


def read_schedule(path: Path, sweeps: Collection[str] | None = None) -> Schedule:
    """The schedule (its sweeps among `sweeps`, when given), or exit with its error (file:line: key: message)."""
    try:
        return load_schedule(path, sweeps)
    except (OSError, DocumentError) as error:
        fail(f"cannot use the schedule: {error}", USAGE_ERROR)


def stop_on_sigterm(_signum: int, _frame: FrameType | None) -> None:
    """SIGTERM (from `ordinance serve` stopping, or systemd) ends the scheduler like Ctrl-C does."""
    raise SystemExit(0)


def stand_back_or_fail() -> None:
    """Give the pages the processor first (webapp.config.stand_back), or stop on a setting that cannot be used."""
    try:
        stand_back()
    except ConfigError as error:
        fail(str(error), USAGE_ERROR)


def sweep_jobs(db: Database) -> SweepJobs:
    """The jobs; on SQLite in short chunks, since a chunk holds the one write lock the web server also needs."""
    return SweepJobs(db, chunk=SQLITE_CHUNK if db.engine.dialect.name == "sqlite" else None)


@click.command("scheduler")
@click.option("--schedule", "schedule_path", type=click.Path(dir_okay=False, path_type=Path), default=SCHEDULE,
              show_default=True, help="The schedule file.")
@click.option("--no-catch-up", is_flag=True, help="Do not run the nights missed while no scheduler was running.")
@pass_city
def command(city: CityContext, schedule_path: Path, no_catch_up: bool) -> None:
    """Run the nightly sweeps on schedule, and the background jobs as they come (Ctrl-C or SIGTERM to stop)."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    configure_logging()
    jobs = sweep_jobs(city.db)
    schedule = read_schedule(schedule_path, all_sweeps(jobs.current_catalog().rules))
    disagrees = zone_disagrees(schedule, city.timezone)
    if disagrees is not None:
        fail(f"cannot use the schedule: {schedule_path}: {disagrees}", USAGE_ERROR)
    stand_back_or_fail()
    signal.signal(signal.SIGTERM, stop_on_sigterm)
    stop_jobs = threading.Event()
    worker = start_job_worker(city.db, stop_jobs, city.now)
    try:
        if not no_catch_up:
            ran = catch_up(city.db.sessions, schedule, city.now(), jobs)
            click.echo(f"Caught up {len(ran)} missed run(s)." if ran else "No missed runs to catch up.")
        scheduler = BlockingScheduler(timezone=schedule.zone)
        add_jobs(scheduler, schedule, jobs, city.now)
        add_figures_job(scheduler, city.db, city.now)
        names = [jobs.named(entry.sweep) for entry in schedule.entries]
        width = max(map(len, names), default=0)
        for entry, named in zip(schedule.entries, names):
            click.echo(f"  {named:<{width}}  {entry.cron_days:<28} {entry.at:%H:%M} {schedule.timezone}")
        click.echo("Scheduler running, and doing background jobs as they come (Ctrl-C to stop).")
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        click.echo("Scheduler stopped.")
    finally:
        stop_jobs.set()
        worker.join(timeout=30)
