"""Two people acting on one case: the second gets a conflict and nothing is applied twice.

Runs on SQLite, and on PostgreSQL when the tests run under scripts/with-postgres.sh
(committing_url then names a PostgreSQL database of the test's own).
"""
from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from engine.store.db import transaction
from engine.store.models import AuditEntry, Case, CaseEvent
from engine.workflow import services
from engine.workflow.runtime import Conflict
from tests.factories import create_license
from tests.workflow.conftest import add_staff, at

ON = date(2026, 3, 2)


@pytest.fixture()
def opened(committing_db, catalog):
    """A license application case, committed; its id and the version both clerks see."""
    with transaction(committing_db) as session:
        add_staff(session)
        lic = create_license(session, status="applied", issued_on=None, expires_on=None, fee_cents=0)
        case = services.open_case(session, catalog, "licensing", lic.id, actor="carla", on=ON, now=at(ON))
        return case.id, case.version


def _counts(factory, case_id):
    """(state, events, case audit rows) as the database holds them."""
    with transaction(factory) as session:
        state = session.scalar(select(Case.state).where(Case.id == case_id))
        events = session.scalar(select(func.count()).select_from(CaseEvent).where(CaseEvent.case_id == case_id))
        audits = session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.subject_type == "case", AuditEntry.subject_id == str(case_id)))
        return state, events, audits


def test_the_second_clerk_gets_a_conflict_and_nothing_is_applied(committing_db, catalog, opened):
    """Both saw version 1; the first takes start_review; the second's deny is refused whole."""
    case_id, seen = opened
    with transaction(committing_db) as session:
        services.take_step(session, catalog, case_id, "start_review", user="carla", on=ON, now=at(ON), version=seen)
    with pytest.raises(Conflict) as failure:
        with transaction(committing_db) as session:
            services.take_step(session, catalog, case_id, "deny", user="sam", on=ON, now=at(ON), version=seen,
                               form={"denial_reason": "incomplete"})
    assert "changed since you opened it" in str(failure.value)
    assert _counts(committing_db, case_id) == ("in_review", 2, 2)


def test_two_clerks_at_the_same_moment_one_step_lands(committing_db, catalog, opened):
    """Two threads take start_review on the same version at once: one succeeds, one conflicts."""
    case_id, seen = opened
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def clerk(name: str) -> None:
        """Take the step in a transaction of one's own."""
        start.wait()
        try:
            with transaction(committing_db) as session:
                services.take_step(session, catalog, case_id, "start_review", user=name, on=ON, now=at(ON),
                                   version=seen)
            outcomes.append("taken")
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=clerk, args=(name,)) for name in ("carla", "colin")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["conflict", "taken"]
    assert _counts(committing_db, case_id) == ("in_review", 2, 2)
