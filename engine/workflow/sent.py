"""Whether a case's notices went out: what `requires_sent:` and `requires_left_out:` read.

A notice went out when it was mailed (its night's mailing took it: a batch) or printed (a
kept copy). The notices of a type that count are the latest the case made: those made on the
last day it made one (the account's and the occupants' copies alike); an older one never sent
is behind a newer one (the notices started again). A sweep's notice whose run has not finished
is waiting for its night's mailing: not sent yet. A notice the mailing left out (its date to
act by had passed) stays never sent, and a step that requires it waits until a new one goes out;
the day its mailing left it out is kept with it (`left_out_on`), and a step that
`requires_left_out:` it (one that mails a new one) may then be taken.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.notices.catalog import notice_type
from engine.rules.months import day_words
from engine.store.models import Case, Notice, NoticePdf, SweepRun


@dataclass(frozen=True)
class NoticeMade:
    """One of a case's latest notices of a type, and whether it went out."""

    notice_id: int
    notice_type: str
    made_on: date
    mailed: bool
    printed: bool
    awaiting_mailing: bool  # a sweep's notice whose run (and so its mailing) has not finished
    left_out_on: date | None = None  # the day its night's mailing left it out (a date to act by had passed)

    @property
    def sent(self) -> bool:
        """Whether the notice left the building, mailed or printed."""
        return self.mailed or self.printed

    @property
    def left_out(self) -> bool:
        """Whether its night's mailing left it out and no clerk printed it since: it never went out, and no mailing
        will take it."""
        return self.left_out_on is not None and not self.sent

    @property
    def never_sent_since(self) -> date | None:
        """The day from which it is known not to have gone out: the day its mailing left it out, else the day it was
        made (None: it went out, or waits for its night's mailing)."""
        if self.sent or self.awaiting_mailing:
            return None
        return self.left_out_on or self.made_on

    def words(self) -> str:
        """'the Notice of Service Shut-Off of April 30, 2026 (notice 12)'."""
        return f"the {notice_type(self.notice_type).title_en} of {day_words(self.made_on)} (notice {self.notice_id})"

    def standing(self) -> str:
        """Whether it went out, as a case's history explains the check."""
        if self.sent:
            return f"{self.words()} was {'mailed' if self.mailed else 'printed'}"
        if self.left_out:
            return f"{self.words()} was left out of the mailing of {day_words(self.left_out_on)}: a date it asked " \
                   "the customer to act by had passed"
        return f"{self.words()} is waiting for its night's mailing" if self.awaiting_mailing else \
            f"{self.words()} was never mailed or printed"

    def refusal(self) -> str:
        """Why a step that requires it waits."""
        if self.awaiting_mailing:
            return f"{self.words()} has not been mailed yet: it goes out with its night's mailing"
        return f"{self.words()} was never mailed or printed: a new one must go out first"


def notices_made(session: Session, case: Case, types: Iterable[str]) -> dict[str, list[NoticeMade]]:
    """The case's latest notices of each type (those of the last day it made one), by type; a type it never made is
    absent."""
    return latest_notices(session, [case.id], types).get(case.id, {})


def latest_notices(session: Session, case_ids: Iterable[int],
                   types: Iterable[str]) -> dict[int, dict[str, list[NoticeMade]]]:
    """notices_made for several cases in one query: by case id, then by type (a case that made none is absent)."""
    types, case_ids = sorted(set(types)), sorted(set(case_ids))
    if not types or not case_ids:
        return {}
    printed = select(NoticePdf.id).where(NoticePdf.notice_id == Notice.id).exists()
    rows = session.execute(select(Notice.id, Notice.case_id, Notice.notice_type, Notice.created_on, Notice.batch_id,
                                  Notice.sweep_run_id, Notice.left_out_on, printed.label("printed"), SweepRun.status)
                           .outerjoin(SweepRun, SweepRun.id == Notice.sweep_run_id)
                           .where(Notice.case_id.in_(case_ids), Notice.notice_type.in_(types))
                           .order_by(Notice.id)).all()
    last: dict[tuple[int, str], date] = {}
    for row in rows:
        key = (row.case_id, row.notice_type)
        last[key] = max(last.get(key, row.created_on), row.created_on)
    found: dict[int, dict[str, list[NoticeMade]]] = {}
    for row in rows:
        if row.created_on == last[(row.case_id, row.notice_type)]:
            found.setdefault(row.case_id, {}).setdefault(row.notice_type, []).append(NoticeMade(
                row.id, row.notice_type, row.created_on, mailed=row.batch_id is not None, printed=bool(row.printed),
                awaiting_mailing=row.sweep_run_id is not None and row.status != "done", left_out_on=row.left_out_on))
    return found
