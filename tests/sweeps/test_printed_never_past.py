"""Printed now, checked now: a notice rendered after the day its customer had to act by is refused, on the city's own
calendar (Pacific), and nothing is kept or mailed. The sweep's mailing counts the day it prints, not the night it
swept; a clerk's first print and the case page's English copy count the day they are asked for. A copy kept when it
was mailed still downloads as mailed (tests/sweeps/test_mailed_is_mailed.py): it is the record, not a new letter."""
from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from engine.notices import NoticeDataError
from engine.notices.kept import print_notice
from engine.store.models import AuditEntry, MailingPdf, Notice, NoticeBatch, NoticePdf, SweepRun, UtilityAccount
from engine.sweeps.mailing import Mailer
from engine.sweeps.report import SweepReport
from tests.notices.test_no_past_dates import words
from tests.sweeps.conftest import REPO, sweep
from tests.sweeps.test_mailed_is_mailed import _reminder, clerk_client

TEMPLATES = REPO / "templates" / "notices"
LAST_EVENING = datetime(2026, 6, 19, 6, 30, tzinfo=timezone.utc)  # 11:30 pm, June 18, in Alder Creek
NEXT_MORNING = datetime(2026, 6, 19, 7, 30, tzinfo=timezone.utc)  # 12:30 am, June 19


def count(session, model) -> int:
    """Rows of a table."""
    return session.scalar(select(func.count()).select_from(model))


def _mail_at(committing_db, tmp_path: Path, when: datetime) -> tuple[list[int], SweepReport]:
    """Mail the finished run's unmailed notices as a run still going at `when` would (the run's heartbeat): the
    batches' ids, and what the mailing added to the run's report."""
    with committing_db() as session, session.begin():
        run = session.scalar(select(SweepRun))
        run.heartbeat_at = when
        report = SweepReport()
        return [batch.id for batch in Mailer(TEMPLATES, tmp_path / "notices")(session, run, report)], report


def test_a_mailing_printed_after_the_pay_by_day_leaves_them_out_and_keeps_nothing(committing_db, catalog, city,
                                                                                 tmp_path):
    """The night's reminders say pay by June 18: mailed a minute before that day ends, not an hour after (each is
    left out, named in the report and audited; no mailing, no copy)."""
    sweep(committing_db, catalog)  # no mailer: the notices wait for their mailing
    with committing_db() as session:
        assert {n.data["due_date"] for n in session.scalars(select(Notice))} == {"2026-06-18"}
    batches, report = _mail_at(committing_db, tmp_path, NEXT_MORNING)
    assert batches == [] and {line["kind"] for line in report.exceptions} == {"not_mailed"}
    assert len(report.exceptions) == 10 and all(
        "was not mailed: its pay-by date 2026-06-18 had passed on 2026-06-19" in line["message"]
        for line in report.exceptions)
    with committing_db() as session:
        assert count(session, NoticeBatch) == count(session, MailingPdf) == count(session, NoticePdf) == 0
        assert session.scalar(select(func.count()).select_from(Notice).where(Notice.batch_id.is_not(None))) == 0
        assert session.scalar(select(AuditEntry).where(AuditEntry.action == "notice.mailed")) is None
        assert session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "notice.not_mailed")) == 10
    [batch_id], _ = _mail_at(committing_db, tmp_path, LAST_EVENING)
    with committing_db() as session:
        mailing = session.scalar(select(MailingPdf).where(MailingPdf.batch_id == batch_id))
    assert "June 18, 2026" in words(mailing.pdf)


def _clerk_notice(committing_db, due: str) -> tuple[str, int]:
    """A reminder a clerk's step made (not yet printed), due on `due`: (its account's number, its id)."""
    with committing_db() as session, session.begin():
        account = session.scalar(select(UtilityAccount).order_by(UtilityAccount.id).limit(1))
        notice = Notice(subject_type="utility_account", subject_id=account.id, notice_type="past-due-reminder",
                        period="2026-04", language="es", created_on=date(2026, 4, 30),
                        data=_reminder(account.number) | {"due_date": due})
        session.add(notice)
    return account.number, notice.id


def test_a_clerk_s_first_print_the_day_after_is_refused_and_nothing_is_kept(committing_db, catalog, city, tmp_path):
    _number, notice_id = _clerk_notice(committing_db, "2026-06-18")
    with pytest.raises(NoticeDataError, match=r"pay-by date 2026-06-18 is already past on 2026-06-19"):
        print_notice(committing_db, notice_id, TEMPLATES, printed_by="carla", now=NEXT_MORNING)
    with committing_db() as session:
        assert count(session, NoticePdf) == 0
        assert session.scalar(select(AuditEntry).where(AuditEntry.action == "notice.printed")) is None
    pdf = print_notice(committing_db, notice_id, TEMPLATES, printed_by="carla", now=LAST_EVENING)
    assert "18 de junio de 2026" in words(pdf)


def test_the_pages_refuse_a_stale_print_with_the_date_named_and_write_nothing(committing_db, committing_url, catalog,
                                                                           city, tmp_path):
    """The clerk's day is LATER (May 20): a notice due May 19, first printed from the account page, and a mailed
    Spanish notice's English copy from its case page are refused; the pages say why and audit no download."""
    number, notice_id = _clerk_notice(committing_db, "2026-05-19")
    sweep(committing_db, catalog)
    with committing_db() as session, session.begin():  # a case's notice whose pay-by day has gone by
        notice = session.scalar(select(Notice).where(Notice.case_id.is_not(None)).order_by(Notice.id).limit(1))
        session.execute(update(Notice).where(Notice.id == notice.id).values(
            data=notice.data | {"due_date": "2026-05-19"}))
        case_id = notice.case_id
    clerk = clerk_client(committing_url, committing_db, tmp_path, TEMPLATES)
    with committing_db() as session:
        before = count(session, AuditEntry)
    by_account = clerk.get(f"/accounts/{number}/notices/{notice_id}.pdf", follow_redirects=True)
    by_case = clerk.get(f"/cases/{case_id}/notices/{notice.id}/english.pdf", follow_redirects=True)
    for page in (by_account, by_case):
        assert page.status_code == 200 and page.mimetype == "text/html"
        assert "pay-by date May 19, 2026 is already past on May 20, 2026" in page.get_data(as_text=True)
    with committing_db() as session:
        assert count(session, AuditEntry) == before and count(session, NoticePdf) == 0
