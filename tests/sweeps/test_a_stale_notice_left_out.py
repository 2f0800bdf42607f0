"""A night whose mailing meets one notice already past still finishes: that notice is left out (not mailed, no copy,
audited), the run's report names the account, the notice and the date, and the others go out; a rerun mails nothing
twice. The English copy of a notice mailed in Spanish prints after its pay-by day, with its dates as mailed and marked
as a copy of the notice mailed that day (pdftotext on the real PDFs)."""
from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.notices.kept import print_notice, twin_pdf
from engine.store.models import AuditEntry, Notice, NoticeBatch, NoticePdf, SweepRun
from engine.sweeps.mailing import Mailer
from engine.sweeps.registry import get_sweep
from engine.sweeps.runner import RunOutcome, SweepContext, run_sweep
from tests.notices.test_no_past_dates import words
from tests.sweeps.conftest import NIGHT, REPO, AfterEachChunk, at, sweep
from tests.sweeps.test_mailed_is_mailed import clerk_client

TEMPLATES = REPO / "templates" / "notices"
AFTER_THE_PAY_BY_DAY = datetime(2026, 6, 25, 17, 0, tzinfo=timezone.utc)  # the reminders said pay by June 18
YESTERDAY = "2026-04-29"  # the day before the night swept (and mailed), April 30
SHUTOFF_NOTICE_NIGHT = date(2026, 6, 18)  # the reminders' pay-by day: the shut-off notices' night


def first_dated_yesterday(session: Session, ctx: SweepContext) -> None:
    """The run's first notice's pay-by day set to the day before the night."""
    first = session.scalar(select(Notice).where(Notice.sweep_run_id == ctx.run_id).order_by(Notice.id).limit(1))
    if first is not None and first.data["due_date"] != YESTERDAY:
        first.data = {**first.data, "due_date": YESTERDAY}


def night_with_one_stale_notice(factory, catalog, mailer: Mailer, **options) -> RunOutcome:
    """The night's delinquency sweep, mailed on the night, its first notice dated to be paid the day before."""
    return run_sweep(factory, AfterEachChunk(get_sweep("delinquency"), first_dated_yesterday), as_of=NIGHT, today=NIGHT,
                     clock=lambda: at(NIGHT), runner="test", services=catalog, mailer=mailer, **options)


def _count(session: Session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where))


def test_a_night_with_one_notice_already_past_finishes_mails_the_others_and_names_it(committing_db, catalog, city,
                                                                                     tmp_path):
    mailer = Mailer(TEMPLATES, tmp_path / "notices")
    outcome = night_with_one_stale_notice(committing_db, catalog, mailer, chunk_size=7)
    assert outcome.status == "done"
    with committing_db() as session:
        stale = session.scalar(select(Notice).where(Notice.data["due_date"].as_string() == YESTERDAY))
        [batch] = session.scalars(select(NoticeBatch)).all()
        mailed = session.scalars(select(Notice).where(Notice.batch_id == batch.id)).all()
        assert stale.batch_id is None and _count(session, NoticePdf, NoticePdf.notice_id == stale.id) == 0
        assert len(mailed) == batch.count == 9 and _count(session, NoticePdf) == 9
        assert _count(session, Notice) == 10 and stale.id not in {n.id for n in mailed}
        [left_out] = session.scalars(select(AuditEntry).where(AuditEntry.action == "notice.not_mailed")).all()
        run = session.scalar(select(SweepRun))
    assert (left_out.actor, left_out.subject_id, left_out.detail) == (
        "sweep:delinquency", str(stale.id), {"notice_type": "past-due-reminder", "date": "due_date", "was": YESTERDAY,
                                             "printed_on": NIGHT.isoformat()})
    [line] = [line for line in run.report["exceptions"] if line["kind"] == "not_mailed"]
    assert line == {"subject": f"account {stale.data['account_number']} (case {stale.case_id})", "kind": "not_mailed",
                    "message": f"the past-due-reminder (notice {stale.id}) was not mailed: its pay-by date {YESTERDAY} "
                               f"had passed on {NIGHT.isoformat()}, the day the mailing printed"}
    assert run.report["totals"]["exceptions"] == len(run.report["exceptions"])
    assert run.report["mailings"] == [{"notice_type": "past-due-reminder", "count": 9, "pdf": batch.pdf_path}]
    text = words(Path(batch.pdf_path).read_bytes())
    assert stale.data["recipient"]["name"] not in text
    assert all(n.data["recipient"]["name"] in text for n in mailed)

    again = sweep(committing_db, catalog, mailer=mailer)  # the same night again: done, nothing mailed twice
    assert again.status == "already_done"
    with committing_db() as session:
        assert _count(session, NoticeBatch) == 1 and _count(session, NoticePdf) == 9
        assert _count(session, AuditEntry, AuditEntry.action == "notice.not_mailed") == 1

    later = sweep(committing_db, catalog, on=SHUTOFF_NOTICE_NIGHT, mailer=mailer)  # the case's next notice goes out
    with committing_db() as session:
        shutoff = session.scalars(select(Notice).where(Notice.notice_type == "shutoff-notice")).all()
        assert stale.case_id in {n.case_id for n in shutoff} and len(shutoff) == 10
        assert all(n.batch_id is not None for n in shutoff) and _count(session, NoticePdf) == 19
        assert session.get(Notice, stale.id).batch_id is None  # the reminder left out is never mailed
        assert _count(session, AuditEntry, AuditEntry.action == "notice.not_mailed") == 1
    assert [line for line in later.report["exceptions"] if line["kind"] == "not_mailed"] == []


