"""Reading the rule store: the stored revisions of each document, and the documents they hold.

A revision is a whole document's YAML text as written; the newest published revision of
each document is what the city runs on. Nothing here writes.
"""
from __future__ import annotations

import hashlib

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.rules.document import RuleDocument
from engine.rules.library import RuleLibrary
from engine.rules.loader import load_document
from engine.store.models import RuleVersion


def sha256_of(text: str) -> str:
    """The SHA-256 of a document's text as written (UTF-8), in hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def history(session: Session, document_id: str) -> list[RuleVersion]:
    """Every revision of a document, oldest first."""
    return list(session.scalars(select(RuleVersion).where(RuleVersion.document_id == document_id)
                                .order_by(RuleVersion.revision)))


def revision(session: Session, document_id: str, number: int) -> RuleVersion | None:
    """A stored revision of a document, or None."""
    return session.scalar(select(RuleVersion).where(RuleVersion.document_id == document_id,
                                                    RuleVersion.revision == number))


def newest(session: Session, document_id: str, *statuses: str) -> RuleVersion | None:
    """The document's newest revision of one of these statuses (draft, published), or None."""
    return session.scalar(select(RuleVersion).where(RuleVersion.document_id == document_id,
                                                    RuleVersion.status.in_(statuses))
                          .order_by(RuleVersion.revision.desc()).limit(1))


def next_revision(session: Session, document_id: str) -> int:
    """The number the document's next revision takes."""
    return (session.scalar(select(func.max(RuleVersion.revision))
                           .where(RuleVersion.document_id == document_id)) or 0) + 1


def has_published(session: Session) -> bool:
    """Whether the store has any published revision (drafting on the web needs them)."""
    return session.scalar(select(RuleVersion.id).where(RuleVersion.status == "published").limit(1)) is not None


def newest_published(session: Session) -> list[RuleVersion]:
    """The newest published revision of each document, by id."""
    rows = session.scalars(select(RuleVersion).where(RuleVersion.status == "published")
                           .order_by(RuleVersion.document_id, RuleVersion.revision))
    return list({row.document_id: row for row in rows}.values())


def revision_document(row: RuleVersion) -> RuleDocument:
    """The document a stored revision holds (its source named by id and revision)."""
    return load_document(row.yaml_text, f"{row.document_id} revision {row.revision}")


def published_documents(session: Session) -> list[RuleDocument]:
    """The documents of the newest published revisions."""
    return [revision_document(row) for row in newest_published(session)]


def published_library(session: Session) -> RuleLibrary:
    """The city's rules as published: the newest published revision of each document."""
    return RuleLibrary.from_documents(published_documents(session))


def waiting_drafts(session: Session) -> list[tuple[RuleVersion, bool]]:
    """Every draft, newest first, each with whether a later revision was published since (superseded)."""
    published = dict(session.execute(select(RuleVersion.document_id, RuleVersion.revision)
                                     .where(RuleVersion.status == "published")
                                     .order_by(RuleVersion.revision)).all())
    drafts = session.scalars(select(RuleVersion).where(RuleVersion.status == "draft")
                             .order_by(RuleVersion.created_at.desc(), RuleVersion.id.desc()))
    return [(row, published.get(row.document_id, 0) > row.revision) for row in drafts]
