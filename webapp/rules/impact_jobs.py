"""A draft's impact as the draft page gets it: the background job found, or asked for without holding the page."""
from __future__ import annotations

from flask_login import current_user

from engine.jobs import rule_impact
from engine.store.models import Job, RuleVersion
from webapp import clock
from webapp.extensions import database


def impact_job_for(row: RuleVersion) -> Job:
    """The draft's impact job for today: the one already asked for, or one asked for now (and committed)."""
    session = database.session
    found = rule_impact.impact_job(session, row, clock.today())
    if found is not None:
        return found
    # A page view reads in a transaction that never takes SQLite's write lock, and one that has read
    # cannot safely start writing: end it, write the request in a transaction that takes the lock at
    # BEGIN, then go on reading as before.
    session.commit()
    job = rule_impact.request_impact(session, row, clock.today(), current_user.username, clock.now())
    session.commit()
    session.connection(execution_options={"sqlite_begin": "DEFERRED"})
    return job
