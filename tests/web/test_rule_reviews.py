"""Approval as a conversation: a draft approved or sent back with a comment, seen by its author, kept in the history."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.rulebook import reviews, store
from engine.rulebook.drafting import check_draft
from engine.rules import editing
from engine.store.models import AuditEntry, RuleVersion
from tests.factories import NOW
from tests.web.pages import fixed_clock  # noqa: F401  (fixture)

RULES = Path(__file__).resolve().parents[2] / "rules"
TODAY = date(2026, 3, 2)
RESIDENTIAL = (RULES / "utilities" / "water-rates-residential.yaml").read_text(encoding="utf-8")


@pytest.fixture()
def rule_store(db):
    store.import_folder(db, RULES, actor="test", now=NOW, today=TODAY)
    return db


def april_draft(db, author: str) -> RuleVersion:
    """A draft of the residential rates with a version of 2026-04-01 between two published ones."""
    text = editing.new_version(RESIDENTIAL, date(2026, 4, 1)).text
    text = editing.set_value(text, 'versions[2].lines[1].tiers.blocks.3/4"[1].rate', editing.Decimal("2.70"))
    row = store.draft(db, check_draft(db, "water-rates-residential", text, TODAY), author, NOW)
    db.flush()
    return row


def audit_rows(db, action: str) -> list[AuditEntry]:
    return list(db.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_sent_back_with_a_comment_the_author_reads_it_and_the_history_and_audit_keep_it(fixed_clock, rule_store,
                                                                                       login_as):
    author, reviewer = login_as("supervisor"), login_as("supervisor")
    row = april_draft(rule_store, author.user.username)
    listed = reviewer.get("/rules/approvals").get_data(as_text=True)
    assert "effective Apr 1, 2026" in listed and "effective Jul 1, 2027" not in listed  # its own date, not the newest

    empty = reviewer.post(f"/rules/water-rates-residential/drafts/{row.revision}/send-back", data={"comment": " "})
    assert empty.status_code == 302
    assert "Say why it is sent back" in reviewer.get(empty.headers["Location"]).get_data(as_text=True)
    assert reviews.reviews(rule_store, "water-rates-residential") == []

    sent = reviewer.post(f"/rules/water-rates-residential/drafts/{row.revision}/send-back",
                         data={"comment": "Only the 3/4 inch meter changed; raise every meter size."})
    assert sent.status_code == 302
    page = author.get(f"/rules/water-rates-residential/drafts/{row.revision}").get_data(as_text=True)
    assert "What the reviewers said" in page and f"{reviewer.user.username}</strong> sent it back on Mar 2, 2026" in page
    assert "Only the 3/4 inch meter changed; raise every meter size." in page
    assert "sent back to the author" in author.get("/rules/approvals").get_data(as_text=True)
    history = author.get("/rules/water-rates-residential").get_data(as_text=True)
    assert "History" in history and "Only the 3/4 inch meter changed" in history
    (entry,) = audit_rows(rule_store, "rule.send_back")
    assert entry.actor == reviewer.user.username and entry.detail["comment"].startswith("Only the 3/4 inch")
    rule_store.expire_all()
    assert rule_store.get(RuleVersion, row.id).status == "draft"

    own = author.post(f"/rules/water-rates-residential/drafts/{row.revision}/send-back", data={"comment": "x"})
    assert "drafted it: a draft is sent back by someone else" in author.get(own.headers["Location"]).get_data(
        as_text=True)


def test_approved_with_a_comment_is_published_and_the_comment_kept(fixed_clock, rule_store, login_as):
    author, approver = login_as("supervisor"), login_as("supervisor")
    row = april_draft(rule_store, author.user.username)
    done = approver.post(f"/rules/water-rates-residential/drafts/{row.revision}/publish",
                         data={"comment": "Matches Resolution 2026-12."})
    assert done.status_code == 302 and done.headers["Location"].endswith("/rules/water-rates-residential")
    rule_store.expire_all()
    assert rule_store.get(RuleVersion, row.id).status == "published"
    (review,) = reviews.reviews(rule_store, "water-rates-residential", row.revision)
    assert (review.reviewer, review.decision, review.comment) == (approver.user.username, "approved",
                                                                  "Matches Resolution 2026-12.")
    (entry,) = audit_rows(rule_store, "rule.approve")
    assert entry.detail == {"revision": row.revision, "author": author.user.username,
                            "comment": "Matches Resolution 2026-12."}
    page = author.get(f"/rules/water-rates-residential/drafts/{row.revision}").get_data(as_text=True)
    assert "Matches Resolution 2026-12." in page
    assert "Matches Resolution 2026-12." in author.get("/rules/water-rates-residential").get_data(as_text=True)


def test_a_refused_publication_keeps_no_comment(fixed_clock, rule_store, login_as):
    author = login_as("supervisor")
    row = april_draft(rule_store, author.user.username)
    with pytest.raises(store.RuleStoreError):
        reviews.approve(rule_store, "water-rates-residential", row.revision, "nobody", "fine", NOW, TODAY)
    assert reviews.reviews(rule_store, "water-rates-residential") == []
