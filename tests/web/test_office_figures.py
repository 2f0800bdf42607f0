"""The dashboard's whole-city figures kept as of a moment: worked out by the scheduler every
`dashboard_figures_seconds`, read by the page in one query, worked out by the page itself when
missing or too old (engine.office_figures, engine.office_counts, engine.store.office_figures)."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from engine.city import CityError, update_city
from engine.office_counts import refresh, work_out
from engine.office_figures import CityFigures
from engine.store.models import AuditEntry
from engine.store.office_figures import OfficeFigures, keep_figures, kept_figures
from tests.factories import NOW, create_account
from webapp.cli.context import Database
from webapp.cli.scheduler import add_figures_job, refresh_figures

TODAY = date(2026, 3, 2)  # NOW is 09:00 on March 2 in Alder Creek


@pytest.fixture()
def clock(app):
    """The app's clock, moved on by the test: clock.at = NOW + ..."""
    class Clock:
        at = NOW

        def __call__(self):
            return self.at
    moving = Clock()
    app.config["CLOCK"] = moving
    return moving


def active_shown(page: str) -> int:
    """The number in the dashboard's active-accounts card."""
    return int(re.search(r'id="active-accounts">([\d,]+)<', page)[1].replace(",", ""))


def figures_on(day: date, at=NOW, active=7) -> CityFigures:
    """Figures for a day, made up (the store keeps what it is given)."""
    return CityFigures(city_date=day, worked_out_at=at, active_accounts=active, past_due_accounts=2, businesses=3,
                       active_licenses=4, aging={"current": 100, "days_1_30": 0, "days_31_60": 5, "days_61_90": 0,
                                                 "over_90": 1},
                       collected=[(day - timedelta(days=1), 500), (day, 0)])


def test_figures_are_kept_and_read_back_and_an_older_working_out_never_replaces_a_newer(db):
    assert kept_figures(db, TODAY) is None
    keep_figures(db, figures_on(TODAY), took_ms=12)
    assert kept_figures(db, TODAY) == figures_on(TODAY)
    keep_figures(db, figures_on(TODAY, at=NOW + timedelta(minutes=1), active=8), took_ms=12)  # the upsert: no error
    keep_figures(db, figures_on(TODAY, at=NOW - timedelta(minutes=1), active=6), took_ms=12)  # a slow, older one
    assert kept_figures(db, TODAY).active_accounts == 8
    assert db.scalar(select(func.count()).select_from(OfficeFigures)) == 1
    assert kept_figures(db, TODAY + timedelta(days=1)) is None


def test_the_page_shows_kept_figures_and_when_they_were_worked_out(clock, clerk, db):
    """The first view works them out and keeps them; a view 30 s later reads them, an account added since not yet
    counted; the page says as of when, in the city's time."""
    first = clerk.get("/").get_data(as_text=True)
    assert kept_figures(db, TODAY).worked_out_at == NOW
    create_account(db)
    clock.at = NOW + timedelta(seconds=30)
    page = clerk.get("/").get_data(as_text=True)
    assert active_shown(page) == active_shown(first)
    assert re.search(r'id="figures-as-of">Accounts, businesses, licenses, aging and the 30 days\' payments as of\s+'
                     r'Mar 2, 2026, 9:00 AM;', page)


def test_figures_too_old_or_of_another_day_are_worked_out_at_the_view_and_kept(clock, clerk, db):
    """Kept for yesterday (a new city date) or older than twice the setting (a stopped scheduler): counted again at
    the view."""
    keep_figures(db, figures_on(TODAY - timedelta(days=1), at=NOW - timedelta(seconds=10), active=99_999), took_ms=1)
    before = active_shown(clerk.get("/").get_data(as_text=True))
    assert before != 99_999 and kept_figures(db, TODAY).active_accounts == before
    create_account(db)
    clock.at = NOW + timedelta(seconds=120)  # 2 x 60 s: still shown
    assert active_shown(clerk.get("/").get_data(as_text=True)) == before
    clock.at = NOW + timedelta(seconds=121)
    page = clerk.get("/").get_data(as_text=True)
    assert active_shown(page) == before + 1 and "as of\n  Mar 2, 2026, 9:02 AM" in page
    assert kept_figures(db, TODAY).worked_out_at == NOW + timedelta(seconds=121)


def test_a_city_that_counts_live_keeps_nothing_and_says_no_as_of(clock, clerk, db):
    update_city(db, actor="admin", now=NOW, dashboard_figures_seconds=0)
    before = active_shown(clerk.get("/").get_data(as_text=True))
    create_account(db)
    page = clerk.get("/").get_data(as_text=True)
    assert active_shown(page) == before + 1 and 'id="figures-as-of"' not in page
    assert kept_figures(db, TODAY) is None


@pytest.mark.parametrize("bad", [5, 1, -1, 3601, 60.0, "60", True, None])
def test_the_setting_refuses_values_out_of_its_bounds_with_the_bounds_named(db, bad):
    with pytest.raises(CityError) as refused:
        update_city(db, actor="admin", now=NOW, dashboard_figures_seconds=bad)
    assert str(refused.value) == ("dashboard figures every: 0 seconds (always live) or a whole number of seconds from "
                                  f"10 to 3,600, not {bad!r}.")


