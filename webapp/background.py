"""Writing from a page view that reads: a page's background job, or the dashboard's figures it had to work out.

The draft pages (a rule's impact, a workflow's preview) ask for their job while they read;
the dashboard keeps the whole-city figures it found missing or too old (webapp.main.summary).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from engine.store.models import Job
from webapp.extensions import database

Written = TypeVar("Written")


def written_from_page(write: Callable[[], Written]) -> Written:
    """What `write` returns, its writing committed, and the page goes on reading."""
    # A page view reads in a transaction that never takes SQLite's write lock, and one that has read
    # cannot safely start writing: end it, write in a transaction that takes the lock at BEGIN, then
    # go on reading as before.
    session = database.session
    session.commit()
    written = write()
    session.commit()
    session.connection(execution_options={"sqlite_begin": "DEFERRED"})
    return written


def job_for_page(found: Job | None, ask: Callable[[], Job]) -> Job:
    """`found` when there is one; else the job `ask` queues, committed, and the page goes on reading."""
    if found is not None:
        return found
    return written_from_page(ask)
