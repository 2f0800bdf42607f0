"""`ordinance serve`: migrate the database if needed, then serve the web UI with gunicorn, beside one scheduler.

    ordinance serve [--host 127.0.0.1] [--port 5000] [--workers N] [--threads N] [--no-scheduler] [--no-migrate]
                    [--debug]

This process becomes gunicorn's arbiter: it listens on the port and keeps N worker processes
of T threads each (gthread workers) serving `webapp.app:create_app(config)`. Once it listens,
it starts the deployment's one scheduler as a child process (`ordinance scheduler`), never
inside a worker, and stops it when the server stops. Ctrl-C or SIGTERM stops gracefully:
no new connections, requests in progress get up to 30 seconds (with gunicorn 27 a second
Ctrl-C cuts them short), then the scheduler is stopped. `--debug` runs Flask's development
server instead, with the same scheduler child.

Logs are JSON lines on stderr (ORDINANCE_LOG_FORMAT=text for plain lines), each request's with
its request id. The workers' request times are added up for `/metrics` through a folder of
prometheus_client's (PROMETHEUS_MULTIPROC_DIR, by default `metrics-PORT` in the instance folder,
emptied at start). On a deployment of several web machines, one `ordinance db upgrade` migrates
the database and each machine serves with --no-migrate (docs/deployment.md).
"""
from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
from pathlib import Path
from types import FrameType
from typing import Any

import click
from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter

from webapp.cli.context import USAGE_ERROR, CityContext, fail, pass_city
from engine.rulebook.catalog_source import rules_of_database
from engine.sweeps.registry import all_sweeps
from webapp.cli.scheduler import SCHEDULE, read_schedule
from engine.sweeps.scheduler import zone_disagrees
from engine.store.schema import database_revision, newest_revision
from webapp.config import Config, is_loopback
from webapp.observability import MULTIPROCESS_DIR, configure_logging

RULES = Path(__file__).resolve().parents[2] / "rules"
THREADS = 8
SQLITE_WORKERS = 2
MAX_WORKERS = 4
GRACEFUL_SECONDS = 30
# How long an idle connection stays open for the browser's next page. gunicorn's default is 2 s,
# shorter than a clerk's pause between pages: a browser then sends its next request on the
# connection the server is closing that moment, and (a program, or a proxy in front) sees
# "server disconnected". Longer than a browser's pause, and than the idle timeout of a proxy
# or load balancer in front (commonly 60 s), the server is never the one to close first.
KEEP_ALIVE_SECONDS = 75
SCHEDULER_STOP_SECONDS = 10


def default_workers(dialect: str, cores: int) -> int:
    """Worker processes: 2 on SQLite (one writer at a time, more only queue); else one per core, 2 to 4."""
    if dialect == "sqlite":
        return SQLITE_WORKERS
    return max(2, min(cores, MAX_WORKERS))


def machine_cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def bind_address(host: str, port: int) -> str:
    """gunicorn's bind string: host:port, an IPv6 address in brackets."""
    return f"[{host.strip('[]')}]:{port}" if ":" in host else f"{host}:{port}"


def prepare_database(city: CityContext, migrate: bool = True) -> str:
    """Migrate the database to the newest schema (creating it if new), or, without `migrate`, refuse to serve a
    database another version of the code left; the dialect's name."""
    try:
        if migrate:
            if city.upgrade():
                click.echo("Created a new, empty database; load the sample city with `ordinance demo`.")
        else:
            with city.db.engine.connect() as connection:
                at, newest = database_revision(connection), newest_revision()
            if at != newest:
                fail(f"the database is at migration {at or 'none'} and this code needs {newest}: run `ordinance db "
                     "upgrade` once (from one machine), then start the web machines", USAGE_ERROR)
        return city.db.engine.dialect.name
    finally:
        city.close()  # each worker opens its own after the fork


def metrics_folder(instance: Path, port: int) -> Path:
    """PROMETHEUS_MULTIPROC_DIR for this server: the environment's, else instance/metrics-PORT; emptied now (the
    files of an earlier server's workers would be added to this one's), and set for the workers."""
    folder = Path(os.environ.get(MULTIPROCESS_DIR) or instance / f"metrics-{port}")
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.db"):
        old.unlink()
    os.environ[MULTIPROCESS_DIR] = str(folder)
    return folder


