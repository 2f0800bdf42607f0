"""The sample city left 200 days without a sweep, then caught up and run the next night: every letter lawful.

The city is loaded as of 2026-11-24 and nothing runs until the scheduler starts again on
2027-06-12 (a Saturday): the nights the schedule looks back over are caught up, oldest
first, then 2027-06-12 itself runs, and the next night 2027-06-13. Each mailed notice is
read back from its sheet of the mailing PDF with pdftotext: every date on it falls on or
after the day it was mailed and gives at least the calendar's own notice period, and every
amount on it is what the ledger says for that account that day (the balance, or a fee
posted that day), summed from the ledger's rows, never taken from the notice's own data.
"""
from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from engine.audit_checkpoints import CheckpointWriter
from engine.money.ledger import standing
from engine.notices.languages import discover
from engine.rules.calendar import city_calendar
from engine.store.db import make_engine, make_sessionmaker
from engine.store.models import LedgerEntry, Notice, NoticeBatch, NoticePdf, SweepRun, UtilityAccount
from engine.store.schema import upgrade
from engine.sweeps.mailing import Mailer
from engine.sweeps.registry import get_sweep
from engine.sweeps.runner import run_sweep
from engine.sweeps.scheduler import catch_up, load_schedule
from engine.workflow.services import Catalog
from samplecity.loader import load_demo
from tests.conftest import REPO, _fresh_postgres_database, _postgres_url
from samplecity.city import APPROVAL_ROLE_IDS

LOADED = date(2026, 11, 24)
BACK = LOADED + timedelta(days=200)  # 2027-06-12, a Saturday
NEXT = BACK + timedelta(days=1)
KEY = b"alder-creek-test-audit-key-32-by"
_SPELLED = discover(Path(__file__).resolve().parents[2] / "templates" / "notices")
MONTHS_EN, MONTHS_ES = _SPELLED.language("en").months, _SPELLED.language("es").months
DATE = re.compile(rf"({'|'.join(MONTHS_EN)}) (\d{{1,2}}), (\d{{4}})"
                  rf"|(\d{{1,2}}) de ({'|'.join(MONTHS_ES)}) de (\d{{4}})")
MONEY = re.compile(r"\$([\d,]+\.\d\d)")


def noon(day: date) -> datetime:
    """Noon in the city (19:00 UTC in summer): every sweep of that night is due by then."""
    return datetime.combine(day, time(19, 0), tzinfo=timezone.utc)


@dataclass(frozen=True)
class Outage:
    """The city after the catch-up and the next night: its sessions, its rules, and the runs, oldest first."""

    sessions: sessionmaker[Session]
    catalog: Catalog
    runs: list[SweepRun]


@pytest.fixture(scope="module")
def outage(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Outage]:
    """Load 250 accounts, let them sit 200 days, catch up on 2027-06-12 with mailings, then run 2027-06-13."""
    pg, drop = _postgres_url(), None
    folder = tmp_path_factory.mktemp("outage")
    url = f"sqlite:///{folder / 'city.db'}"
    if pg:
        url, drop = _fresh_postgres_database(pg)
    engine = make_engine(url)
    upgrade(engine)
    catalog = Catalog.load(REPO / "rules", REPO / "workflows", APPROVAL_ROLE_IDS)
    load_demo(engine, catalog, accounts=250, licenses=40, seed=2026, as_of=LOADED,
              now=datetime.combine(LOADED, time(17, 30), tzinfo=timezone.utc))
    sessions = make_sessionmaker(engine)
    mailer = Mailer(REPO / "templates" / "notices", folder / "notices")

    def run(sweep: str, night: date, today: date) -> None:
        """A scheduled run: the night, on the city's date, with its mailings and the audit checkpoint."""
        run_sweep(sessions, get_sweep(sweep), as_of=night, today=today, clock=lambda: noon(today),
                  runner="scheduler", services=catalog, mailer=mailer, checkpoint=CheckpointWriter(KEY))

    schedule = load_schedule(REPO / "schedule.yaml")
    assert catch_up(sessions, schedule, noon(BACK), run)[0][1] < BACK
    catch_up(sessions, schedule, noon(NEXT), run)
    with sessions() as session:
        runs = list(session.scalars(select(SweepRun).order_by(SweepRun.as_of, SweepRun.id)))
    yield Outage(sessions, catalog, runs)
    engine.dispose()
    if drop:
        drop()


def page_text(pdf: bytes) -> str:
    """A notice's sheet as pdftotext reads it, whitespace made single spaces."""
    done = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(done.stdout.decode("utf-8").split())


def dates_on(text: str) -> list[date]:
    """Every date printed on a page, English or Spanish."""
    found = []
    for en_month, en_day, en_year, es_day, es_month, es_year in DATE.findall(text):
        if en_month:
            found.append(date(int(en_year), MONTHS_EN.index(en_month) + 1, int(en_day)))
        else:
            found.append(date(int(es_year), MONTHS_ES.index(es_month) + 1, int(es_day)))
    return found


def cents_on(text: str) -> set[int]:
    """Every amount of money printed on a page, in cents."""
    return {int(amount.replace(",", "").replace(".", "")) for amount in MONEY.findall(text)}


