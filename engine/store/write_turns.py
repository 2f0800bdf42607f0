"""Turns at SQLite's one write lock: the people at the counter go before a long run's next chunk.

SQLite lets one transaction write at a time. One that finds the lock taken sleeps and looks
again (its busy timeout), waking ever more rarely: after the first quarter second, every
100 ms. A long run (a night's sweep, a billing run) writes chunk after chunk, and takes the
lock again within microseconds of letting it go; a clerk's sign-in or payment, asleep while
the chunk ran, wakes to find the next chunk already holding it. It can wait out the whole
run, and fail after 15 s ("database is locked").

So the two kinds of writer also meet at a lock file beside the database (`<database>-turns`):
- a writer that may have to wait holds the file shared while it waits to begin (`waiting`);
- a long run, before each chunk, takes the file exclusively, which it gets only once nobody is
  waiting (`give_way`), and lets it go at once. It waits at most `GIVE_WAY_SECONDS`, so a
  steady stream of clerks slows a run but cannot stop it.

PostgreSQL locks rows, not the database, and needs none of this.
"""
from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

GIVE_WAY_SECONDS = 2.0  # the longest a run's chunk waits for the people waiting to write
LOOK_EVERY_SECONDS = 0.002  # how often a run giving way looks whether they have all begun


@dataclass(frozen=True)
class WriteTurns:
    """The lock file of one SQLite database."""

    path: str

    @classmethod
    def beside(cls, database: str | None) -> WriteTurns | None:
        """The turns of the database file at this path; None for a database in memory."""
        if not database or database == ":memory:" or database.startswith("file::memory:"):
            return None
        return cls(f"{database}-turns")

    def _open(self) -> int:
        return os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)

    @contextmanager
    def waiting(self) -> Iterator[None]:
        """Hold the file shared while this writer waits for the write lock (a new descriptor each time:
        two threads of one process must not share one lock)."""
        descriptor = self._open()
        try:
            fcntl.flock(descriptor, fcntl.LOCK_SH)
            yield
        finally:
            os.close(descriptor)  # closing lets the lock go

    def give_way(self, *, seconds: float = GIVE_WAY_SECONDS) -> float:
        """Wait until no writer is waiting, or `seconds` have passed; how long it waited."""
        started = time.monotonic()
        descriptor = self._open()
        try:
            while True:
                try:
                    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return time.monotonic() - started
                except BlockingIOError:
                    if time.monotonic() - started >= seconds:
                        return time.monotonic() - started
                    time.sleep(LOOK_EVERY_SECONDS)
        finally:
            os.close(descriptor)
