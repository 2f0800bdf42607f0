"""The Prometheus exposition: this deployment's request times, and what the database says of sweeps and jobs.

Request times are counted by each web process (webapp.observability); under gunicorn they are
added up over the workers through PROMETHEUS_MULTIPROC_DIR. Sweep progress and queue depths
are read from the database at each scrape, so every web machine answers the same numbers for
the whole deployment, whichever machine runs the sweep or the job:

- `ordinance_jobs{status}`: background jobs queued, running, done, failed;
- `ordinance_sweep_running{sweep}`: 1 while a run of the sweep is not finished;
- `ordinance_sweep_subjects{sweep}`: subjects the sweep's newest run has visited so far;
- `ordinance_sweep_cursor{sweep}`: the id its newest run reached (against `ordinance_sweep_last_id`, the end);
- `ordinance_sweep_finished_timestamp_seconds{sweep}`: when its newest finished run ended.

The `sweep` label's value is the sweep's id (`delinquency`), not its label: a program reads these,
and its queries and alerts must not change when a city renames a sweep. Pages and the command
line's human output name it by its label (engine.sweeps.registry.sweep_label).
"""
from __future__ import annotations

import os
from collections.abc import Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.store.models import Job, SweepRun
from webapp.observability import MULTIPROCESS_DIR, request_seconds


class DatabaseCollector:
    """Gauges read from the database when Prometheus scrapes."""

    def __init__(self, session: Session) -> None:
        """Reads through `session` (the request's)."""
        self.session = session

    def collect(self) -> Iterator:
        """The jobs by status and each sweep's newest run."""
        from prometheus_client.core import GaugeMetricFamily

        jobs = GaugeMetricFamily("ordinance_jobs", "Background jobs by status", labels=["status"])
        counts = dict(self.session.execute(select(Job.status, func.count()).group_by(Job.status)).all())
        for status in ("queued", "running", "done", "failed"):
            jobs.add_metric([status], counts.get(status, 0))
        yield jobs
        running = GaugeMetricFamily("ordinance_sweep_running", "1 while a run of the sweep is unfinished",
                                    labels=["sweep"])
        subjects = GaugeMetricFamily("ordinance_sweep_subjects", "Subjects the sweep's newest run has visited",
                                     labels=["sweep"])
        cursor = GaugeMetricFamily("ordinance_sweep_cursor", "The subject id the sweep's newest run reached",
                                   labels=["sweep"])
        finished = GaugeMetricFamily("ordinance_sweep_finished_timestamp_seconds",
                                     "When the sweep's newest finished run ended (Unix time)", labels=["sweep"])
        newest = (select(SweepRun.sweep, func.max(SweepRun.id)).where(SweepRun.dry_run.is_(False))
                  .group_by(SweepRun.sweep))
        ids = [run_id for _, run_id in self.session.execute(newest)]
        for run in self.session.scalars(select(SweepRun).where(SweepRun.id.in_(ids)).order_by(SweepRun.sweep)):
            running.add_metric([run.sweep], 1 if run.status == "running" else 0)
            subjects.add_metric([run.sweep], int((run.report or {}).get("subjects", 0)))
            cursor.add_metric([run.sweep], run.cursor)
        last_done = (select(SweepRun.sweep, func.max(SweepRun.finished_at)).where(SweepRun.status == "done")
                     .group_by(SweepRun.sweep))
        for sweep, at in self.session.execute(last_done):
            if at is not None:
                finished.add_metric([sweep], at.timestamp())
        yield from (running, subjects, cursor, finished)


def exposition(session: Session) -> tuple[bytes, str]:
    """The metrics page's body and content type."""
    from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
    from prometheus_client.multiprocess import MultiProcessCollector

    request_seconds()  # the histogram exists (with no samples) before the first request is timed
    if os.environ.get(MULTIPROCESS_DIR):
        requests = CollectorRegistry()
        MultiProcessCollector(requests)
    else:
        requests = REGISTRY
    database = CollectorRegistry()
    database.register(DatabaseCollector(session))
    return generate_latest(requests) + generate_latest(database), CONTENT_TYPE_LATEST
