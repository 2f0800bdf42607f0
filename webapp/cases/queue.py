"""Reading the work queue: open cases counted by workflow and state, and one page of a filtered list.

The list pages by case id (the next page starts after the last id shown), which the
(workflow_id, state) index serves without counting rows it skips.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.store.models import Business, Case, Customer, License, UtilityAccount

PAGE = 50


@dataclass(frozen=True)
class QueueRow:
    """One case in the list, with what it is about in words."""

    case: Case
    subject_label: str
    subject_name: str
    account_number: str | None
    license_number: str | None


def counts(session: Session) -> list[tuple[str, str, int]]:
    """Open cases counted by workflow and state."""
    rows = session.execute(select(Case.workflow_id, Case.state, func.count()).where(Case.closed_at.is_(None))
                           .group_by(Case.workflow_id, Case.state).order_by(Case.workflow_id, Case.state))
    return [(workflow, state, count) for workflow, state, count in rows]


def page_of(session: Session, *, workflow: str | None, state: str | None, closed: bool, after: int,
            size: int = PAGE) -> list[QueueRow]:
    """One page of cases (oldest first) after the case id `after`, filtered by workflow and state."""
    query = select(Case).where(Case.id > after)
    if workflow:
        query = query.where(Case.workflow_id == workflow)
    if state:
        query = query.where(Case.state == state)
    query = query.where(Case.closed_at.is_not(None) if closed else Case.closed_at.is_(None))
    cases = list(session.scalars(query.order_by(Case.id).limit(size)))
    return _with_subjects(session, cases)


def _with_subjects(session: Session, cases: list[Case]) -> list[QueueRow]:
    """The cases with their account (number, customer) or license (number, business) named."""
    account_ids = {c.account_id for c in cases if c.account_id}
    license_ids = {c.license_id for c in cases if c.license_id}
    accounts = {row.id: (row.number, row.name) for row in session.execute(
        select(UtilityAccount.id, UtilityAccount.number, Customer.name).join(Customer)
        .where(UtilityAccount.id.in_(account_ids)))} if account_ids else {}
    licenses = {row.id: (row.number, row.name) for row in session.execute(
        select(License.id, License.number, Business.name).join(Business)
        .where(License.id.in_(license_ids)))} if license_ids else {}
    rows = []
    for case in cases:
        if case.license_id:
            number, name = licenses.get(case.license_id, ("", ""))
            rows.append(QueueRow(case, f"License {number}", name, None, number))
        else:
            number, name = accounts.get(case.account_id, ("", ""))
            rows.append(QueueRow(case, f"Account {number}", name, number, None))
    return rows


def subject_of(session: Session, case_view: dict) -> QueueRow | None:
    """The subject of one case (as show_case describes it), named."""
    case = session.get(Case, case_view["id"])
    return _with_subjects(session, [case])[0] if case is not None else None
