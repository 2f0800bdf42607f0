"""Kept balances after new charges: the kept standing moved on by the charges, not worked out again from the ledger.

The billing run posts a few charges on each of thousands of accounts (engine.money.ledger.bulk).
Working every one of them out again with `age()` from all its ledger rows cost more than any
other step of the run; yet the run knows each charge it adds. An account's new standing is its
kept one (engine.money.ledger.kept; no kept row: all zeros) with the charges added, exactly
what `age()` gives, when credits reach the new charges only after every debit already there:

- the account has no credit on or before the kept day (no entry below zero): nothing pays any
  debit, so each new charge is unpaid in full; or
- credits pay oldest due first (the payment order in force on the kept day names no services)
  and no entry of the account on or before the kept day is due after the earliest new charge
  (an entry without a due day: its own day): the credits pay the debits already there as
  before, and what is left of them (a credit balance) pays the new charges in their order.

A charge booked after the kept day is not in the kept standing, as `age()` leaves it out. Any
other account (credits that a new charge due earlier would draw away from an older debit, a
payment order by service), and one whose kept balance does not add up to its ledger, is
worked out again from its ledger, as before. The one ledger read that decides this sums
each account's rows in the database, under the same locks as `keep_balances`.
"""
from __future__ import annotations

from datetime import date
from typing import NamedTuple

from sqlalchemy import bindparam, case, func, select
from sqlalchemy.orm import Session

from engine.money.ledger import held, kept
from engine.money.ledger.aging import BUCKETS, SERVICE_SUMS, ServiceOwed, Standing, bucket_for
from engine.money.ledger.order import payment_orders
from engine.money.ledger.standing import standings
from engine.rules.services import CATCH_ALL
from engine.store.models import AccountBalance, LedgerEntry


class Charged(NamedTuple):
    """One new charge as the kept standing needs it: its account, cents, booking day, due day and service."""

    account_id: int
    cents: int
    on: date
    due_on: date
    service: str | None


# Per account, its rows on or before the kept day (the new charges among them): the sum, the lowest amount and the
# latest due day (its own day for an entry without one).
LEDGER_SUMS = (select(LedgerEntry.account_id, func.sum(LedgerEntry.amount_cents), func.min(LedgerEntry.amount_cents),
                      func.max(case((LedgerEntry.due_on.is_(None), LedgerEntry.effective_on),
                                    else_=LedgerEntry.due_on)))
               .where(LedgerEntry.account_id.in_(bindparam("ids", expanding=True)),
                      LedgerEntry.effective_on <= bindparam("day"))
               .group_by(LedgerEntry.account_id))
KEPT_ROWS = select(*AccountBalance.__table__.c).where(AccountBalance.account_id.in_(bindparam("ids", expanding=True)))


def keep_after_charges(session: Session, charges: list[Charged], *, on: date) -> None:
    """Keep the standing of each account charged (entries already inserted): moved on by its charges where that is
    exact, else worked out again from its ledger; written as `keep_balances` writes them."""
    ids = sorted({charge.account_id for charge in charges})
    if not ids:
        return
    kept._lock_day(session, exclusive=False)
    day = kept._day_to_keep(session, on)
    if day is None:
        return
    kept._lock_accounts(session, ids)
    held.write_first(session)
    by_account: dict[int, list[Charged]] = {}
    for charge in charges:
        if charge.on <= day:
            by_account.setdefault(charge.account_id, []).append(charge)
    order = payment_orders(session).on(day)
    sums = {row[0]: row[1:] for row in session.execute(LEDGER_SUMS, {"ids": ids, "day": day})}
    rows = {row.account_id: row for row in session.execute(KEPT_ROWS, {"ids": ids})}
    services = kept.kept_services(session, ids)
    found: dict[int, Standing] = {}
    again = []
    nothing = Standing(as_of=day)  # the standing of an account with no kept row (a Standing never changes)
    for account_id in ids:
        new = by_account.get(account_id, ())
        row = rows.get(account_id)
        before = nothing if row is None else kept.standing_of_row(row, day, services.get(account_id, ()))
        total, lowest, latest_due = sums.get(account_id, (0, 0, None))
        if before.balance_cents + sum(charge.cents for charge in new) != (total or 0):
            again.append(account_id)  # the kept row does not add up to the ledger: work it out again
        elif not new:
            found[account_id] = before
        elif lowest >= 0 or (not order.by_service and latest_due <= min(charge.due_on for charge in new)):
            found[account_id] = charged(before, new, day, order.aging)
        else:
            again.append(account_id)
    found.update(standings(session, day, account_ids=again))
    worked_out = sorted(found.items())
    if not held.hold(session, worked_out):  # no kept service rows read: none to delete before writing
        kept.write_standings(session, worked_out, no_service_rows=not services)


def charged(before: Standing, new: list[Charged], day: date, aging: tuple[int, ...]) -> Standing:
    """The standing after debits that credits reach after every debit already there: a credit balance pays them in
    their order (due, then as posted), and what is left unpaid of each is aged on the day as `age()` ages it."""
    left = -before.balance_cents if before.balance_cents < 0 else 0  # a credit balance: every debit there is paid
    buckets = {"current": before.current + left, "days_1_30": before.days_1_30, "days_31_60": before.days_31_60,
               "days_61_90": before.days_61_90, "over_90": before.over_90}  # the credit sat in current
    owed = {owed.service: {"unpaid_cents": owed.unpaid_cents, "past_due_cents": owed.past_due_cents,
                           **owed.buckets()} for owed in before.by_service}
    past_due, oldest, added = before.past_due_cents, before.oldest_unpaid_due, 0
    for charge in sorted(new, key=_due) if len(new) > 1 else new:  # stable: posting order within a due day
        added += charge.cents
        applied = left if left < charge.cents else charge.cents
        left -= applied
        unpaid = charge.cents - applied
        if unpaid == 0:
            continue
        late = (day - charge.due_on).days
        bucket = bucket_for(late, aging)
        buckets[bucket] += unpaid
        service = charge.service or CATCH_ALL
        sums = owed.get(service)
        if sums is None:
            sums = owed[service] = dict.fromkeys(SERVICE_SUMS, 0)
        sums["unpaid_cents"] += unpaid
        sums[bucket] += unpaid
        if late > 0:
            past_due += unpaid
            sums["past_due_cents"] += unpaid
            if oldest is None or charge.due_on < oldest:
                oldest = charge.due_on
    buckets["current"] -= left
    return Standing(day, before.balance_cents + added, past_due, (day - oldest).days if oldest else 0, oldest,
                    **buckets, by_service=tuple(ServiceOwed(name, **owed[name]) for name in sorted(owed)))


def _due(charge: Charged) -> date:
    """A charge's due day (the order credits pay charges in, oldest due first)."""
    return charge.due_on
