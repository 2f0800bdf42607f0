"""Mailed is mailed: a notice re-downloads as the copy that was mailed, after the city moved and the letter changed."""
from __future__ import annotations

import shutil
import subprocess
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import select, text

from engine.audit import verify_chain
from engine.city import update_city
from engine.notices.kept import KeptCopyError, kept_mailing_pdf, print_notice, sha256_of
from engine.store.db import make_engine
from engine.store.models import AuditEntry, MailingPdf, Notice, NoticeBatch, NoticePdf, UtilityAccount
from engine.sweeps.mailing import Mailer, render_notice
from engine.users import add_user
from samplecity.city import PHONE
from tests.sweeps.conftest import REPO, sweep
from tests.sweeps.test_mailing import assert_page_is, page_text
from tests.web.pages import assert_download_audited, audited_downloads
from webapp.app import create_app
from webapp.config import TestConfig

MOVED = {"payment_address": "900 New Civic Way\nAlder Creek, CA 95622", "phone": "(530) 555-7777"}
LATER = datetime(2026, 5, 20, 16, 0, tzinfo=timezone.utc)


def pages(pdf: bytes) -> int:
    """How many pages a PDF has."""
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


@pytest.fixture()
def templates(tmp_path: Path) -> Path:
    """A copy of templates/notices the test may edit."""
    return Path(shutil.copytree(REPO / "templates" / "notices", tmp_path / "templates"))


def edit_the_letters(templates: Path) -> None:
    """The city rewrites its reminder: a new sentence in both languages."""
    for language in ("en", "es"):
        letter = templates / f"past-due-reminder.{language}.html"
        letter.write_text(letter.read_text().replace("{% block letter %}",
                                                     "{% block letter %}<p>THIS LETTER WAS REWRITTEN</p>", 1))


def move_the_city(factory) -> None:
    """The city's payment office moves and gets a new phone number."""
    with factory() as session, session.begin():
        update_city(session, actor="admin", now=LATER, **MOVED)


def clerk_client(committing_url: str, factory, tmp_path: Path, templates: Path, now: datetime = LATER,
                 role: str = "clerk"):
    """A signed-in clerk (or a person of another role) on an app over the committed database, printing with the given
    templates, on a clock stopped at `now`."""
    with factory() as session, session.begin():
        add_user(session, username="carla", full_name="Carla Reyes", role=role, password="counter-pass-1",
                 actor="test", now=LATER)
    app = create_app(TestConfig(database_url=committing_url, instance=tmp_path, NOTICE_TEMPLATES=templates,
                                CLOCK=lambda: now))
    client = app.test_client()
    assert client.post("/login", data={"username": "carla", "password": "counter-pass-1"}).status_code == 302
    return client


def test_every_mailed_notice_redownloads_byte_identical_after_the_city_and_the_letter_change(
        committing_db, committing_url, catalog, city, tmp_path, templates):
    """Ten reminders mailed; the city moves, the letter is rewritten; each notice and the mailing come back as mailed."""
    outcome = sweep(committing_db, catalog, mailer=Mailer(templates, tmp_path / "notices"))
    with committing_db() as session:
        notices = session.scalars(select(Notice).order_by(Notice.id)).all()
        kept = {row.notice_id: row for row in session.scalars(select(NoticePdf))}
        [batch] = session.scalars(select(NoticeBatch)).all()
        mailing = session.scalar(select(MailingPdf))
        numbers = dict(session.execute(select(UtilityAccount.id, UtilityAccount.number)).all())
    assert len(notices) == 10 and set(kept) == {n.id for n in notices}
    assert all(row.batch_id == batch.id and row.kept_by == "sweep:delinquency" for row in kept.values())
    assert mailing.batch_id == batch.id and mailing.pdf == Path(outcome.report["mailings"][0]["pdf"]).read_bytes()
    for notice in notices:  # each copy is the notice's own sheet of the mailing
        assert pages(kept[notice.id].pdf) == 1
        assert_page_is(page_text(kept[notice.id].pdf, 1), notice)

    move_the_city(committing_db)
    edit_the_letters(templates)
    with committing_db() as session:
        redrawn = render_notice(session, notices[0].id, templates)  # what re-rendering would now print
    assert "555-7777" in page_text(redrawn, 1) and "THIS LETTER WAS REWRITTEN" in page_text(redrawn, 1)

    clerk = clerk_client(committing_url, committing_db, tmp_path, templates)
    for notice in notices:
        mailed = kept[notice.id].pdf
        assert print_notice(committing_db, notice.id, templates, printed_by="carla", now=LATER) == mailed
        by_case = clerk.get(f"/cases/{notice.case_id}/notices/{notice.id}.pdf")
        by_account = clerk.get(f"/accounts/{numbers[notice.subject_id]}/notices/{notice.id}.pdf")
        assert by_case.status_code == 200 and by_case.data == mailed
        assert by_account.status_code == 200 and by_account.data == mailed
    with committing_db() as session:
        assert kept_mailing_pdf(session, batch.id) == mailing.pdf
        mailed_row = session.scalar(select(AuditEntry).where(AuditEntry.action == "notice.mailed"))
        assert mailed_row.detail["sha256"] == sha256_of(mailing.pdf) and mailed_row.detail["count"] == 10
        assert session.scalar(select(AuditEntry).where(AuditEntry.action == "notice.printed")) is None
        assert verify_chain(session).intact


