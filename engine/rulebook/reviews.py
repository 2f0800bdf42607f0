"""Approval as a conversation: a reviewer approves a rule draft (publishing it) or sends it back, with a comment.

Both are kept per draft revision (engine.store.rule_reviews) and in the audit log; the
draft page shows them to the author, the rule page lists them in the document's history.
A draft sent back stays a draft: its author answers with a new revision (or it may still
be approved). Who may approve is the store's rule (a supervisor or an administrator, a
second person when the city asks for one); a draft is sent back by a supervisor or an
administrator who is not its author, and always with a comment saying why.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from engine.rulebook import store
from engine.rulebook.revisions import revision
from engine.rules.document import RuleDocument
from engine.store.models import RuleVersion
from engine.store.rule_reviews import RuleReview

APPROVED, SENT_BACK = "approved", "sent back"
COMMENT_LIMIT = 2000


def _comment(comment: str | None, needed: bool) -> str:
    text = (comment or "").strip()
    if needed and not text:
        raise store.RuleStoreError("say why it is sent back: the author reads the comment")
    if len(text) > COMMENT_LIMIT:
        raise store.RuleStoreError(f"the comment is longer than {COMMENT_LIMIT:,} characters")
    return text


def approve(session: Session, document_id: str, number: int, approver: str, comment: str | None, now: datetime,
            today: date) -> RuleVersion:
    """Publish a draft (the store's checks) and keep the approver's comment with it; audited."""
    text = _comment(comment, needed=False)
    row = store.publish(session, document_id, number, approver, now, today)
    _keep(session, row, row.approver, APPROVED, text, now)
    return row


def send_back(session: Session, document_id: str, number: int, reviewer: str, comment: str | None,
              now: datetime) -> RuleReview:
    """Send a draft back to its author with a comment saying why; it stays a draft; audited."""
    text = _comment(comment, needed=True)
    row = revision(session, document_id, number)
    if row is None:
        raise store.RuleStoreError(f"{document_id} has no revision {number}")
    if row.status != "draft":
        raise store.RuleStoreError(f"revision {number} of {document_id} is {row.status}, not a draft")
    reviewer = store.rule_editor(session, reviewer, "reviewer")
    if reviewer == row.author:
        raise store.RuleStoreError(f"{reviewer} drafted it: a draft is sent back by someone else")
    return _keep(session, row, reviewer, SENT_BACK, text, now)


def _keep(session: Session, row: RuleVersion, reviewer: str, decision: str, comment: str,
          now: datetime) -> RuleReview:
    review = RuleReview(document_id=row.document_id, revision=row.revision, reviewer=reviewer, decision=decision,
                        comment=comment, at=now)
    session.add(review)
    session.flush()
    action = "rule.approve" if decision == APPROVED else "rule.send_back"
    audit.record(session, actor=reviewer, action=action, subject_type="rule", subject_id=row.document_id,
                 detail={"revision": row.revision, "author": row.author, "comment": comment}, at=now)
    return review


def reviews(session: Session, document_id: str, number: int | None = None) -> list[RuleReview]:
    """The reviews of a document (of one revision when given), oldest first."""
    query = select(RuleReview).where(RuleReview.document_id == document_id)
    if number is not None:
        query = query.where(RuleReview.revision == number)
    return list(session.scalars(query.order_by(RuleReview.at, RuleReview.id)))


def sent_back(session: Session) -> set[tuple[str, int]]:
    """The (document, revision) drafts whose latest review sent them back."""
    latest: dict[tuple[str, int], str] = {}
    for review in session.scalars(select(RuleReview).order_by(RuleReview.at, RuleReview.id)):
        latest[(review.document_id, review.revision)] = review.decision
    return {key for key, decision in latest.items() if decision == SENT_BACK}


@dataclass(frozen=True)
class HistoryLine:
    """A revision of a document with its reviews, as the document's history lists it."""

    row: RuleVersion
    reviews: list[RuleReview]


def history(session: Session, document_id: str) -> list[HistoryLine]:
    """Every revision of a document, newest first, each with what its reviewers said."""
    from engine.rulebook.revisions import history as revisions_of
    said = reviews(session, document_id)
    return [HistoryLine(row, [r for r in said if r.revision == row.revision])
            for row in reversed(revisions_of(session, document_id))]


def own_effective_dates(published: RuleDocument | None, draft: RuleDocument) -> list[date]:
    """The effective dates of the versions a draft adds or changes against the published text (its own dates)."""
    if published is None:
        return [version.effective for version in draft.versions]
    before = {v.effective: (v.body, v.reference, v.adopted, v.retired) for v in published.versions}
    return [v.effective for v in draft.versions
            if before.get(v.effective) != (v.body, v.reference, v.adopted, v.retired)]


@dataclass(frozen=True)
class Waiting:
    """A draft on the approvals list: superseded by a later publication, sent back, and its own effective dates."""

    row: RuleVersion
    superseded: bool
    sent_back: bool
    effective: list[date]


def approvals(session: Session) -> list[Waiting]:
    """Every draft, newest first, with its standing and the dates of the versions it adds or changes."""
    from engine.rulebook.revisions import newest, revision_document, waiting_drafts
    from engine.rules.errors import DocumentErrors
    back, found, published = sent_back(session), [], {}
    for row, superseded in waiting_drafts(session):
        if row.document_id not in published:
            current = newest(session, row.document_id, "published")
            published[row.document_id] = revision_document(current) if current is not None else None
        try:
            dates = own_effective_dates(published[row.document_id], revision_document(row))
        except DocumentErrors:  # a draft that no longer reads: its newest version's date, as stored
            dates = [row.latest_effective]
        found.append(Waiting(row, superseded, (row.document_id, row.revision) in back, dates))
    return found
