"""Reading for the draft pages: the text a new draft starts from, a check of a text, who may publish."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.city import get_city
from engine.rulebook import store
from engine.rulebook.catalog_source import NOTHING_PUBLISHED, publication_stamp
from engine.rules.errors import DocumentError, DocumentErrors
from engine.rules.library import RuleLibrary
from engine.rules.loader import load_document
from engine.store.models import RuleVersion

NOT_IN_STORE = ("The rules are not in the rule store yet, so a new version cannot be drafted here. "
                "An administrator loads them first (ordinance rules import).")
SECOND_APPROVER = "Waiting for a second approver: the city asks for someone other than the author to publish it."


@dataclass
class TextCheck:
    """What a check of a draft's text found: errors with line and path, and why it could not be published."""

    errors: list[DocumentError] = field(default_factory=list)
    publish_problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No errors."""
        return not self.errors


def store_has_rules(session: Session) -> bool:
    """Whether the rule store has published documents (drafting needs them)."""
    return publication_stamp(session) != NOTHING_PUBLISHED


def newest_published(session: Session, document_id: str) -> RuleVersion | None:
    """The document's newest published revision, or None."""
    return session.scalar(select(RuleVersion).where(RuleVersion.document_id == document_id,
                                                    RuleVersion.status == "published")
                          .order_by(RuleVersion.revision.desc()).limit(1))


def check_text(session: Session, document_id: str, text: str, today: date) -> TextCheck:
    """Check a draft's text: it loads, it is this document, its references hold, it keeps what is in force."""
    source = f"{document_id} (draft)"
    try:
        doc = load_document(text, source)
    except DocumentErrors as bad:
        return TextCheck(errors=list(bad.errors))
    if doc.id != document_id:
        return TextCheck(errors=[DocumentError(source, doc.line_of("id"), "id",
                                               f'this page drafts "{document_id}"; the text says "{doc.id}"')])
    others = [d for d in store.published_documents(session) if d.id != doc.id]
    try:
        RuleLibrary.from_documents([doc, *others])
    except DocumentErrors as bad:
        return TextCheck(errors=list(bad.errors))
    current = newest_published(session, document_id)
    if current is None:
        return TextCheck()
    return TextCheck(publish_problems=store.in_force_problems(store.revision_document(current), doc, today))


def draft_row(session: Session, document_id: str, revision: int) -> RuleVersion | None:
    """A stored revision of a document, or None."""
    return session.scalar(select(RuleVersion).where(RuleVersion.document_id == document_id,
                                                    RuleVersion.revision == revision))


def why_not_publish(session: Session, row: RuleVersion, username: str) -> str | None:
    """Why `username` may not publish the draft (None when they may): not a draft, or its own author."""
    if row.status != "draft":
        return f"Revision {row.revision} is {row.status}, not a draft."
    if row.author == username and get_city(session).rules_need_second_approver:
        return SECOND_APPROVER
    return None


def waiting_drafts(session: Session) -> list[tuple[RuleVersion, bool]]:
    """Every draft, newest first, each with whether a later revision was published since (superseded)."""
    published = dict(session.execute(select(RuleVersion.document_id, RuleVersion.revision)
                                     .where(RuleVersion.status == "published")
                                     .order_by(RuleVersion.revision)).all())
    drafts = session.scalars(select(RuleVersion).where(RuleVersion.status == "draft")
                             .order_by(RuleVersion.created_at.desc(), RuleVersion.id.desc()))
    return [(row, published.get(row.document_id, 0) > row.revision) for row in drafts]
