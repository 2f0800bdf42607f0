"""What a job kind's function is given, and what it looks like."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

ReportProgress = Callable[[int, int, str], None]  # (done, total, message), stored at once


@dataclass(frozen=True)
class JobContext:
    """What a job's function sees: the database, which job it is, who asked, and when it was claimed."""

    sessions: sessionmaker[Session]
    job_id: int
    requested_by: str
    claimed_at: datetime

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reading that never takes SQLite's write lock (BEGIN DEFERRED)."""
        with self.sessions() as session:
            session.connection(execution_options={"sqlite_begin": "DEFERRED"})
            yield session


Handler = Callable[[JobContext, dict[str, Any], ReportProgress], dict[str, Any]]
