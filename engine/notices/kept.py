"""Kept copies: each notice's PDF as it left the building, and each night's mailing PDF, served as kept.

A notice of a sweep run is kept when the run's mailing renders it (its own sheet of the
mailing); a notice a clerk's step created is kept the first time it is printed. From then on
every download is those bytes, whatever the city's settings or the notice templates say
today. A notice still waiting for its run's mailing prints as a preview: rendered now, not
kept, since the mailing will keep the copy that is mailed. The tables are append-only
(migration 0008), and each copy's SHA-256 is written in the audit log, which the signed
checkpoints seal.
"""
from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from engine import audit
from engine.city import get_city, today_in_city
from engine.notices.render import NoticeRenderer
from engine.store.models import MailingPdf, Notice, NoticeBatch, NoticePdf, SweepRun


class KeptCopyError(RuntimeError):
    """A kept PDF whose bytes no longer match the SHA-256 written when it was kept."""


def city_details(session: Session) -> dict[str, str]:
    """The city's name, address, phone and website as a notice prints them.

    A city must save these in its settings; a notice missing one is refused with the
    missing detail named (the sample city's load saves its own).
    """
    city = get_city(session)
    return {"name": city.name, "address": city.payment_address or "", "phone": city.phone or "",
            "website": city.website or "", "payment_address": city.payment_address or ""}


def sha256_of(pdf: bytes) -> str:
    """The hex SHA-256 of a PDF's bytes."""
    return hashlib.sha256(pdf).hexdigest()


def _checked(pdf: bytes, sha256: str, what: str) -> bytes:
    """The bytes, or a KeptCopyError when they are not the ones kept."""
    if sha256_of(pdf) != sha256:
        raise KeptCopyError(f"the kept PDF of {what} no longer matches the SHA-256 it was kept with")
    return pdf


def kept_notice_pdf(session: Session, notice_id: int) -> bytes | None:
    """The notice's kept PDF, or None when it has not been mailed or printed yet."""
    row = session.execute(select(NoticePdf.pdf, NoticePdf.sha256).where(NoticePdf.notice_id == notice_id)).first()
    return None if row is None else _checked(row.pdf, row.sha256, f"notice {notice_id}")


def kept_mailing_pdf(session: Session, batch_id: int) -> bytes | None:
    """The mailing's kept PDF, or None for a mailing made before copies were kept."""
    row = session.execute(select(MailingPdf.pdf, MailingPdf.sha256).where(MailingPdf.batch_id == batch_id)).first()
    return None if row is None else _checked(row.pdf, row.sha256, f"mailing {batch_id}")


def notice_copy_row(notice_id: int, pdf: bytes, *, kept_at: datetime, kept_by: str,
                    batch_id: int | None = None) -> dict:
    """A notice_pdfs row, ready to insert."""
    return dict(notice_id=notice_id, batch_id=batch_id, kept_at=kept_at, kept_by=kept_by, sha256=sha256_of(pdf),
                pdf=pdf)


def keep_mailing(session: Session, batch: NoticeBatch, pdf: bytes, *, kept_at: datetime) -> MailingPdf:
    """Keep a mailing's PDF in the database beside its batch."""
    kept = MailingPdf(batch_id=batch.id, kept_at=kept_at, sha256=sha256_of(pdf), pdf=pdf)
    session.add(kept)
    session.flush()
    return kept


def awaiting_mailing(session: Session, notice: Notice) -> bool:
    """True for a sweep's notice whose run has not finished: its mailing, not a print, keeps its copy."""
    if notice.sweep_run_id is None or notice.batch_id is not None:
        return False
    return session.scalar(select(SweepRun.status).where(SweepRun.id == notice.sweep_run_id)) != "done"


def keep_printed(session: Session, notice_id: int, pdf: bytes, *, printed_by: str, now: datetime) -> bytes:
    """Keep a notice's first print, audited; when another print was kept first, that one's bytes."""
    try:
        with session.begin_nested():
            session.execute(NoticePdf.__table__.insert(),
                            [notice_copy_row(notice_id, pdf, kept_at=now, kept_by=printed_by)])
    except IntegrityError:  # two clerks printed it at once: the first kept copy is the copy
        return kept_notice_pdf(session, notice_id) or pdf
    audit.record(session, actor=printed_by, action="notice.printed", subject_type="notice", subject_id=notice_id,
                 detail={"sha256": sha256_of(pdf), "bytes": len(pdf)}, at=now)
    return pdf


def print_notice(sessions: sessionmaker[Session], notice_id: int, templates_dir: str | Path, *,
                 printed_by: str, now: datetime, renderer: NoticeRenderer | None = None) -> bytes:
    """A notice's PDF for a clerk: the kept copy; else rendered now, and kept unless its mailing is to come."""
    with sessions() as session:
        session.connection(execution_options={"sqlite_begin": "DEFERRED"})  # a read: never wait behind writers
        kept = kept_notice_pdf(session, notice_id)
        if kept is not None:
            return kept
        notice = session.get(Notice, notice_id)
        if notice is None:
            raise LookupError(f"no notice with id {notice_id}")
        renderer = renderer or NoticeRenderer(templates_dir, city_details(session))
        pdf = renderer.render_one(notice.notice_type, notice.language, notice.data,
                                  today_in_city(session, now))
        if awaiting_mailing(session, notice):
            return pdf
    with sessions() as session, session.begin():
        return keep_printed(session, notice_id, pdf, printed_by=printed_by, now=now)


def twin_pdf(session: Session, notice_id: int, templates_dir: str | Path, language: str = "en", *,
             now: datetime) -> bytes:
    """A notice in another language than it was sent in (a Spanish notice's English twin, for staff), rendered now
    from the data kept when it was made: the same figures and dates, the other language's words. Never kept, never
    mailed. A notice already mailed (or first printed) is a copy of that letter: printed with its dates as they were,
    however long ago, and marked "COPY of the notice mailed on <day>" (its template's `copy_of`). One not yet sent is
    refused, like any notice printed now, when a date it asks the customer to act by is already past."""
    notice = session.get(Notice, notice_id)
    if notice is None:
        raise LookupError(f"no notice with id {notice_id}")
    renderer = NoticeRenderer(templates_dir, city_details(session))
    sent = session.execute(select(NoticePdf.kept_at, NoticePdf.batch_id)
                           .where(NoticePdf.notice_id == notice_id)).first()
    if sent is None:
        return renderer.render_one(notice.notice_type, language, notice.data, today_in_city(session, now))
    copy_of = {"on": today_in_city(session, sent.kept_at).isoformat(), "mailed": sent.batch_id is not None}
    return renderer.render_one(notice.notice_type, language, {**notice.data, "copy_of": copy_of})
