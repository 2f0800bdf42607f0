"""What the dashboard counts, read straight from the database for one city date."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from engine.store.models import Business, Case, LedgerEntry, License, Payment, SweepRun, UtilityAccount


@dataclass(frozen=True)
class OfficeSummary:
    """The day at a glance: counts of accounts, businesses, licenses, cases, sweeps, payments."""

    active_accounts: int
    past_due_accounts: int
    businesses: int
    active_licenses: int
    open_cases: list[tuple[str, str, int]]  # (workflow, state, count)
    recent_sweeps: list[SweepRun]
    payments_today: int
    payments_today_cents: int


def past_due_accounts(session: Session, today: date) -> int:
    """Accounts whose charges due before today exceed every payment and credit they have."""
    # Credits pay the oldest charges first, so an account is past due exactly when what fell
    # due before today is more than all its credits together.
    owed = func.sum(case((LedgerEntry.amount_cents < 0, LedgerEntry.amount_cents),
                         (func.coalesce(LedgerEntry.due_on, LedgerEntry.effective_on) < today,
                          LedgerEntry.amount_cents),
                         else_=0))
    per_account = (select(LedgerEntry.account_id).group_by(LedgerEntry.account_id)
                   .having(owed > 0).subquery())
    return session.scalar(select(func.count()).select_from(per_account)) or 0


def open_cases(session: Session) -> list[tuple[str, str, int]]:
    """Open cases counted by workflow and state."""
    rows = session.execute(select(Case.workflow_id, Case.state, func.count())
                           .where(Case.closed_at.is_(None))
                           .group_by(Case.workflow_id, Case.state)
                           .order_by(Case.workflow_id, Case.state))
    return [(workflow, state, count) for workflow, state, count in rows]


def office_summary(session: Session, today: date) -> OfficeSummary:
    """Everything the dashboard shows, as of the city's date `today`."""
    count = lambda query: session.scalar(query) or 0  # noqa: E731
    paid_today = select(func.count(), func.coalesce(func.sum(Payment.amount_cents), 0)).where(
        Payment.received_on == today, Payment.status == "posted")
    payments, payments_cents = session.execute(paid_today).one()
    return OfficeSummary(
        active_accounts=count(select(func.count()).where(UtilityAccount.status == "active")),
        past_due_accounts=past_due_accounts(session, today),
        businesses=count(select(func.count()).select_from(Business)),
        active_licenses=count(select(func.count()).where(License.status == "active")),
        open_cases=open_cases(session),
        recent_sweeps=list(session.scalars(select(SweepRun).order_by(SweepRun.started_at.desc(),
                                                                     SweepRun.id.desc()).limit(5))),
        payments_today=payments,
        payments_today_cents=int(payments_cents),
    )
