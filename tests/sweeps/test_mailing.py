"""The night's mailings read back with pdftotext: each page the right person, amount, dates, citation and language."""
from __future__ import annotations

import subprocess
from pathlib import Path

from sqlalchemy import select

from engine.notices.formats import money
from engine.notices.languages import discover
from engine.store.models import Notice, NoticeBatch
from engine.sweeps.mailing import Mailer, render_notice
from tests.sweeps.conftest import REPO, sweep

TEMPLATES = REPO / "templates" / "notices"


def long_date(value: str, language: str) -> str:
    """A date as the language's words file spells it."""
    return discover(TEMPLATES).language(language).day(value)

# A sentence each language's reminder says and the other's does not.
SAYS = {"en": "If you have already paid, thank you", "es": "Si ya pagó, le damos las gracias"}


def page_text(pdf: Path | bytes, page: int) -> str:
    """One page's words, whitespace made single spaces."""
    source = ["-"] if isinstance(pdf, bytes) else [str(pdf)]
    done = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), *source, "-"],
                          input=pdf if isinstance(pdf, bytes) else None, capture_output=True, check=True)
    return " ".join(done.stdout.decode("utf-8").split())


def pages(pdf: Path) -> int:
    """How many pages the PDF has."""
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, check=True).stdout.decode()
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def assert_page_is(text: str, notice: Notice) -> None:
    """The page prints the notice's recipient, amount, dates, citation and language."""
    data, language = notice.data, notice.language
    assert data["recipient"]["name"] in text
    assert money(data["amount_due"]) in text
    assert long_date(data["due_date"], language) in text
    assert long_date(data["notice_date"], language) in text
    assert " ".join(data["reference"].split()) in text
    assert "City of Alder Creek" in text
    assert SAYS[language] in text
    assert SAYS["es" if language == "en" else "en"] not in text


def test_the_nights_reminders_are_one_mailing_with_each_notice_on_its_own_page(committing_db, catalog, city,
                                                                                tmp_path):
    """Ten reminders, two in Spanish: one PDF, page n is the run's n-th reminder, and the batch is recorded."""
    outcome = sweep(committing_db, catalog, mailer=Mailer(TEMPLATES, tmp_path / "notices"))
    pdf = tmp_path / "notices" / "2026-04-30" / "delinquency-past-due-reminder.pdf"
    assert outcome.report["mailings"] == [{"notice_type": "past-due-reminder", "count": 10, "pdf": str(pdf)}]
    with committing_db() as session:
        notices = session.scalars(select(Notice).order_by(Notice.id)).all()
        [batch] = session.scalars(select(NoticeBatch)).all()
        assert (batch.sweep_run_id, batch.notice_type, batch.count) == (outcome.run_id, "past-due-reminder", 10)
        assert {n.batch_id for n in notices} == {batch.id}
        assert pages(pdf) == 10
        for number, notice in enumerate(notices, start=1):
            assert_page_is(page_text(pdf, number), notice)
        assert sorted(n.language for n in notices).count("es") == 2
        spanish = next(n for n in notices if n.language == "es")
        single = render_notice(session, spanish.id)
        assert_page_is(page_text(single, 1), spanish)


def test_a_second_run_renders_nothing_again(committing_db, catalog, city, tmp_path):
    """The mailing is made once, when the run finishes; a repeat run is a no-op."""
    mailer = Mailer(TEMPLATES, tmp_path / "notices")
    sweep(committing_db, catalog, mailer=mailer)
    again = sweep(committing_db, catalog, mailer=mailer)
    assert again.status == "already_done"
    with committing_db() as session:
        assert len(session.scalars(select(NoticeBatch)).all()) == 1
