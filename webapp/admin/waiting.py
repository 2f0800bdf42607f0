"""The changes waiting for a second person, as the admin pages list them for the person looking."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import two_person
from engine.store.models import User


@dataclass(frozen=True)
class WaitingRow:
    """One waiting change: what it does, who asked and when, who may approve it, and what this person may do."""

    id: int
    words: str
    asked_by: str
    asked_at: datetime
    who_can_approve: str
    may_decide: bool  # this person may approve or refuse it
    asked_by_me: bool  # this person asked for it: they may withdraw it, never approve it


def rows(session: Session, username: str) -> list[WaitingRow]:
    """Every waiting change, oldest first, with the buttons this person may use."""
    return [WaitingRow(id=change.id, words=two_person.describe(change), asked_by=change.requested_by,
                       asked_at=change.requested_at, who_can_approve=two_person.who_can_approve(session, change),
                       may_decide=username in two_person.approvers(session, change),
                       asked_by_me=username == change.requested_by)
            for change in two_person.waiting(session)]


def supervisors(session: Session) -> list[str]:
    """The active supervisors a city may name as its second approver."""
    return list(session.scalars(select(User.username).where(User.role == "supervisor", User.active.is_(True))
                                .order_by(User.username)))