def worker_gone(_arbiter: Any, worker: Any) -> None:
    """gunicorn's hook when a worker exits: its live gauges leave the metrics (its counts stay)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


class SchedulerProcess:
    """The one `ordinance scheduler` child of this server: started once, stopped only by the process that started it."""

    def __init__(self, schedule: Path) -> None:
        """Not started yet; `schedule` is the schedule file it runs."""
        self.schedule = schedule
        self.process: subprocess.Popen | None = None
        self.owner = 0

    def start(self) -> None:
        """Start `ordinance scheduler` beside the server, writing to the server's own output."""
        if self.process is not None:
            return
        code = "from webapp.cli import main; main(prog_name='ordinance')"
        self.process = subprocess.Popen([sys.executable, "-c", code, "scheduler", "--schedule", str(self.schedule)],
                                        env={**os.environ, "PYTHONUNBUFFERED": "1"})
        self.owner = os.getpid()
        click.echo(f"Scheduler started (process {self.process.pid}): the nightly sweeps of {self.schedule}.")

    def when_ready(self, _arbiter: Arbiter) -> None:
        """gunicorn's hook once it listens (before the workers start): start the scheduler."""
        self.start()

    def stop(self) -> None:
        """Stop the scheduler (SIGTERM, then SIGKILL after 10 s); nothing in a forked worker, nothing if not started."""
        if self.process is None or os.getpid() != self.owner:
            return
        self.process.terminate()
        try:
            self.process.wait(SCHEDULER_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()  # a sweep killed halfway carries on where it stopped at the next start
            self.process.wait()
        self.process = None


class GentleArbiter(Arbiter):
    """gunicorn's arbiter, with Ctrl-C as gentle as SIGTERM: requests in progress finish first."""

    def handle_int(self) -> None:
        """The first Ctrl-C stops gracefully, like SIGTERM (gunicorn 27 cuts the stop short at a second one)."""
        self.handle_term()


def worker_ready(_worker: Any) -> None:
    """A worker, its app loaded and warmed up: Ctrl-C from the terminal is left to the arbiter, which stops it
    gracefully; and what it holds for good is set apart from Python's garbage collector.

    The app loaded (catalog, templates, SQLAlchemy, matplotlib) is most of a worker's objects, and
    every full collection walked them all again: pauses up to 104 ms in the middle of a clerk's page
    (160 pages of the 100,000-account city, in one process), 17 ms once frozen (`gc.freeze`).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.collect()
    gc.freeze()


class GunicornServer(BaseApplication):
    """gunicorn configured in code, serving `create_app(config)` in each worker."""

    def __init__(self, config: Config, options: dict[str, Any]) -> None:
        """The app's settings and gunicorn's."""
        self.ordinance_config = config
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        """Hand our settings to gunicorn (those an older gunicorn does not know are left out)."""
        for key, value in self.options.items():
            if key in self.cfg.settings:
                self.cfg.set(key, value)

    def load(self) -> Flask:
        """The app, built in each worker."""
        from webapp.app import create_app
        from webapp.warm_up import warm_up

        app = create_app(self.ordinance_config)
        warm_up(app)
        return app

    def run(self) -> None:
        """Serve until stopped."""
        try:
            GentleArbiter(self).run()
        except RuntimeError as error:
            fail(f"gunicorn cannot start: {error}")


def gunicorn_options(host: str, port: int, workers: int, threads: int, access_log: bool,
                     scheduler: SchedulerProcess | None) -> dict[str, Any]:
    """gunicorn's settings: gthread workers, logs on stderr, no control socket, the scheduler started once bound."""
    options: dict[str, Any] = {
        "bind": [bind_address(host, port)], "workers": workers, "threads": threads, "worker_class": "gthread",
        "graceful_timeout": GRACEFUL_SECONDS, "keepalive": KEEP_ALIVE_SECONDS, "accesslog": "/dev/stderr" if access_log else None,
        "errorlog": "-", "loglevel": "info", "proc_name": "ordinance", "control_socket_disable": True,
        "post_worker_init": worker_ready, "child_exit": worker_gone,
    }
    if scheduler is not None:
        options["when_ready"] = scheduler.when_ready
    return options


def stop_on_sigterm(_signum: int, _frame: FrameType | None) -> None:
    """SIGTERM stops the development server the way Ctrl-C does, so the scheduler is stopped too."""
    raise SystemExit(0)


def run_development_server(config: Config, host: str, port: int, scheduler: SchedulerProcess | None) -> None:
    """Flask's development server: one process, debug pages, no reloader."""
    from webapp.app import create_app

    app = create_app(config)
    if scheduler is not None:
        scheduler.start()
    signal.signal(signal.SIGTERM, stop_on_sigterm)
    click.echo(f"Ordinance on http://{host}:{port}/ with Flask's development server, debug on (Ctrl-C to stop)")
    app.run(host=host, port=port, threaded=True, debug=True, use_reloader=False)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0: every interface; then serve behind https, see below).")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help=f"Worker processes. Default: {SQLITE_WORKERS} on SQLite; on PostgreSQL one per core, "
                   f"2 to {MAX_WORKERS}.")
