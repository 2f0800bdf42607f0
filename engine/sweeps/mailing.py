"""A sweep run's mailings: one PDF per notice type, and any single notice on demand.

The notices a run created (stamped with its id) are rendered, type by type in notice id
order, into instance/notices/<as_of>/<sweep>-<type>.pdf, read from the database a batch
at a time so a long night's mailing never sits in memory whole. Each mailing is recorded
as a NoticeBatch and its notices point to it. The file is written under a temporary name
and renamed, so a mailing killed halfway never leaves a partial PDF under its real name.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from engine.city import get_city
from engine.notices import NoticeRenderer
from engine.store.models import Notice, NoticeBatch, SweepRun

READ_BATCH = 500  # notices read from the database at a time
TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "notices"


def city_details(session: Session) -> dict[str, str]:
    """The city's name, address, phone and website as a notice prints them.

    A city must save these in its settings; a notice missing one is refused with the
    missing detail named (the sample city's load saves its own).
    """
    city = get_city(session)
    return {"name": city.name, "address": city.payment_address or "", "phone": city.phone or "",
            "website": city.website or "", "payment_address": city.payment_address or ""}


def mailing_path(folder: Path, run: SweepRun, notice_type: str) -> Path:
    """Where a run's mailing of one notice type is written: <folder>/<as_of>/<sweep>-<type>.pdf."""
    return folder / run.as_of.isoformat() / f"{run.sweep}-{notice_type}.pdf"


def _notices_of(session: Session, run_id: int, notice_type: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(type, language, data) of the run's unmailed notices of one type, in id order, a batch at a time."""
    after = 0
    while True:
        rows = session.execute(select(Notice.id, Notice.notice_type, Notice.language, Notice.data).where(
            Notice.sweep_run_id == run_id, Notice.notice_type == notice_type, Notice.batch_id.is_(None),
            Notice.id > after).order_by(Notice.id).limit(READ_BATCH)).all()
        for row in rows:
            yield row.notice_type, row.language, row.data
        if len(rows) < READ_BATCH:
            return
        after = rows[-1].id


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

    def __call__(self, session: Session, run: SweepRun) -> list[NoticeBatch]:
        """Render each notice type's notices of the run into its mailing PDF; the batches, by type."""
        counts = session.execute(select(Notice.notice_type, func.count(Notice.id)).where(
            Notice.sweep_run_id == run.id, Notice.batch_id.is_(None))
            .group_by(Notice.notice_type).order_by(Notice.notice_type)).all()
        return [self._mail(session, run, notice_type, count) for notice_type, count in counts]

    def _mail(self, session: Session, run: SweepRun, notice_type: str, count: int) -> NoticeBatch:
        """One notice type's mailing: the PDF on disk, its batch row, its notices pointing to it."""
        path = mailing_path(self.folder, run, notice_type)
        path.parent.mkdir(parents=True, exist_ok=True)
        pdf = self._renderer(session).render_batch(_notices_of(session, run.id, notice_type))
        partial = path.with_suffix(".pdf.part")
        partial.write_bytes(pdf)
        os.replace(partial, path)
        batch = NoticeBatch(sweep_run_id=run.id, notice_type=notice_type, created_at=run.heartbeat_at or run.started_at,
                            count=count, pdf_path=str(path))
        session.add(batch)
        session.flush()
        session.execute(update(Notice).where(Notice.sweep_run_id == run.id, Notice.notice_type == notice_type,
                                             Notice.batch_id.is_(None)).values(batch_id=batch.id))
        return batch


def render_notice(session: Session, notice_id: int, templates_dir: str | Path = TEMPLATES,
                  renderer: NoticeRenderer | None = None) -> bytes:
    """The PDF of one notice, on demand (a reprint, or a notice a clerk's step created)."""
    notice = session.get(Notice, notice_id)
    if notice is None:
        raise LookupError(f"no notice with id {notice_id}")
    renderer = renderer or NoticeRenderer(templates_dir, city_details(session))
    return renderer.render_one(notice.notice_type, notice.language, notice.data)
