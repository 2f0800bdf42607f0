"""Notes on an account ("called, promised to pay Friday"): author and time, kept forever.

A note is written once (its author and moment) with its first text; an edit adds a new
text and keeps every earlier one, shown as the note's history. The database refuses to
change or delete any of them (migration 0020_customer_record). Each writing is audited.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from engine.accounts.customer_record import RecordError
from engine.store.customers import AccountNote, AccountNoteText
from engine.store.models import UtilityAccount

LONGEST_NOTE = 4000


@dataclass(frozen=True)
class Text:
    """One text of a note, who wrote it and when."""

    text: str
    written_by: str
    written_at: datetime


@dataclass(frozen=True)
class NoteView:
    """A note as the account page shows it: its newest text, who first wrote it, and its earlier texts."""

    id: int
    author: str
    written_at: datetime
    current: Text
    earlier: list[Text]  # newest first

    @property
    def edited(self) -> bool:
        """Whether the note was edited since it was written."""
        return bool(self.earlier)


def _checked(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise RecordError("Note: write something.")
    if len(text) > LONGEST_NOTE:
        raise RecordError(f"Note: at most {LONGEST_NOTE} characters, not {len(text)}.")
    return text


def add_note(session: Session, account_id: int, text: str, *, actor: str, now: datetime) -> AccountNote:
    """Write a note on the account; audited."""
    if session.get(UtilityAccount, account_id) is None:
        raise RecordError(f"There is no utility account number {account_id}.")
    text = _checked(text)
    note = AccountNote(account_id=account_id, author=actor, written_at=now)
    session.add(note)
    session.flush()
    session.add(AccountNoteText(note_id=note.id, text=text, written_by=actor, written_at=now))
    session.flush()
    audit.record(session, actor=actor, action="account.note", subject_type="utility_account", subject_id=account_id,
                 at=now, detail={"note": note.id, "text": text})
    return note


def _texts(session: Session, note_id: int) -> list[Text]:
    return [Text(row.text, row.written_by, row.written_at) for row in session.scalars(
        select(AccountNoteText).where(AccountNoteText.note_id == note_id).order_by(AccountNoteText.id.desc()))]


def edit_note(session: Session, account_id: int, note_id: int, text: str, *, actor: str, now: datetime) -> AccountNote:
    """A new text of a note of this account; the earlier ones stay. Audited."""
    note = session.get(AccountNote, note_id)
    if note is None or note.account_id != account_id:
        raise RecordError(f"The account has no note {note_id}.")
    text = _checked(text)
    texts = _texts(session, note.id)
    if texts and texts[0].text == text:
        raise RecordError("Note: the text is unchanged.")
    session.add(AccountNoteText(note_id=note.id, text=text, written_by=actor, written_at=now))
    session.flush()
    audit.record(session, actor=actor, action="account.note_edit", subject_type="utility_account",
                 subject_id=account_id, at=now,
                 detail={"note": note.id, "before": texts[0].text if texts else "", "after": text})
    return note


def notes_of(session: Session, account_id: int) -> list[NoteView]:
    """The account's notes, newest first, each with its texts."""
    notes = list(session.scalars(select(AccountNote).where(AccountNote.account_id == account_id)
                                 .order_by(AccountNote.id.desc())))
    if not notes:
        return []
    texts: dict[int, list[Text]] = {note.id: [] for note in notes}
    for row in session.scalars(select(AccountNoteText).where(AccountNoteText.note_id.in_(list(texts)))
                               .order_by(AccountNoteText.id.desc())):
        texts[row.note_id].append(Text(row.text, row.written_by, row.written_at))
    return [NoteView(note.id, note.author, note.written_at, texts[note.id][0], texts[note.id][1:]) for note in notes]
