"""What the dashboard shows for one city date: the whole-city figures as kept (engine.office_figures), the day's
payments, the open cases and the last sweeps read live."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from engine.city import get_city
from engine.money.ledger.order import payment_orders
from engine.office_counts import work_out
from engine.office_figures import ALWAYS_LIVE, CityFigures, shown_as_kept
from engine.store.models import Case, Payment, SweepRun
from engine.store.office_figures import keep_figures, kept_figures
from webapp.background import written_from_page


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
    aging: dict[str, int]  # every account's aging today, by bucket (cents)
    aging_words: tuple[str, ...]  # the buckets' names by the payment order in force today ("1–30 days", ..)
    collected: list[tuple[date, int]]  # payments booked on each of the last 30 days (cents, returns not netted)
    figures_as_of: datetime | None  # when the whole-city figures were worked out; None: counted at this view


def open_cases(session: Session) -> list[tuple[str, str, int]]:
    """Open cases counted by workflow and state."""
    rows = session.execute(select(Case.workflow_id, Case.state, func.count())
                           .where(Case.closed_at.is_(None))
                           .group_by(Case.workflow_id, Case.state)
                           .order_by(Case.workflow_id, Case.state))
    return [(workflow, state, count) for workflow, state, count in rows]


def paid_on(day: date) -> Select:
    """The count and sum (cents) of the payments received on a day and still posted (through their day's index)."""
    return select(func.count(), func.coalesce(func.sum(Payment.amount_cents), 0)).where(
        Payment.received_on == day, Payment.status == "posted")


def city_figures(session: Session, today: date, now: datetime) -> tuple[CityFigures, bool]:
    """The whole-city figures for today and whether they are kept ones: those kept when fresh enough, else worked out
    now (and kept, unless the city counts live at every view)."""
    every = get_city(session).dashboard_figures_seconds
    if every == ALWAYS_LIVE:
        return work_out(session, today, now)[0], False
    kept = kept_figures(session, today)
    if kept is not None and shown_as_kept(kept.worked_out_at, now, every):
        return kept, True
    figures, took_ms = work_out(session, today, now)  # a new day, a new city, or the scheduler stopped
    written_from_page(lambda: keep_figures(session, figures, took_ms))
    return figures, True


def office_summary(session: Session, today: date, now: datetime) -> OfficeSummary:
    """Everything the dashboard shows, as of the city's date `today` at the moment `now`."""
    figures, kept = city_figures(session, today, now)
    payments, payments_cents = session.execute(paid_on(today)).one()
    return OfficeSummary(
        active_accounts=figures.active_accounts,
        past_due_accounts=figures.past_due_accounts,
        businesses=figures.businesses,
        active_licenses=figures.active_licenses,
        open_cases=open_cases(session),
        recent_sweeps=list(session.scalars(select(SweepRun).order_by(SweepRun.started_at.desc(),
                                                                     SweepRun.id.desc()).limit(5))),
        payments_today=payments,
        payments_today_cents=int(payments_cents),
        aging=figures.aging,
        aging_words=payment_orders(session).on(today).bucket_words(),
        collected=figures.collected,
        figures_as_of=figures.worked_out_at if kept else None,
    )