@click.option("--threads", type=click.IntRange(1, 64), default=THREADS, show_default=True,
              help="Threads per worker process (requests each worker serves at once).")
@click.option("--access-log", is_flag=True, help="Log every request on stderr.")
@click.option("--schedule", "schedule_path", type=click.Path(dir_okay=False, path_type=Path), default=SCHEDULE,
              show_default=True, help="The schedule file the scheduler runs.")
@click.option("--no-scheduler", is_flag=True,
              help="Start no scheduler: run the one `ordinance scheduler` of the deployment elsewhere.")
@click.option("--no-migrate", is_flag=True,
              help="Do not migrate: refuse to start unless the database is at this code's newest migration (a "
                   "deployment of several web machines migrates once, with `ordinance db upgrade`).")
@click.option("--debug", is_flag=True,
              help="Flask's development server instead of gunicorn: debug pages, one process, loopback only.")
@pass_city
def command(city: CityContext, host: str, port: int, workers: int | None, threads: int, access_log: bool,
            schedule_path: Path, no_scheduler: bool, no_migrate: bool, debug: bool) -> None:
    """Serve the web UI with gunicorn, and run the nightly sweeps of schedule.yaml in one scheduler process beside it.

    Sign-in cookies are Secure (sent over https only) unless the server listens on loopback
    (127.0.0.1, localhost, ::1) or ORDINANCE_PLAIN_HTTP=trusted says it is reached over plain
    http on a trusted network.
    """
    if debug and not is_loopback(host):
        fail(f"--debug serves Flask's development server with its debugger, on loopback only, not on {host}; "
             "leave out --debug to serve with gunicorn", USAGE_ERROR)
    city.configure(Config(host=host))
    config = city.config
    scheduler = None if no_scheduler else SchedulerProcess(schedule_path)
    if scheduler is not None:
        read_schedule(schedule_path)  # a mistake in the schedule stops the server here, with its line
    dialect = prepare_database(city, migrate=not no_migrate)
    if scheduler is not None:  # the sweep names and the time zone too, now that the city's database can be read
        try:
            schedule = read_schedule(schedule_path, all_sweeps(rules_of_database(city.db.sessions, RULES)))
            disagrees = zone_disagrees(schedule, city.timezone)
        finally:
            city.close()
        if disagrees is not None:  # else the scheduler beside the server would stop at once, and no night be swept
            fail(f"cannot use the schedule: {schedule_path}: {disagrees}", USAGE_ERROR)
    configure_logging()
    click.echo(f"Sign-in {config.cookie_rule.reason}.")
    try:
        if debug:
            run_development_server(config, host, port, scheduler)
            return
        workers = workers or default_workers(dialect, machine_cores())
        metrics_folder(config.INSTANCE, port)
        click.echo(f"Ordinance on http://{bind_address(host, port)}/ with gunicorn: {workers} worker process(es) "
                   f"x {threads} threads (Ctrl-C to stop)")
        GunicornServer(config, gunicorn_options(host, port, workers, threads, access_log, scheduler)).run()
    finally:
        if scheduler is not None:
            scheduler.stop()
