"""The job kind rule-impact: a draft's impact worked out by the worker, the same report the engine gives."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from engine.jobs import rule_impact
from engine.jobs.worker import run_pending
from engine.money import ledger
from engine.rulebook import revisions, store
from engine.rulebook.drafting import check_draft
from engine.rulebook.impact import impact_of_draft
from engine.store.db import transaction
from engine.store.models import Job
from engine.users import add_user
from tests.factories import NOW, create_account
from tests.web.test_rule_drafts import LATE_FEE_12, RULES, TODAY


def city_with_a_draft(sessions) -> int:
    """Staff, the repository's rules published, an account $200.00 past due, the late fee at 12% drafted by sam."""
    with transaction(sessions) as session:
        for username, role in (("sam", "supervisor"), ("ana", "admin")):
            add_user(session, username=username, full_name=username.title(), role=role, password="correct horse",
                     actor="test", now=NOW)
        store.import_folder(session, RULES, actor="test", now=NOW, today=TODAY)
        owing = create_account(session)
        ledger.post_charge(session, owing.id, Decimal("200.00"), on=TODAY - timedelta(days=40),
                           due_on=TODAY - timedelta(days=20), now=NOW, actor="billing", description="Water")
        return store.draft(session, check_draft(session, "late-fee", LATE_FEE_12, TODAY), "sam", NOW).revision


def test_the_worker_keeps_the_report_the_engine_gives(committing_db):
    revision = city_with_a_draft(committing_db)
    with transaction(committing_db) as session:
        draft = revisions.history(session, "late-fee")[-1]
        job_id = rule_impact.request_impact(session, draft, TODAY, "sam", NOW).id
        assert rule_impact.impact_job(session, draft, TODAY).id == job_id

    run_pending(committing_db, lambda: NOW, "w1", heartbeat_seconds=None)

    with committing_db() as session:
        job = session.get(Job, job_id)
        expected = impact_of_draft(session, revisions.revision_document(draft), revisions.published_library(session),
                                   TODAY)
    assert job.status == "done" and revision == 2
    assert rule_impact.report_of(job) == expected
    assert (expected.money.before_total, expected.money.after_total) == (Decimal("20.00"), Decimal("24.00"))
    assert job.progress_message == "Working out the impact on real accounts: 1 of 1 accounts"


def test_a_new_day_or_a_publication_asks_for_a_fresh_impact(committing_db):
    city_with_a_draft(committing_db)
    with transaction(committing_db) as session:
        draft = revisions.history(session, "late-fee")[-1]
        today = rule_impact.request_impact(session, draft, TODAY, "sam", NOW)
        assert rule_impact.request_impact(session, draft, TODAY, "ana", NOW).id == today.id
        tomorrow = rule_impact.request_impact(session, draft, TODAY + timedelta(days=1), "sam", NOW)
        store.draft(session, check_draft(session, "late-fee", LATE_FEE_12.replace("rate: 12}", "rate: 11}"), TODAY),
                    "sam", NOW)
        store.publish(session, "late-fee", 3, "ana", NOW, TODAY)
        published_since = rule_impact.request_impact(session, draft, TODAY, "sam", NOW)
    assert len({today.id, tomorrow.id, published_since.id}) == 3


def test_a_revision_that_is_gone_fails_in_words(committing_db):
    city_with_a_draft(committing_db)
    with transaction(committing_db) as session:
        draft = revisions.history(session, "late-fee")[-1]
        job = rule_impact.request_impact(session, draft, TODAY, "sam", NOW)
        session.get(Job, job.id).input = {**job.input, "revision": 9}
    run_pending(committing_db, lambda: NOW, "w1", heartbeat_seconds=None)
    with committing_db() as session:
        failed = session.get(Job, job.id)
    assert (failed.status, failed.error) == ("failed", "“late-fee” has no revision 9 any more.")
