"""A sweep run's mailings: one PDF per notice type, and any single notice on demand.

The notices a run created (stamped with its id) are rendered, type by type in notice id
order, into instance/notices/<as_of>/<sweep>-<type>.pdf, read from the database a batch
at a time so a long night's mailing never sits in memory whole. Each mailing is recorded
as a NoticeBatch and its notices point to it. The file is written under a temporary name
and renamed, so a mailing killed halfway never leaves a partial PDF under its real name.

A notice that would print a date to act by already past on the day the mailing prints (in
the city's time zone) is left out: not mailed, no copy kept, the day kept with it
(`left_out_on`), audited (`notice.not_mailed`) and listed in the run's report as a
`not_mailed` exception naming the account (or license), the case, the notice and the date;
the night's other notices are mailed.

What was mailed is kept in the database (engine.notices.kept): the mailing's PDF, and each
notice's own sheet of it, split off as the mailing renders; one audit row per mailing
holds the SHA-256 of the mailing and of its notices' copies. The file is the print shop's
copy; the database's bytes are the record, and what the pages serve.
"""
from __future__ import annotations

import hashlib
import os
from collections.abc import Collection, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, and_, func, insert, select, update
from sqlalchemy.orm import Session

from engine import audit
from engine.city import today_in_city
from engine.notices import NoticeRenderer
from engine.notices.catalog import PastActBy
from engine.notices.kept import city_details, keep_mailing, notice_copy_row
from engine.store.models import Notice, NoticeBatch, NoticePdf, SweepRun
from engine.sweeps.report import SweepReport
from engine.sweeps.runner import signature

READ_BATCH = 500  # notices read from the database at a time
TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "notices"


def mailing_path(folder: Path, run: SweepRun, notice_type: str) -> Path:
    """Where a run's mailing of one notice type is written: <folder>/<as_of>/<sweep>-<type>.pdf."""
    return folder / run.as_of.isoformat() / f"{run.sweep}-{notice_type}.pdf"


def _to_mail(run_id: int, left_out: Collection[int]) -> ColumnElement[bool]:
    """SQL: the run's notices not mailed yet, but for those left out."""
    return and_(Notice.sweep_run_id == run_id, Notice.batch_id.is_(None), Notice.id.not_in(left_out))


def _unmailed(session: Session, where: ColumnElement[bool]) -> Iterator[Any]:
    """The unmailed notices `where` says (id, type, language, data, case), in id order, a batch at a time."""
    after = 0
    while True:
        rows = session.execute(select(Notice.id, Notice.notice_type, Notice.language, Notice.data, Notice.case_id)
                               .where(where, Notice.id > after).order_by(Notice.id).limit(READ_BATCH)).all()
        yield from rows
        if len(rows) < READ_BATCH:
            return
        after = rows[-1].id


