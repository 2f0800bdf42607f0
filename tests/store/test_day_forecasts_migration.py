"""Migration 0033 (day forecasts): the table of the day's recorded forecasts in, out, and in again, its degrees
bounded by the database too."""
from __future__ import annotations

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from engine.store.db import make_engine
from engine.store.schema import upgrade
from tests.store.migrations import downgrade_to

INSERT = ("INSERT INTO day_forecasts (city_date, low_f, high_f, recorded_by, recorded_at) "
          "VALUES ('2026-07-01', :low, 40, 'sam', '2026-07-01 17:00:00')")


def test_the_day_forecasts_migration_goes_down_and_up_again(committing_url):
    engine = make_engine(committing_url)
    try:
        assert "day_forecasts" in inspect(engine).get_table_names()
        downgrade_to(committing_url, "0032_adjustment_request_keys")
        assert "day_forecasts" not in inspect(engine).get_table_names()
        upgrade(engine)
        assert "day_forecasts" in inspect(engine).get_table_names()
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(text(INSERT), {"low": -101})
        with engine.begin() as connection:
            connection.execute(text(INSERT), {"low": 20})
            assert connection.execute(text("SELECT low_f FROM day_forecasts")).scalar_one() == 20
            connection.execute(text("DELETE FROM day_forecasts"))
    finally:
        engine.dispose()
