"""Fixtures for workflow tests: the sample city's rules and workflows, staff users, ledger helpers."""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.money import ledger
from engine.store.models import AuditEntry, CaseEvent, User
from engine.workflow.services import Catalog
from tests.factories import NOW
from samplecity.city import APPROVAL_ROLE_IDS

REPO = Path(__file__).resolve().parents[2]

STAFF = (("carla", "clerk"), ("colin", "clerk"), ("sam", "supervisor"), ("sofia", "supervisor"), ("ada", "admin"))


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    """The sample city's rules/ and workflows/."""
    return Catalog.load(REPO / "rules", REPO / "workflows", APPROVAL_ROLE_IDS)


def add_staff(session: Session) -> None:
    """Two clerks, two supervisors and an administrator."""
    for username, role in STAFF:
        session.add(User(username=username, full_name=username.title(), role=role, password_hash="-",
                         created_at=NOW))
    session.flush()


@pytest.fixture()
def staff(db: Session) -> None:
    """The staff users in the test's database."""
    add_staff(db)


def at(day: date) -> datetime:
    """Five in the afternoon (UTC) of a day: the `now` of a step taken that day."""
    return datetime.combine(day, time(17, 0), tzinfo=timezone.utc)


def charge(session: Session, account_id: int, amount: str, *, on: date, due_on: date, service: str = "water") -> None:
    """A bill charge of one service (water unless said) posted on a day and due on another."""
    ledger.post_charge(session, account_id, Decimal(amount), on=on, due_on=due_on, now=at(on), actor="billing",
                       description=f"{service.capitalize()} service", service=service)


def pay(session: Session, account_id: int, amount: str, *, on: date) -> None:
    """A payment received on a day (an adjustment credit stands in for the counter)."""
    ledger.post(session, account_id=account_id, kind="payment", amount=-Decimal(amount), on=on, now=at(on),
                actor="carla", description="Payment (cash, counter)", reference=f"test-{on}")


def events_and_audits(session: Session, case_id: int) -> tuple[list[CaseEvent], list[AuditEntry]]:
    """A case's events, and the case audit rows written for it."""
    events = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)).all()
    audits = session.scalars(select(AuditEntry).where(AuditEntry.subject_type == "case",
                                                      AuditEntry.subject_id == str(case_id))
                             .order_by(AuditEntry.id)).all()
    return list(events), list(audits)


def assert_every_step_audited(session: Session, case_id: int) -> None:
    """One case event per state change, and one audit row per event, pointing at it."""
    events, audits = events_and_audits(session, case_id)
    assert [a.detail["event_id"] for a in audits] == [e.id for e in events]
    assert [(a.detail["from"], a.detail["to"]) for a in audits] == [(e.from_state, e.to_state) for e in events]
