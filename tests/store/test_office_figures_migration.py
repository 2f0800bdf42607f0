"""Migration 0030 (office figures): the figures table and the city's dashboard_figures_seconds in, and out again."""
from __future__ import annotations

from sqlalchemy import inspect, text

from engine.store.db import make_engine
from engine.store.schema import upgrade
from tests.store.migrations import downgrade_to


def shape(engine) -> tuple[bool, bool]:
    """Whether office_figures is there, and whether city_settings has dashboard_figures_seconds."""
    found = inspect(engine)
    return ("office_figures" in found.get_table_names(),
            "dashboard_figures_seconds" in {column["name"] for column in found.get_columns("city_settings")})


def test_the_office_figures_migration_goes_down_and_up_again_and_a_saved_city_counts_every_60_seconds(committing_url):
    engine = make_engine(committing_url)
    try:
        assert shape(engine) == (True, True)
        downgrade_to(committing_url, "0029_page_indexes")
        assert shape(engine) == (False, False)
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO city_settings (name, timezone, languages, payment_address, phone, "
                                    "website, rules_need_second_approver) VALUES ('Alder Creek', 'America/Los_Angeles', "
                                    "'[\"en\"]', '', '', '', true)"))
        upgrade(engine)
        assert shape(engine) == (True, True)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT dashboard_figures_seconds FROM city_settings")).scalar_one() == 60
    finally:
        engine.dispose()
