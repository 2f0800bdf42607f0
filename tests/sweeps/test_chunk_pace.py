"""A sweep's chunks sized by time (SQLite beside the clerks): the same night's work as chunks of a fixed count."""
from __future__ import annotations

import pytest

from engine.store.db import make_engine, make_sessionmaker
from engine.sweeps.runner import ChunkPace
from tests.sweeps.conftest import city_and_its_twin, outcome_of, sweep


def test_the_pace_starts_small_and_takes_as_many_subjects_as_the_time_holds():
    pace = ChunkPace(100, 0.05)
    assert pace.size == ChunkPace.FIRST
    pace.took(10, 0.025)  # 2.5 ms a subject: 20 fit in 50 ms
    assert pace.size == 20
    pace.took(20, 2.0)  # a night of heavy subjects (100 ms each): one at a time, never none
    assert pace.size == 1
    pace.took(1, 0.0001)  # light ones: as many as the largest chunk allows
    assert pace.size == 100
    pace.took(0, 1.0)
    assert pace.size == 100


def test_without_a_time_the_chunk_is_its_count():
    pace = ChunkPace(500)
    pace.took(500, 30.0)
    assert pace.size == 500


def test_a_paced_sweep_does_the_same_as_one_in_fixed_chunks(committing_db, committing_url, catalog, tmp_path):
    if not committing_url.startswith("sqlite"):
        pytest.skip("the paced run's twin is a copy of the SQLite file")
    twin_path = tmp_path / "twin.db"
    city_and_its_twin(committing_db, committing_url, twin_path, 120)
    paced = sweep(committing_db, catalog, chunk_size=50, chunk_seconds=0.002)
    twin_engine = make_engine(f"sqlite:///{twin_path}")
    twin = make_sessionmaker(twin_engine)
    fixed = sweep(twin, catalog, chunk_size=50)
    assert paced.chunks > fixed.chunks  # the time made the chunks smaller
    assert outcome_of(committing_db) == outcome_of(twin)
    assert paced.report == fixed.report
    twin_engine.dispose()