def test_the_run_page_lists_the_notice_left_out_by_account_kind_and_date(committing_db, committing_url, catalog,
                                                                         city, tmp_path):
    night_with_one_stale_notice(committing_db, catalog, Mailer(TEMPLATES, tmp_path / "notices"))
    with committing_db() as session:
        run_id = session.scalar(select(SweepRun.id))
        stale = session.scalar(select(Notice).where(Notice.batch_id.is_(None)))
    supervisor = clerk_client(committing_url, committing_db, tmp_path, TEMPLATES, role="supervisor")
    page = supervisor.get(f"/sweeps/runs/{run_id}").get_data(as_text=True)
    row = page[page.index(f'href="/accounts/{stale.data["account_number"]}"'):]
    row = row[:row.index("</tr>")]
    assert f'href="/cases/{stale.case_id}"' in row and "<td>not mailed</td>" in row
    assert f"the past-due-reminder (notice {stale.id}) was not mailed: its pay-by date {YESTERDAY} had passed" in row


def test_the_english_copy_of_a_mailed_spanish_notice_prints_as_mailed_after_its_pay_by_day(
        committing_db, committing_url, catalog, city, tmp_path):
    """Mailed on April 30 in Spanish, pay by June 18; on June 25 its English copy prints with June 18 and says it is a
    copy of the notice mailed April 30. A notice never sent, with a date past, is still refused."""
    sweep(committing_db, catalog, mailer=Mailer(TEMPLATES, tmp_path / "notices"))
    with committing_db() as session:
        spanish = session.scalar(select(Notice).where(Notice.language == "es").order_by(Notice.id).limit(1))
    clerk = clerk_client(committing_url, committing_db, tmp_path, TEMPLATES, now=AFTER_THE_PAY_BY_DAY)
    copy = clerk.get(f"/cases/{spanish.case_id}/notices/{spanish.id}/english.pdf")
    assert copy.status_code == 200 and copy.mimetype == "application/pdf"
    english = words(copy.data)
    assert "COPY of the notice mailed on April 30, 2026" in english
    assert "June 18, 2026" in english and spanish.data["recipient"]["name"] in english
    assert "already past" not in english
    with committing_db() as session:
        en_copy = words(twin_pdf(session, spanish.id, TEMPLATES, "en", now=AFTER_THE_PAY_BY_DAY))
        es_copy = words(twin_pdf(session, spanish.id, TEMPLATES, "es", now=AFTER_THE_PAY_BY_DAY))
        assert _count(session, NoticePdf, NoticePdf.notice_id == spanish.id) == 1  # a copy is never kept
    assert "COPY of the notice mailed on April 30, 2026" in en_copy
    assert "COPIA del aviso enviado el 30 de abril de 2026" in es_copy and "18 de junio de 2026" in es_copy


def test_a_clerk_s_printed_notice_copies_as_printed_and_a_notice_never_sent_is_refused(committing_db, committing_url,
                                                                                      catalog, city, tmp_path):
    sweep(committing_db, catalog)  # no mailer: the night's notices are never mailed
    with committing_db() as session:
        never_sent, printed = session.scalars(select(Notice).order_by(Notice.id).limit(2)).all()
        run = session.scalar(select(SweepRun))
        assert run.status == "done"
    on_the_night = datetime(2026, 4, 30, 18, 0, tzinfo=timezone.utc)
    print_notice(committing_db, printed.id, TEMPLATES, printed_by="carla", now=on_the_night)
    clerk = clerk_client(committing_url, committing_db, tmp_path, TEMPLATES, now=AFTER_THE_PAY_BY_DAY)
    copy = clerk.get(f"/cases/{printed.case_id}/notices/{printed.id}/english.pdf")
    assert copy.mimetype == "application/pdf"
    assert "COPY of the notice printed on April 30, 2026" in words(copy.data)
    refused = clerk.get(f"/cases/{never_sent.case_id}/notices/{never_sent.id}/english.pdf", follow_redirects=True)
    assert refused.mimetype == "text/html"
    assert "pay-by date Jun 18, 2026 is already past on Jun 25, 2026" in refused.get_data(as_text=True)
