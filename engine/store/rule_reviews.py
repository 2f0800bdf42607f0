"""What a reviewer said of a rule draft: approved or sent back, with a comment (the conversation of an approval)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.models import Base


class RuleReview(Base):
    """One reviewer's word on one draft revision: `approved` (it was published) or `sent back`, and why."""

    __tablename__ = "rule_reviews"
    __table_args__ = (Index("ix_rule_reviews_document", "document_id", "revision"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[str] = mapped_column(String(80))
    revision: Mapped[int] = mapped_column(Integer)
    reviewer: Mapped[str] = mapped_column(String(64))
    decision: Mapped[str] = mapped_column(String(16))  # approved | sent back
    comment: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime]

    @property
    def said(self) -> str:
        """The decision as a sentence says it: `approved it`, `sent it back`."""
        return "sent it back" if self.decision == "sent back" else f"{self.decision} it"
