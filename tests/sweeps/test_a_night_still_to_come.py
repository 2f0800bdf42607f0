"""A sweep runs for a night that has come: a night after the city's date is refused and writes nothing.

A clerk who types `--as-of 2027-04-30` for 2026-04-30 would otherwise post late fees and make
notices dated a year ahead, and mark that night done: when it came, its run would find itself
"already done" and mail nothing.
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from engine.store.models import AuditEntry, Case, LedgerEntry, Notice, SweepRun
from engine.sweeps.runner import SweepError
from tests.sweeps.conftest import NIGHT, at, sweep
from tests.sweeps.test_sweep_cli import cli  # noqa: F401  (the fixture: `ordinance` on the night of April 30)

TOMORROW = NIGHT + timedelta(days=1)


def counts(factory) -> tuple[int, ...]:
    """Rows in the tables a sweep writes to."""
    with factory() as session:
        return tuple(session.scalar(select(func.count()).select_from(model))
                     for model in (Case, LedgerEntry, Notice, SweepRun, AuditEntry))


@pytest.mark.parametrize("night", [TOMORROW, date(2027, 4, 30)])
def test_a_night_after_today_is_refused_in_words_and_nothing_is_written(committing_db, catalog, city, night):
    before = counts(committing_db)
    with pytest.raises(SweepError) as refused:
        sweep(committing_db, catalog, on=night, today=NIGHT)
    assert str(refused.value) == (f"Delinquency notices and shut-offs cannot run for {night:%b} {night.day}, "
                                  f"{night.year}: that night has not come yet (today in the city is Apr 30, 2026)")
    assert counts(committing_db) == before


def test_the_night_refused_runs_when_it_comes(committing_db, catalog, city):
    with pytest.raises(SweepError):
        sweep(committing_db, catalog, on=TOMORROW, today=NIGHT)
    assert sweep(committing_db, catalog, on=TOMORROW).status == "done"


def test_a_dry_run_of_a_night_to_come_shows_it_and_writes_nothing(committing_db, catalog, city):
    before = counts(committing_db)
    assert sweep(committing_db, catalog, on=TOMORROW, today=NIGHT, dry_run=True).status == "dry_run"
    assert counts(committing_db) == before


def test_the_command_line_refuses_tomorrow_with_the_reason(cli, committing_db, city):  # noqa: F811
    before = counts(committing_db)
    result = cli("sweep", "run", "delinquency", "--as-of", TOMORROW.isoformat(), "--no-pdf")
    assert result.exit_code != 0
    assert "cannot run for May 1, 2026: that night has not come yet (today in the city is Apr 30, 2026)" \
        in result.output
    assert counts(committing_db) == before


def test_a_worker_started_the_day_before_joins_tonights_run_on_the_citys_date_now(committing_db, committing_url,
                                                                                 tmp_path, catalog, city,
                                                                                 monkeypatch):
    """`ordinance sweep worker` runs for days: started on April 29, it joins the run the scheduler started at 00:30 on
    April 30 with the city's date now (April 30), not the day it started, so the night is neither refused as still
    to come nor counted as caught up."""
    from webapp.cli.context import CityContext
    from webapp.cli.sweep_worker import join
    from webapp.config import Config

    moments = iter([at(NIGHT - timedelta(days=1)), at(NIGHT)])
    moment = {"now": next(moments)}
    monkeypatch.setattr("webapp.cli.context.now", lambda: moment["now"])
    with CityContext(Config(database_url=committing_url, instance=tmp_path)) as worker:
        assert worker.today == NIGHT - timedelta(days=1)  # the day the worker started
        moment["now"] = next(moments)
        with committing_db() as session, session.begin():
            run = SweepRun(sweep="delinquency", as_of=NIGHT, dry_run=False, status="running", started_at=at(NIGHT),
                           runner="scheduler", heartbeat_at=at(NIGHT), cursor=0, report={})
            session.add(run)
        join(worker, run, catalog)
    with committing_db() as session:
        done = session.get(SweepRun, run.id)
        assert done.status == "done" and "caught_up_on" not in done.report
        assert session.scalar(select(func.count()).select_from(Notice)) == 10
