"""A page's background job: the one already asked for, or asked for now without holding the page.

The draft pages (a rule's impact, a workflow's preview) call it while they read.
"""
from __future__ import annotations

from collections.abc import Callable

from engine.store.models import Job
from webapp.extensions import database


def job_for_page(found: Job | None, ask: Callable[[], Job]) -> Job:
    """`found` when there is one; else the job `ask` queues, committed, and the page goes on reading."""
    if found is not None:
        return found
    # A page view reads in a transaction that never takes SQLite's write lock, and one that has read
    # cannot safely start writing: end it, write the request in a transaction that takes the lock at
    # BEGIN, then go on reading as before.
    session = database.session
    session.commit()
    job = ask()
    session.commit()
    session.connection(execution_options={"sqlite_begin": "DEFERRED"})
    return job
