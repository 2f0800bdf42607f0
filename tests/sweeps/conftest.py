"""Fixtures for sweep tests: a small committed city on its own database, and ways to compare two databases."""
from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.money import ledger
from engine.store.models import Case, CaseEvent, LedgerEntry, Notice
from engine.sweeps.registry import get_sweep
from engine.sweeps.runner import SweepContext, run_sweep
from engine.workflow.services import Catalog
from tests.factories import create_account, create_customer, create_property, save_city
from samplecity.city import APPROVAL_ROLE_IDS

REPO = Path(__file__).resolve().parents[2]
BILLED, DUE = date(2026, 4, 8), date(2026, 4, 29)  # cycle B's April 2026 bill
NIGHT = date(2026, 4, 30)  # the first night the unpaid April bills are past due


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    """The sample city's rules/ and workflows/."""
    return Catalog.load(REPO / "rules", REPO / "workflows", APPROVAL_ROLE_IDS)


def at(day: date) -> datetime:
    """Two in the morning, Pacific, of a day (10:00 UTC): when the nightly sweep runs."""
    return datetime.combine(day, time(10, 0), tzinfo=timezone.utc)


def charge(session: Session, account_id: int, amount: str, *, on: date = BILLED, due_on: date = DUE,
           service: str = "water") -> None:
    """A bill of one service (water unless said) charged on a day and due on another."""
    ledger.post_charge(session, account_id, Decimal(amount), on=on, due_on=due_on, now=at(on), actor="billing",
                       description=f"{service.capitalize()} service", service=service)


def pay(session: Session, account_id: int, amount: str, *, on: date) -> None:
    """A payment at the counter."""
    ledger.post(session, account_id=account_id, kind="payment", amount=-Decimal(amount), on=on, now=at(on),
                actor="carla", description="Payment (cash, counter)", reference=f"test-{account_id}-{on}")


def build_city(session: Session, accounts: int, *, billed: date = BILLED, due: date = DUE) -> list[int]:
    """`accounts` cycle B accounts with one bill each: two in three paid on time, the rest owing; ids in order.

    Every fifth owing customer reads Spanish; every fourth owing account paid part of its bill.
    """
    save_city(session)  # the details every notice prints
    ids = []
    for n in range(accounts):
        owing = n % 3 == 2
        customer = create_customer(session, name=f"Customer {n:04d}", phone=f"530-555-{n:04d}",
                                   mailing_street=f"{100 + n} Oak Street",
                                   language="es" if owing and n % 5 == 0 else "en")
        place = create_property(session, owner=customer, parcel=f"P{n:09d}", service_address=f"{100 + n} Oak Street")
        account = create_account(session, customer=customer, property=place, cycle="B", number=f"B-{n:06d}")
        amount = f"{80 + n % 50}.{n % 100:02d}"
        charge(session, account.id, amount, on=billed, due_on=due)
        if not owing:
            pay(session, account.id, amount, on=due)
        elif n % 4 == 0:
            pay(session, account.id, "10.00", on=due)
        ids.append(account.id)
    return ids


@pytest.fixture()
def city(committing_db: sessionmaker[Session]) -> list[int]:
    """Thirty committed accounts, ten of them owing the April bill."""
    with committing_db() as session, session.begin():
        return build_city(session, 30)


@dataclass
class AfterEachChunk:
    """A sweep doing what the real one does, then `then(session, ctx)` in each chunk's own transaction (as a date a
    clerk typed, or a run resumed long after, leaves a notice's data)."""

    real: Any
    then: Callable[[Session, SweepContext], None]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def process_chunk(self, session: Session, ids: list[int], ctx: SweepContext) -> None:
        self.real.process_chunk(session, ids, ctx)
        self.then(session, ctx)


def sweep(factory: sessionmaker[Session], catalog: Catalog, on: date = NIGHT, name: str = "delinquency",
          today: date | None = None, **options):
    """Run a sweep for a night with a fixed clock, on that night's own date unless `today` says later."""
    today = today or on
    return run_sweep(factory, get_sweep(name), as_of=on, today=today, clock=lambda: at(today), runner="test",
                     services=catalog, **options)


def city_and_its_twin(committing_db: sessionmaker[Session], committing_url: str, twin: Path,
                      accounts: int) -> Path:
    """A city of `accounts` built in the test's SQLite database, and a copy of it at `twin` (the copy's twin run
    is what a run under test must match); the database's own path."""
    with committing_db() as session, session.begin():
        build_city(session, accounts)
    path = Path(committing_url.removeprefix("sqlite:///"))
    with sqlite3.connect(path) as source, sqlite3.connect(twin) as copy:
        source.backup(copy)  # the whole database, write-ahead log included
    return path


def outcome_of(factory: sessionmaker[Session]) -> dict[str, list]:
    """What sweeps leave behind, without ids or clock times: notices, sweep-posted entries, cases, events."""
    with factory() as session:
        subject = dict(session.execute(select(Case.id, Case.subject_id)).all())

        def notice_row(n: Notice) -> tuple:
            """A notice by its subject, not its ids."""
            return (n.subject_type, n.subject_id, n.notice_type, n.language, n.created_on.isoformat(),
                    {k: v for k, v in n.data.items() if k not in ("case_id",)})

        notices = sorted((notice_row(n) for n in session.scalars(select(Notice))), key=repr)
        fees = sorted((e.account_id, e.kind, e.amount_cents, e.effective_on.isoformat(), e.actor, e.rule_id,
                       e.rule_version, e.description) for e in session.scalars(
            select(LedgerEntry).where(LedgerEntry.actor.like("sweep:%"))))
        cases = sorted((c.workflow_id, c.subject_id, c.state, sorted(c.fields.items()) if c.fields else [],
                        c.closed_at is None) for c in session.scalars(select(Case)))
        events = sorted((subject[e.case_id], e.step, e.from_state, e.to_state, e.on_date.isoformat(), e.actor,
                         sorted(e.form.items()) if e.form else []) for e in session.scalars(select(CaseEvent)))
        return {"notices": notices, "fees": fees, "cases": [repr(c) for c in cases],
                "events": [repr(e) for e in events]}
