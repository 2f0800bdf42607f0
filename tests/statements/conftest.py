"""A small sample city whose cycle A is billed for November 2026 by a billing run, and that run's statements.

Loaded once per module: the sample city as of 2026-11-24 (tests/demo), a reads file made from
each active cycle-A account's latest read, `run_billing` for 2026-11, then `mail_statements`.
"""
from __future__ import annotations

import random
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from engine.money.billing import parse_reads, run_billing
from engine.reads import review
from engine.rules.library import RuleLibrary
from engine.statements.batch import StatementRun, mail_statements
from engine.store.db import make_sessionmaker
from engine.store.models import Bill, Customer, MeterRead, UtilityAccount
from engine.workflow.services import Catalog
from tests.conftest import REPO
from tests.demo.conftest import city_rules, empty_database, load  # noqa: F401  (fixtures)

CYCLE, PERIOD = "A", "2026-11"
READ_ON = date(2026, 10, 27)
BILLED_AS_OF = date(2026, 11, 1)
NOW = datetime(2026, 11, 1, 16, 0, tzinfo=timezone.utc)


@dataclass
class BilledCity:
    """The city's engine, its rules, the billing run's report and the statements it made."""

    engine: Engine
    library: RuleLibrary
    billed: int
    run: StatementRun


def reads_csv(engine: Engine, seed: int = 7) -> list[str]:
    """A reads file for cycle A: each active account's latest reading plus a few CCF."""
    rng = random.Random(seed)
    lines = ["account_number,read_on,reading"]
    with make_sessionmaker(engine)() as session:
        accounts = session.execute(select(UtilityAccount.id, UtilityAccount.number).where(
            UtilityAccount.cycle == CYCLE, UtilityAccount.status == "active").order_by(UtilityAccount.number)).all()
        for account in accounts:
            latest = session.scalar(select(MeterRead.reading).where(MeterRead.account_id == account.id)
                                    .order_by(MeterRead.read_on.desc()).limit(1))
            if latest is not None:
                lines.append(f"{account.number},{READ_ON.isoformat()},{latest + rng.randint(0, 25)}")
    return lines


@pytest.fixture(scope="module")
def billed_city(empty_database: Callable[[], Engine], city_rules: Catalog,  # noqa: F811
                tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> BilledCity:
    """The sample city, cycle A billed for 2026-11 by a billing run, and the run's statements PDF.

    A module may set ACCOUNTS for a bigger city (the lockbox test wants over 100 bills with something due).
    """
    engine = empty_database()
    load(engine, city_rules, accounts=getattr(request.module, "ACCOUNTS", 160))
    sessions = make_sessionmaker(engine)
    rows, problems = parse_reads(reads_csv(engine))
    assert not problems
    report = run_billing(sessions, city_rules.rules, cycle=CYCLE, period=PERIOD, rows=rows, as_of=BILLED_AS_OF,
                         now=NOW)
    # The reads the review holds (zero use, a jump) are accepted as a clerk would, then billed from the store.
    with sessions() as session, session.begin():
        for held in review.exceptions(session, PERIOD, CYCLE, missing=False):
            review.accept(session, held.read_id, actor="test", now=NOW)
    reviewed = run_billing(sessions, city_rules.rules, cycle=CYCLE, period=PERIOD, rows=None, as_of=BILLED_AS_OF,
                           now=NOW)
    assert report.billed + reviewed.billed == len(rows) and not report.problems + reviewed.problems, report.problems
    folder = tmp_path_factory.mktemp("statements")
    with sessions() as session, session.begin():
        made = mail_statements(session, city_rules.rules, cycle=CYCLE, period=PERIOD, folder=folder, now=NOW,
                               actor="test")
    return BilledCity(engine, city_rules.rules, report.billed + reviewed.billed, made)


def mailing_order(city: BilledCity) -> list[tuple[str, str, int]]:
    """(account number, language, bill id) of each bill of the run, in the PDF's order (ZIP, then account)."""
    with make_sessionmaker(city.engine)() as session:
        return [tuple(row) for row in session.execute(
            select(UtilityAccount.number, Customer.language, Bill.id)
            .join(UtilityAccount, UtilityAccount.id == Bill.account_id)
            .join(Customer, Customer.id == UtilityAccount.customer_id)
            .where(Bill.cycle == CYCLE, Bill.period == PERIOD)
            .order_by(Customer.mailing_zip, UtilityAccount.number))]


def page_text(pdf: Path, page: int, *, layout: bool = True) -> str:
    """pdftotext of one page of a PDF (1-based)."""
    args = ["pdftotext", "-f", str(page), "-l", str(page)] + (["-layout"] if layout else []) + [str(pdf), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def pages_text(pdf: Path) -> list[str]:
    """pdftotext of a whole PDF, page by page."""
    done = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    return done.stdout.split("\f")[:-1]


def flat(text: str) -> str:
    """Text with every run of white space made one space."""
    return " ".join(text.split())


__all__ = ["BilledCity", "CYCLE", "PERIOD", "REPO", "billed_city", "city_rules", "empty_database", "flat", "mailing_order",
           "page_text", "pages_text"]
