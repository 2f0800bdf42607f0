"""`ordinance scheduler` (run by `ordinance serve` as its child): a bad schedule stops it with its line; its jobs."""
from __future__ import annotations

from datetime import date, datetime, timezone

from click.testing import CliRunner
from webapp.cli import main as ordinance
from webapp.cli.context import open_database
from webapp.cli.scheduler import SQLITE_CHUNK, SweepJobs, sweep_jobs
from webapp.config import Config


def test_a_bad_schedule_stops_the_scheduler_with_its_line(committing_url, tmp_path):
    """A sweep name that does not exist: exit 2, the file, line and key named, nothing scheduled."""
    bad = tmp_path / "schedule.yaml"
    bad.write_text("timezone: America/Los_Angeles\nsweeps:\n  - {sweep: parking, days: daily, at: '01:00'}\n")
    result = CliRunner().invoke(ordinance, ["scheduler", "--schedule", str(bad)],
                                env={"DATABASE_URL": committing_url, "ORDINANCE_INSTANCE": str(tmp_path)})
    assert result.exit_code == 2
    assert f"{bad}:3: sweeps[0].sweep: no sweep named 'parking'" in result.stderr


def test_a_scheduled_job_runs_the_sweep_and_says_how_it_went(committing_url, tmp_path, city):
    """The job body the scheduler calls: the sweep runs for the date, one line reports it; a repeat does nothing."""
    lines: list[str] = []
    jobs = SweepJobs(open_database(Config(database_url=committing_url, instance=tmp_path)),
                     echo=lambda text, err=False: lines.append(text),
                     clock=lambda: datetime(2026, 5, 1, 6, 0, tzinfo=timezone.utc))  # 11 pm on the night (Pacific)
    jobs("delinquency", date(2026, 4, 30), date(2026, 4, 30))  # the night, on its own date
    jobs("delinquency", date(2026, 4, 30), date(2026, 4, 30))
    named = "sweep Delinquency notices and shut-offs (delinquency) for 2026-04-30"  # its label, the id to type
    assert lines == [f"{named}: done, 20 steps, 10 notices, 0 exceptions",
                     f"{named}: already_done, 20 steps, 10 notices, 0 exceptions"]
    jobs("no-such-sweep", date(2026, 4, 30), date(2026, 4, 30))
    assert lines[-1].startswith("sweep No such sweep (no-such-sweep) for 2026-04-30: FAILED: no sweep named "
                                "'no-such-sweep'")


def test_on_sqlite_the_scheduler_sweeps_in_short_chunks(committing_url, tmp_path):
    """Beside the web server on SQLite a chunk holds the one write lock: 100 subjects; on PostgreSQL the CLI's size."""
    jobs = sweep_jobs(open_database(Config(database_url=committing_url, instance=tmp_path)))
    assert jobs.chunk == (SQLITE_CHUNK if committing_url.startswith("sqlite") else None)


def test_a_schedule_in_another_time_zone_than_the_citys_stops_the_scheduler(committing_db, committing_url, tmp_path,
                                                                          monkeypatch):
    """The city saved Pacific/Honolulu; schedule.yaml says America/Los_Angeles: 00:30 there is 9:30 pm the day before
    in the city, so the night swept would not have come yet in the city. Exit 2 with both zones named, before any
    sweep or job runs."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    from tests.factories import save_city

    with committing_db() as session, session.begin():
        save_city(session).timezone = "Pacific/Honolulu"
    started: list[bool] = []
    monkeypatch.setattr(BlockingScheduler, "start", lambda self, *a, **k: started.append(True))
    schedule = tmp_path / "schedule.yaml"
    schedule.write_text("timezone: America/Los_Angeles\nsweeps:\n  - {sweep: delinquency, days: daily, at: '00:30'}\n")
    result = CliRunner().invoke(ordinance, ["scheduler", "--schedule", str(schedule), "--no-catch-up"],
                                env={"DATABASE_URL": committing_url, "ORDINANCE_INSTANCE": str(tmp_path)})
    assert result.exit_code == 2, result.output
    assert (f"cannot use the schedule: {schedule}: its timezone America/Los_Angeles is not the city's time zone, "
            "Pacific/Honolulu (saved on the City settings page): the nights would be counted in one and the notices "
            "dated in the other; write timezone: Pacific/Honolulu") in result.stderr
    assert started == []
    schedule.write_text("timezone: Pacific/Honolulu\nsweeps:\n  - {sweep: delinquency, days: daily, at: '00:30'}\n")
    result = CliRunner().invoke(ordinance, ["scheduler", "--schedule", str(schedule), "--no-catch-up"],
                                env={"DATABASE_URL": committing_url, "ORDINANCE_INSTANCE": str(tmp_path)})
    assert result.exit_code == 0, result.output
    assert started == [True]