def test_the_supervisor_downloads_the_mailing_as_kept_even_when_the_file_is_gone(
        committing_db, committing_url, catalog, city, tmp_path, templates):
    """The mailing's file in the instance folder is the print shop's copy; the page serves the database's bytes."""
    outcome = sweep(committing_db, catalog, mailer=Mailer(templates, tmp_path / "notices"))
    path = Path(outcome.report["mailings"][0]["pdf"])
    mailed = path.read_bytes()
    path.unlink()
    with committing_db() as session, session.begin():
        add_user(session, username="sam", full_name="Sam Ortiz", role="supervisor", password="supervisor-pass",
                 actor="test", now=LATER)
        batch_id = session.scalar(select(NoticeBatch.id))
    app = create_app(TestConfig(database_url=committing_url, instance=tmp_path, CLOCK=lambda: LATER))
    client = app.test_client()
    client.post("/login", data={"username": "sam", "password": "supervisor-pass"})
    response = client.get(f"/sweeps/runs/{outcome.run_id}/mailings/{batch_id}.pdf")
    assert response.status_code == 200 and response.data == mailed


def test_a_notice_a_clerk_prints_is_kept_at_its_first_print(committing_db, committing_url, catalog, city, tmp_path,
                                                            templates):
    """A clerk's step made the notice (no mailing): the first print is kept, audited, and every later print is it."""
    with committing_db() as session, session.begin():
        account = session.scalar(select(UtilityAccount).order_by(UtilityAccount.id).limit(1))
        notice = Notice(subject_type="utility_account", subject_id=account.id, notice_type="past-due-reminder",
                        period="2026-04", language="en", created_on=date(2026, 4, 30), data=_reminder(account.number))
        session.add(notice)
    clerk = clerk_client(committing_url, committing_db, tmp_path, templates)
    first = clerk.get(f"/accounts/{account.number}/notices/{notice.id}.pdf")
    assert first.status_code == 200 and PHONE in page_text(first.data, 1)
    move_the_city(committing_db)
    edit_the_letters(templates)
    again = clerk.get(f"/accounts/{account.number}/notices/{notice.id}.pdf")
    assert again.data == first.data and "555-7777" not in page_text(again.data, 1)
    with committing_db() as session:
        kept = session.scalar(select(NoticePdf).where(NoticePdf.notice_id == notice.id))
        assert (kept.kept_by, kept.batch_id, kept.pdf) == ("carla", None, first.data)
        printed = session.scalar(select(AuditEntry).where(AuditEntry.action == "notice.printed"))
        assert (printed.actor, printed.subject_id, printed.detail["sha256"]) == ("carla", str(notice.id),
                                                                                  sha256_of(first.data))
        taken = audited_downloads(session)  # each download committed its row, the same bytes each time
    for entry, response in zip(taken, (first, again), strict=True):
        assert_download_audited(entry, response.data, response.headers["Content-Disposition"], "carla", 1)
        assert entry.detail["filters"] == {"account": account.number, "notice": notice.id}


def test_a_notice_still_waiting_for_its_mailing_prints_as_a_preview_and_is_not_kept(committing_db, catalog, city,
                                                                                     templates):
    """Before its run's mailing, a sweep's notice is rendered now and nothing is kept: the mailing keeps its copy."""
    sweep(committing_db, catalog)  # no mailer: the run is done, its notices never mailed
    with committing_db() as session, session.begin():
        notice = session.scalar(select(Notice).order_by(Notice.id).limit(1))
        session.execute(text("UPDATE sweep_runs SET status = 'running'"))
    preview = print_notice(committing_db, notice.id, templates, printed_by="carla", now=LATER)
    assert preview.startswith(b"%PDF")
    with committing_db() as session:
        assert session.scalar(select(NoticePdf).where(NoticePdf.notice_id == notice.id)) is None


def test_kept_copies_are_append_only_and_a_tampered_copy_is_refused(committing_db, committing_url, catalog, city,
                                                                    tmp_path, templates):
    """The database refuses to change a kept copy; one changed past the guard no longer matches its SHA-256."""
    sweep(committing_db, catalog, mailer=Mailer(templates, tmp_path / "notices"))
    engine = make_engine(committing_url)
    with pytest.raises(Exception, match="append-only"), engine.begin() as connection:
        connection.execute(text("UPDATE notice_pdfs SET pdf = :b"), {"b": b"%PDF-forged"})
    with pytest.raises(Exception, match="append-only"), engine.begin() as connection:
        connection.execute(text("DELETE FROM mailing_pdfs"))
    with engine.begin() as connection:  # someone with database access drops the guard and swaps a copy
        postgres = connection.dialect.name == "postgresql"
        connection.execute(text("DROP TRIGGER notice_pdfs_no_update" + (" ON notice_pdfs" if postgres else "")))
        notice_id = connection.execute(text("SELECT MIN(notice_id) FROM notice_pdfs")).scalar()
        connection.execute(text("UPDATE notice_pdfs SET pdf = :b WHERE notice_id = :n"),
                           {"b": b"%PDF-forged", "n": notice_id})
    engine.dispose()
    with pytest.raises(KeptCopyError, match=f"notice {notice_id} no longer matches"):
        print_notice(committing_db, notice_id, templates, printed_by="carla", now=LATER)


def _reminder(account_number: str) -> dict:
    """A past-due reminder's data, as a clerk's step would fix it: due after LATER, the day the clerk prints it."""
    return {"notice_date": "2026-04-30", "reference": "Alder Creek Municipal Code 13.08.030",
            "recipient": {"name": "Ana Ortiz", "street": "12 Oak Street", "unit": "", "city": "Alder Creek",
                          "state": "CA", "zip": "95620"},
            "account_number": account_number, "service_address": "12 Oak Street", "amount_due": "52.03",
            "due_date": "2026-05-29"}

