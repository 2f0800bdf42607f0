"""Migration 0032 (adjustment request keys): adjustments.request_key and its unique index in, and out again."""
from __future__ import annotations

from sqlalchemy import inspect

from engine.store.db import make_engine
from engine.store.schema import upgrade
from tests.store.migrations import downgrade_to


def keyed(engine) -> tuple[bool, bool]:
    """Whether adjustments has request_key, and whether a unique index holds it."""
    found = inspect(engine)
    columns = {column["name"] for column in found.get_columns("adjustments")}
    unique = any(index["column_names"] == ["request_key"] and index["unique"]
                 for index in found.get_indexes("adjustments"))
    return "request_key" in columns, unique


def test_the_adjustment_request_keys_migration_goes_down_and_up_again(committing_url):
    engine = make_engine(committing_url)
    try:
        assert keyed(engine) == (True, True)
        downgrade_to(committing_url, "0031_phone_export_layout")
        assert keyed(engine) == (False, False)
        upgrade(engine)
        assert keyed(engine) == (True, True)
    finally:
        engine.dispose()
