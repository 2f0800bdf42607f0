"""A cycle's billing run as the Billing page and `ordinance billing run` make it: whether it may start, what it
would bill, and the run itself with its leak letters.

A run may bill a cycle the city has (one its calendar gives a bill day, or one its accounts
are in) for a month up to the one of the cycle's next bill day: on December 7 cycle A (bill
day 1) may bill January, not February; without a calendar timeline, up to next month. What
the run would bill is counted by the functions the run itself uses: the reviewed reads not
billed yet (`engine.money.billing.reviewed_reads`), the reads held and the accounts with no
read (`engine.reads.review.exceptions`). The reads ready are summed up in a stamp, so a run
asked for on figures that have changed since they were shown (a second press of the button
after the run billed them) is refused. Nothing here commits or reads the clock.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from engine.accounts.read_letters import leak_letters
from engine.money.billing import BillingError, BillingReport, billing_dates, billing_policy, check_period, \
    reviewed_reads, run_billing
from engine.reads import review
from engine.reads.review import ReadRow
from engine.rules.months import period_months_later, period_words
from engine.store.models import Bill, Notice, UtilityAccount


class RunRefused(ValueError):
    """A billing run that may not start as asked; the message says why in the clerk's words (a day ISO: the page
    writes it in the city's style)."""


@dataclass(frozen=True)
class Outlook:
    """What a cycle's run for a month would bill today, and what it would leave."""

    cycle: str
    period: str
    ready: int  # reviewed reads (accepted or estimated) with no bill yet: what the run bills
    held: int  # reads waiting for a clerk (to review) or a reread
    missing: int  # active accounts with no read for the month
    billed: int  # bills in force of the cycle's month already
    billed_on: date
    due_on: date
    dates_how: str
    stamp: str  # the reads ready, in short

    @property
    def may_run(self) -> bool:
        """Whether a run would bill anything."""
        return self.ready > 0




def _timeline_bill_day(library, cycle: str, period: str, on: date) -> date | None:
    """The cycle's bill day in the month by the calendar the billing document names; None without one."""
    from engine.rules.calendar import city_calendar
    from engine.rules.errors import EvaluationError
    policy = billing_policy(library, on)
    try:
        return city_calendar(library.get(policy.calendar)).bill_date(cycle, period)[0] if policy.calendar else None
    except (EvaluationError, LookupError):
        return None


def city_cycles(session: Session, library, period: str, today: date) -> list[str]:
    """The cycles the city has for the month: those its calendar gives a bill day, and those its accounts are in."""
    from engine.rules.calendar import city_calendar
    from engine.rules.errors import EvaluationError
    found = set(session.scalars(select(UtilityAccount.cycle).distinct()))
    policy = billing_policy(library, today)
    try:
        if policy.calendar:
            found |= set(city_calendar(library.get(policy.calendar)).version_on(check_period(period)).cycles)
    except (EvaluationError, LookupError):
        pass
    return sorted(found)


def latest_period(library, cycle: str, today: date) -> str:
    """The latest month a run may bill today: the month of the cycle's next bill day (without one, next month)."""
    this_month = today.strftime("%Y-%m")
    bill_day = _timeline_bill_day(library, cycle, this_month, today)
    return this_month if bill_day is not None and bill_day >= today else period_months_later(this_month, 1)


def check_run(session: Session, library, cycle: str, period: str, today: date) -> None:
    """Nothing when a run may bill the cycle's month today; else RunRefused saying why."""
    try:
        check_period(period)
        cycles = city_cycles(session, library, period, today)
    except BillingError as bad:
        raise RunRefused(f"{bad}") from None
    if cycle not in cycles:
        raise RunRefused(f"the city has no billing cycle {cycle!r} (its cycles: {', '.join(cycles) or 'none yet'})")
    latest = latest_period(library, cycle, today)
    if period > latest:
        raise RunRefused(f"{period_words(period)} is too far ahead: on {today.isoformat()} cycle "
                         f"{cycle} may be billed up to {period_words(latest)} (the month of its next bill day by the "
                         "city's calendar)")


def ready_stamp(rows: list[ReadRow]) -> str:
    """The reads ready to bill in short: their count and a digest of their ids."""
    ids = ",".join(str(row.line) for row in sorted(rows, key=lambda row: row.line))
    return f"{len(rows)}-{hashlib.sha256(ids.encode()).hexdigest()[:16]}"


def billed_count(session: Session, cycle: str, period: str) -> int:
    """The bills in force of the cycle's month."""
    return session.scalar(select(func.count(Bill.id)).where(Bill.cycle == cycle, Bill.period == period,
                                                           Bill.cancelled_on.is_(None))) or 0


def outlook(session: Session, library, cycle: str, period: str, today: date) -> Outlook:
    """What the run would bill today (RunRefused when it may not start): reads ready, held, missing; its dates."""
    check_run(session, library, cycle, period, today)
    ready = reviewed_reads(session, cycle, period)
    left = review.exceptions(session, period, cycle)
    missing = sum(1 for item in left if item.read_id is None)
    billed_on, due_on, how = billing_dates(library, cycle, period, today)
    return Outlook(cycle, period, len(ready), len(left) - missing, missing, billed_count(session, cycle, period),
                   billed_on, due_on, how, ready_stamp(ready))


def bill_cycle(sessions: sessionmaker[Session], library, *, cycle: str, period: str, rows: list[ReadRow] | None,
               as_of: date, now: datetime, chunk: int = 2000,
               progress: Callable[[int], None] | None = None) -> tuple[BillingReport, list[Notice]]:
    """The billing run (engine.money.billing.run_billing), then the leak letters of the reads the rules accepted at
    the leak factor, in one transaction; the report and the letters."""
    report = run_billing(sessions, library, cycle=cycle, period=period, rows=rows, as_of=as_of, now=now,
                         chunk=chunk, progress=progress)
    letters: list[Notice] = []
    if report.leaks:
        with sessions() as session, session.begin():
            letters = leak_letters(session, library, report.leaks, as_of)
    return report, letters
