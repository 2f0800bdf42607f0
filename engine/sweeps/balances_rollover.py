"""The day roll-over of the kept balances: each night, before the other sweeps, past due and aging move with the date.

A posting keeps its account's balance at once; what changes with the date alone (a bill
falling due, an amount turning 31, 61 or 91 days late) is moved here, for only the accounts
whose charges fall due or age that day (engine.money.ledger.kept.roll_over). It is one
subject, the ledger's kept balances, done in one chunk's transaction; being a sweep it is
scheduled in schedule.yaml, caught up after a night the machine was off (oldest night
first), done once per night however many schedulers run, and doing it again changes nothing.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from engine.money.ledger.kept import kept_day, roll_over
from engine.sweeps.runner import SweepContext

THE_KEPT_BALANCES = 1  # the one subject


class BalancesRollOverSweep:
    """The kept balances moved to the night's date: the accounts whose charges fall due or age worked out again."""

    name = "balances-rollover"
    label = "Balances roll-over"  # its name on staff pages (engine.sweeps.registry.sweep_label)
    title = "Kept balances rolled over to the day: past due and aging moved where charges fall due or age"

    def subject_ids(self, session: Session, ctx: SweepContext, after: int, limit: int) -> list[int]:
        """The kept balances, once, when they are not yet kept for the night."""
        kept = kept_day(session)
        if after >= THE_KEPT_BALANCES or (kept.as_of is not None and kept.as_of >= ctx.as_of):
            return []
        return [THE_KEPT_BALANCES]

    def last_id(self, session: Session) -> int:
        """One subject (for a progress bar)."""
        return THE_KEPT_BALANCES

    def process_chunk(self, session: Session, ids: list[int], ctx: SweepContext) -> None:
        """Roll the kept balances over to the night's date, and say how many accounts moved."""
        done = roll_over(session, ctx.as_of, now=ctx.now, actor=ctx.actor)
        ctx.report.steps["balances.rebuilt" if done.rebuilt else "balances.rolled_over"] += 1
        ctx.report.extra["balances"] = {"from": done.from_day.isoformat() if done.from_day else None,
                                        "to": done.to_day.isoformat(), "accounts_worked_out": done.accounts}
