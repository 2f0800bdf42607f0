"""A draft's impact as the draft page gets it: the background job found, or asked for without holding the page."""
from __future__ import annotations

from flask_login import current_user

from engine.jobs import rule_impact
from engine.store.models import Job, RuleVersion
from webapp import clock
from webapp.background import job_for_page
from webapp.extensions import database


def impact_job_for(row: RuleVersion) -> Job:
    """The draft's impact job for today: the one already asked for, or one asked for now (and committed)."""
    session, today = database.session, clock.today()
    return job_for_page(rule_impact.impact_job(session, row, today),
                        lambda: rule_impact.request_impact(session, row, today, current_user.username, clock.now()))
