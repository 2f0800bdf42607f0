"""A long run's chunks let the writers waiting at SQLite's write lock go first."""
from __future__ import annotations

import threading
import time

from sqlalchemy import text

from engine.store.db import GIVES_WAY, make_engine
from engine.store.write_turns import WriteTurns

CHUNKS = 40
CHUNK_SECONDS = 0.05  # each chunk holds the write lock this long, and takes it again at once


def _writes(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'turns.db'}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE writes (id INTEGER PRIMARY KEY, who TEXT)")
    return engine


def _run(engine, started: threading.Event, gives_way: bool) -> None:
    """A run of chunks, each writing a row and holding the lock a while, back to back."""
    for number in range(CHUNKS):
        with engine.connect() as connection:
            connection = connection.execution_options(**{GIVES_WAY: gives_way})
            with connection.begin():
                connection.execute(text("INSERT INTO writes (who) VALUES (:who)"), {"who": f"chunk {number}"})
                if number == 2:
                    started.set()
                time.sleep(CHUNK_SECONDS)


def _order_of_the_clerk(tmp_path, *, gives_way: bool) -> int:
    """How many chunks had committed before a clerk who came during chunk 2 could write."""
    engine = _writes(tmp_path)
    started = threading.Event()
    run = threading.Thread(target=_run, args=(engine, started, gives_way))
    run.start()
    started.wait(10)
    with engine.begin() as connection:  # the clerk: a plain write transaction
        connection.execute(text("INSERT INTO writes (who) VALUES ('clerk')"))
    run.join(30)
    with engine.connect() as connection:
        rows = [who for (who,) in connection.execute(text("SELECT who FROM writes ORDER BY id"))]
    engine.dispose()
    return rows.index("clerk")


def test_a_clerk_waiting_to_write_goes_before_the_next_chunk(tmp_path):
    # The clerk waits at most for the chunk under way and the few its busy timeout sleeps through
    # (it looks every 100 ms at most; a chunk is 50 ms), never for the whole run.
    assert _order_of_the_clerk(tmp_path, gives_way=True) <= 8


def test_without_giving_way_the_clerk_waits_out_the_run(tmp_path):
    # What the turns are for: a run that takes the lock again at once shuts the clerk out to its end
    # (or nearly: the clerk's busy timeout may catch a gap of microseconds between two chunks).
    assert _order_of_the_clerk(tmp_path, gives_way=False) > 8


def test_a_database_in_memory_has_no_turns():
    assert WriteTurns.beside(":memory:") is None
    assert WriteTurns.beside("") is None
    assert WriteTurns.beside("/srv/city.db") == WriteTurns("/srv/city.db-turns")


def test_giving_way_waits_for_a_waiting_writer_and_no_longer(tmp_path):
    turns = WriteTurns(str(tmp_path / "x-turns"))
    assert turns.give_way() < 0.5  # nobody waiting: at once
    with turns.waiting():
        waited = turns.give_way(seconds=0.2)  # somebody waits, and never begins: the run goes on after its limit
    assert 0.2 <= waited < 2
