"""How long a run waits on the database itself: its statements and commits, as the driver returns them.

A benchmark of a bulk run (the billing run) says how much of its time is the database's own
work, so that a target is read against what no change of Python can take away. The time of
each statement is taken from just before the driver is called to just after it returns (the
driver's binding of the values included); each commit likewise. The clock is passed in.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, event


class DatabaseTime:
    """The seconds an engine's connections spend in the driver's execute, executemany and commit, summed."""

    def __init__(self, engine: Engine, timer: Callable[[], float]) -> None:
        self.seconds = 0.0
        self.statements = 0
        self.commits = 0
        self._timer = timer
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)
        committing = engine.dialect.do_commit  # the engine's own dialect: only this engine's commits are timed

        def timed_commit(dbapi_connection: Any) -> None:
            started = timer()
            try:
                committing(dbapi_connection)
            finally:
                self.seconds += timer() - started
                self.commits += 1

        engine.dialect.do_commit = timed_commit  # type: ignore[method-assign]

    def _before(self, connection: Any, _cursor: Any, _statement: str, _parameters: Any, _context: Any,
                _many: bool) -> None:
        connection.info["database_time_started"] = self._timer()

    def _after(self, connection: Any, _cursor: Any, _statement: str, _parameters: Any, _context: Any,
               _many: bool) -> None:
        self.seconds += self._timer() - connection.info.pop("database_time_started")
        self.statements += 1