def mailed(outage: Outage) -> list[tuple[str, date, str]]:
    """(notice type, the night it was mailed, the text of its sheet) of every notice mailed since the load."""
    with outage.sessions() as session:
        rows = session.execute(select(NoticeBatch.notice_type, SweepRun.as_of, NoticePdf.pdf)
                               .join(SweepRun, SweepRun.id == NoticeBatch.sweep_run_id)
                               .join(NoticePdf, NoticePdf.batch_id == NoticeBatch.id)
                               .where(SweepRun.as_of > LOADED).order_by(NoticePdf.notice_id)).all()
    return [(notice_type, night, page_text(pdf)) for notice_type, night, pdf in rows]


def ledger_on(session: Session, account_id: int, day: date) -> tuple[int, set[int]]:
    """The account's balance on the day and the fees posted that day, in cents, summed from the ledger's rows."""
    balance = session.scalar(select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0)).where(
        LedgerEntry.account_id == account_id, LedgerEntry.effective_on <= day))
    fees = set(session.scalars(select(LedgerEntry.amount_cents).where(
        LedgerEntry.account_id == account_id, LedgerEntry.kind == "fee", LedgerEntry.effective_on == day)))
    return balance, fees


def least_dates(outage: Outage, notice_type: str, night: date) -> date:
    """The earliest last date the calendar allows a notice mailed that night: the timeline counted from it.

    The reminder goes out with the late fee and names the shut-off notice day (the timeline puts
    it 49 days after the late fee); the shut-off notice names the shut-off (7 office days to the
    door hanger, 2 days more on a shut-off day).
    """
    calendar = city_calendar(outage.catalog.rules.get("city-calendar"))
    timeline = dict(calendar.version_on(night).timeline)
    if notice_type == "past-due-reminder":
        return night + timedelta(days=int(timeline["shutoff_notice"]["days"]) - int(timeline["late_fee"]["days"]))
    door_hanger, _ = calendar.count(night, timeline["door_hanger"])
    shutoff, _ = calendar.count(door_hanger, timeline["shutoff"])
    return shutoff


def test_the_nights_caught_up_mailed_nothing_and_said_what_they_held(outage):
    """Every night before 2027-06-12 ran on that day: no notice, no fee, and a line per case held back."""
    caught_up = [run for run in outage.runs if run.as_of < BACK]
    assert caught_up and {run.report["caught_up_on"] for run in caught_up} == {BACK.isoformat()}
    assert all(run.report["notices"] == {} and run.report["fees"] == {} for run in caught_up)
    held = [line for run in caught_up for line in run.report["exceptions"]]
    assert held and {line["kind"] for line in held} == {"caught_up"}
    assert all(line["subject"].startswith("account ") for line in held)
    with outage.sessions() as session:
        assert session.scalars(select(Notice.created_on).where(Notice.created_on > LOADED)).all()
        assert set(session.scalars(select(Notice.created_on).where(Notice.created_on > LOADED))) <= {BACK, NEXT}
        assert not session.scalars(select(LedgerEntry).where(
            LedgerEntry.kind == "fee", LedgerEntry.effective_on > LOADED, LedgerEntry.effective_on < BACK)).all()


def test_the_night_it_came_back_mails_the_held_notices_at_most_one_an_account(outage):
    """2027-06-12 mails reminders and shut-off notices, one per account; the next night finds nothing left to mail."""
    tonight = [run for run in outage.runs if run.as_of == BACK and run.sweep == "delinquency"][0].report
    assert tonight["notices"] and "caught_up_on" not in tonight
    assert {line["kind"] for line in tonight["exceptions"]} <= {"re_dated"}
    with outage.sessions() as session:
        per_account = session.execute(select(Notice.subject_id, func.count()).where(Notice.created_on == BACK)
                                      .group_by(Notice.subject_id)).all()
    assert per_account and {count for _account, count in per_account} == {1}


def test_every_notice_mailed_is_dated_from_its_night_and_adds_up_to_the_ledger(outage):
    """Read from the PDFs: dates on or after the mailing night and at least the calendar's notice period; the
    amount due is the ledger's balance that day and every other amount a fee the ledger posted that day, or what
    the ledger has past due of a service that day (the late fees are of the service fees)."""
    letters = mailed(outage)
    assert {notice_type for notice_type, _night, _text in letters} == {"past-due-reminder", "shutoff-notice"}
    with outage.sessions() as session:
        accounts = dict(session.execute(select(UtilityAccount.number, UtilityAccount.id)).all())
        for notice_type, night, text in letters:
            [number] = {token for token in re.findall(r"\b[\w-]+\b", text) if token in accounts}
            printed = dates_on(text)
            assert min(printed) >= night, (number, notice_type, printed)
            assert max(printed) >= least_dates(outage, notice_type, night), (number, notice_type, printed)
            balance, fees = ledger_on(session, accounts[number], night)
            amounts = cents_on(text)
            assert balance in amounts, (number, notice_type, balance, amounts)
            by_service = set(standing(session, accounts[number], night).past_due_by_service().values())
            assert amounts <= {balance} | fees | by_service, (number, notice_type, balance, fees, amounts)