def test_the_setting_takes_0_10_and_3600_and_each_change_is_audited(db):
    for seconds in (0, 10, 3600):
        assert update_city(db, actor="admin", now=NOW, dashboard_figures_seconds=seconds).dashboard_figures_seconds \
            == seconds
    entry = db.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
    assert entry.action == "city.update" and entry.detail["dashboard_figures_seconds"] == [10, 3600]


def test_the_city_page_refuses_a_bad_interval_and_saves_a_good_one(admin, db):
    base = {"name": "City of Alder Creek", "timezone": "America/Los_Angeles", "rules_need_second_approver": "y"}
    page = admin.get("/admin/city").get_data(as_text=True)
    assert 'name="dashboard_figures_seconds"' in page and 'value="60"' in page
    refused = admin.post("/admin/city", data={**base, "dashboard_figures_seconds": "5"})
    assert refused.status_code == 400
    assert "seconds from 10 to 3,600, not 5." in refused.get_data(as_text=True)
    assert admin.post("/admin/city", data={**base, "dashboard_figures_seconds": "300"}).status_code == 302
    assert update_city(db, actor="admin", now=NOW).dashboard_figures_seconds == 300


def test_the_scheduler_registers_the_figures_tick_every_10_seconds_one_at_a_time():
    scheduler = BackgroundScheduler(timezone="UTC")
    add_figures_job(scheduler, None, lambda: NOW)
    job = scheduler.get_job("dashboard-figures")
    assert job.trigger.interval == timedelta(seconds=10)
    assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 10)
    assert job.func is refresh_figures and job.next_run_time == NOW


def test_the_tick_s_routine_lines_are_left_out_of_the_log_and_its_warnings_and_other_jobs_kept():
    import logging

    scheduler = BackgroundScheduler(timezone="UTC")
    add_figures_job(scheduler, None, lambda: NOW)
    executor_log = logging.getLogger("apscheduler.executors.default")

    def kept(level: int, message: str) -> bool:
        return executor_log.filter(logging.LogRecord(executor_log.name, level, __file__, 1, message, (), None))
    assert not kept(logging.INFO, 'Running job "dashboard figures when due (trigger: interval[0:00:10])"')
    assert not kept(logging.INFO, 'Job "dashboard figures when due (trigger: interval[0:00:10])" executed successfully')
    assert kept(logging.WARNING, 'Run time of job "dashboard figures when due" was missed by 0:00:12')
    assert kept(logging.INFO, 'Running job "delinquency (trigger: cron[hour=0, minute=30])"')


def test_the_scheduler_s_tick_works_them_out_when_due_and_skips_when_fresh(db, app):
    sessions = sessionmaker(bind=db.bind, join_transaction_mode="rollback_only", expire_on_commit=False)
    database = Database(app.config, db.bind, sessions)
    refresh_figures(database, lambda: NOW)  # nothing kept: worked out
    assert kept_figures(db, TODAY).worked_out_at == NOW
    create_account(db)
    assert refresh(sessions, NOW + timedelta(seconds=59)) is None  # fresh: two small reads, nothing written
    figures, _took_ms = refresh(sessions, NOW + timedelta(seconds=60))
    assert figures == work_out(db, TODAY, NOW + timedelta(seconds=60))[0]
    assert kept_figures(db, TODAY) == figures
    update_city(db, actor="admin", now=NOW, dashboard_figures_seconds=0)
    assert refresh(sessions, NOW + timedelta(hours=1)) is None  # a city that counts live: the tick does nothing


def test_two_writers_at_once_both_succeed_and_the_newer_figures_stay(committing_db):
    """The scheduler and a web machine keep the same day's figures at the same moment: the second waits for the first
    (PostgreSQL's row lock on the conflict, SQLite's write lock) and neither fails; an older working out written last
    leaves the newer one."""
    import threading

    from engine.store.db import transaction

    first = committing_db()
    first.begin()
    keep_figures(first, figures_on(TODAY, at=NOW + timedelta(seconds=5), active=8), took_ms=1)  # not committed yet
    failures: list[BaseException] = []

    def second_writer() -> None:
        """A web machine keeping older figures while the scheduler's are not yet committed."""
        try:
            with transaction(committing_db) as session:
                keep_figures(session, figures_on(TODAY, at=NOW, active=7), took_ms=1)
        except BaseException as error:  # noqa: BLE001 - the test reports it
            failures.append(error)

    writer = threading.Thread(target=second_writer)
    writer.start()
    writer.join(timeout=0.5)
    assert writer.is_alive()  # waiting for the first writer
    first.commit()
    first.close()
    writer.join(timeout=20)
    assert not writer.is_alive() and failures == []
    with committing_db() as session:
        assert kept_figures(session, TODAY).active_accounts == 8