def _notices_of(session: Session, where: ColumnElement[bool],
                ids: list[int]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(type, language, data) of the unmailed notices `where` says, in id order, a batch at a time.

    Each notice's id is appended to `ids` as it is handed out, so its place in the mailing names it.
    """
    for row in _unmailed(session, where):
        ids.append(row.id)
        yield row.notice_type, row.language, row.data


def _subject(data: dict[str, Any], case_id: int | None) -> str:
    """The account (or license) and case a notice is about, as a sweep's report names them."""
    number = f"license {data['license_number']}" if data.get("license_number") else \
        f"account {data.get('account_number', '')}"
    return number if case_id is None else f"{number} (case {case_id})"


class MailedCopies:
    """Each notice's sheet of a mailing, kept as it renders: inserted a batch at a time, in mailing order."""

    def __init__(self, session: Session, batch: NoticeBatch, kept_at: datetime, kept_by: str,
                 already_kept: set[int]) -> None:
        """The mailing's batch, when and by whom the copies are kept, and notices kept before (left as they are)."""
        self.session, self.batch, self.kept_at, self.kept_by = session, batch, kept_at, kept_by
        self.already_kept = already_kept
        self.ids: list[int] = []
        self.rows: list[dict] = []
        self.digest = hashlib.sha256()

    def keep(self, position: int, pdf: bytes) -> None:
        """Keep the sheet of the notice at this place in the mailing."""
        notice_id = self.ids[position]
        if notice_id in self.already_kept:
            return
        row = notice_copy_row(notice_id, pdf, kept_at=self.kept_at, kept_by=self.kept_by, batch_id=self.batch.id)
        self.digest.update(f"{notice_id}:{row['sha256']}\n".encode())
        self.rows.append(row)
        if len(self.rows) >= READ_BATCH:
            self.flush()

    def flush(self) -> None:
        """Insert the copies held so far."""
        if self.rows:
            self.session.execute(insert(NoticePdf), self.rows)
            self.rows = []


def _kept_before(session: Session, where: ColumnElement[bool]) -> set[int]:
    """Ids of the unmailed notices `where` says that already have a kept copy (normally none)."""
    return set(session.scalars(select(NoticePdf.notice_id).join(Notice, Notice.id == NoticePdf.notice_id)
                               .where(where)))


class Mailer:
    """Renders a finished run's notices into one mailing PDF per notice type, with NoticeBatch rows."""

    def __init__(self, templates_dir: str | Path, folder: str | Path, renderer: NoticeRenderer | None = None) -> None:
        """Templates to render with, and the folder (instance/notices) the mailings go to."""
        self.templates_dir = Path(templates_dir)
        self.folder = Path(folder)
        self.renderer = renderer

    def _renderer(self, session: Session) -> NoticeRenderer:
        """The renderer, made with the city's details the first time it is needed."""
        if self.renderer is None:
            self.renderer = NoticeRenderer(self.templates_dir, city_details(session))
        return self.renderer

    def __call__(self, session: Session, run: SweepRun, report: SweepReport) -> list[NoticeBatch]:
        """Render each notice type's notices of the run into its mailing PDF; the batches, by type. A notice with a
        date to act by already past on the day the mailing prints is left out, audited and added to the report."""
        kept_at = run.heartbeat_at or run.started_at
        printed_on = today_in_city(session, kept_at)
        left_out = self._leave_out_past(session, run, printed_on, kept_at, report)
        counts = session.execute(select(Notice.notice_type, func.count(Notice.id)).where(_to_mail(run.id, left_out))
                                 .group_by(Notice.notice_type).order_by(Notice.notice_type)).all()
        return [self._mail(session, run, and_(_to_mail(run.id, left_out), Notice.notice_type == notice_type),
                           notice_type, count, printed_on) for notice_type, count in counts]

    def _leave_out_past(self, session: Session, run: SweepRun, printed_on: date, kept_at: datetime,
                        report: SweepReport) -> list[int]:
        """Ids of the run's unmailed notices that would print a date to act by already past on `printed_on`: each
        audited (`notice.not_mailed`) and named in the report (a `not_mailed` exception)."""
        left_out = []
        for row in _unmailed(session, _to_mail(run.id, ())):
            try:
                self._renderer(session).check(row.notice_type, row.language, row.data, printed_on)
            except PastActBy as past:
                left_out.append(row.id)
                report.exception(_subject(row.data, row.case_id),
                                 f"the {row.notice_type} (notice {row.id}) was not mailed: its {past.date_words} had "
                                 f"passed on {printed_on.isoformat()}, the day the mailing printed", "not_mailed")
                audit.record(session, actor=signature(run.sweep), action="notice.not_mailed", subject_type="notice",
                             subject_id=row.id, detail={"notice_type": row.notice_type, "date": past.key,
                                                        "was": past.day.isoformat(),
                                                        "printed_on": printed_on.isoformat()}, at=kept_at)
        if left_out:  # kept with each notice: what a step that `requires_left_out:` it reads
            session.execute(update(Notice).where(Notice.id.in_(left_out)).values(left_out_on=printed_on))
        return left_out

    def _mail(self, session: Session, run: SweepRun, where: ColumnElement[bool], notice_type: str, count: int,
              printed_on: date) -> NoticeBatch:
        """One notice type's mailing (its notices: `where`): the PDF on disk and kept, its batch row, each notice's
        copy, its notices pointing to it."""
        path = mailing_path(self.folder, run, notice_type)
        path.parent.mkdir(parents=True, exist_ok=True)
        kept_at = run.heartbeat_at or run.started_at
        batch = NoticeBatch(sweep_run_id=run.id, notice_type=notice_type, created_at=kept_at, count=count,
                            pdf_path=str(path))
        session.add(batch)
        session.flush()
        copies = MailedCopies(session, batch, kept_at, signature(run.sweep), _kept_before(session, where))
        pdf = self._renderer(session).render_batch(_notices_of(session, where, copies.ids),
                                                   each_notice=copies.keep, printed_on=printed_on)
        copies.flush()
        partial = path.with_suffix(".pdf.part")
        partial.write_bytes(pdf)
        os.replace(partial, path)
        kept = keep_mailing(session, batch, pdf, kept_at=kept_at)
        session.execute(update(Notice).where(where).values(batch_id=batch.id))
        audit.record(session, actor=signature(run.sweep), action="notice.mailed", subject_type="notice_batch",
                     subject_id=batch.id, detail={"notice_type": notice_type, "count": count, "sha256": kept.sha256,
                                                  "notices_sha256": copies.digest.hexdigest()}, at=kept_at)
        return batch


def render_notice(session: Session, notice_id: int, templates_dir: str | Path = TEMPLATES,
                  renderer: NoticeRenderer | None = None) -> bytes:
    """The PDF of one notice rendered now, from today's settings and templates (what a clerk gets is print_notice's)."""
    notice = session.get(Notice, notice_id)
    if notice is None:
        raise LookupError(f"no notice with id {notice_id}")
    renderer = renderer or NoticeRenderer(templates_dir, city_details(session))
    return renderer.render_one(notice.notice_type, notice.language, notice.data)
