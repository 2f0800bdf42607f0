"""Migration 0036 (meter reads, one account index): `ix_meter_reads_account_id` is dropped, since the unique
(account_id, period) index answers every lookup by account; down and up again, the reads kept, and an account's
reads still found through an index."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from engine.store.db import make_engine
from engine.store.models import MeterRead
from engine.store.schema import upgrade
from tests.factories import create_account
from tests.store.migrations import downgrade_to

PLAIN = "ix_meter_reads_account_id"


def _indexes(engine) -> dict[str, list[str]]:
    """The indexes of meter_reads by name, with their columns (the unique constraint's among them)."""
    found = inspect(engine)
    named = {index["name"]: index["column_names"] for index in found.get_indexes("meter_reads")}
    named.update({unique["name"] or "unique": unique["column_names"]
                  for unique in found.get_unique_constraints("meter_reads")})
    return named


def test_the_plain_account_index_goes_down_and_comes_back_and_the_reads_are_kept(committing_url):
    engine = make_engine(committing_url)
    try:
        with Session(engine) as session, session.begin():
            account = create_account(session)
            session.add(MeterRead(account_id=account.id, period="2026-05", read_on=date(2026, 5, 28), reading=1412,
                                  consumption_ccf=12))
            account_id = account.id
        assert PLAIN not in _indexes(engine)
        assert ["account_id", "period"] in _indexes(engine).values()
        downgrade_to(committing_url, "0035_notices_left_out")
        assert _indexes(engine)[PLAIN] == ["account_id"]
        upgrade(engine)
        assert PLAIN not in _indexes(engine)
        with Session(engine) as session:
            assert [(r.period, r.consumption_ccf) for r in session.scalars(
                select(MeterRead).where(MeterRead.account_id == account_id))] == [("2026-05", 12)]
    finally:
        engine.dispose()


def test_an_accounts_reads_are_found_through_the_unique_index(db_engine):
    """SQLite's plan for an account's reads searches the index behind UNIQUE(account_id, period), not the table."""
    if db_engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's planner chooses by the table's size; the index's columns are checked above")
    query = select(MeterRead.id).where(MeterRead.account_id == 7)
    with db_engine.connect() as connection:
        plan = " ".join(str(row[-1]) for row in connection.exec_driver_sql(
            f"EXPLAIN QUERY PLAN {query.compile(db_engine)}", (7,)))
    assert "USING" in plan and "INDEX" in plan and "account_id=?" in plan, plan
