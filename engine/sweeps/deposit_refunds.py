"""The deposit refunds sweep: each held deposit that deposit-refund-eligibility says has been earned is credited back.

Visits every account holding a deposit. The decision and the ledger credit are
engine.accounts.deposit_refunds' (the rule, the facts from the account's history, the audit rows); a
credit left over after the account's balance is paid back by a refund case, at a
clerk's request.
"""
from __future__ import annotations


from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.accounts.deposit_refunds import refund_eligible_deposits
from engine.store.models import Deposit
from engine.sweeps.casework import Tally, each_account
from engine.sweeps.delinquency import last_account_id
from engine.sweeps.runner import SweepContext


class DepositRefundSweep:
    """Held deposits: credited back to the account once the customer has earned it by rule."""

    name = "deposit-refunds"
    title = "Deposit refunds: deposits earned back by good payment, credited to the account"

    def subject_ids(self, session: Session, ctx: SweepContext, after: int, limit: int) -> list[int]:
        """Accounts after `after` holding a deposit."""
        return list(session.scalars(select(Deposit.account_id).where(Deposit.status == "held",
                                                                      Deposit.account_id > after)
                                    .group_by(Deposit.account_id).order_by(Deposit.account_id).limit(limit)))

    def last_id(self, session: Session) -> int:
        """The id the cursor ends near (for a progress bar)."""
        return last_account_id(session)

    def process_chunk(self, session: Session, ids: list[int], ctx: SweepContext) -> None:
        """Decide each account's held deposits and credit the earned ones."""
        each_account(session, ctx.report, ids,
                     lambda account_id, tally: self._decide(session, ctx, account_id, tally))

    def _decide(self, session: Session, ctx: SweepContext, account_id: int, tally: Tally) -> None:
        """One account's deposits: credited or kept, each counted; credits added up."""
        for decision in refund_eligible_deposits(session, as_of=ctx.as_of, now=ctx.now, actor=ctx.actor,
                                                 library=ctx.services.rules, account_ids=[account_id]):
            if decision.eligible:
                tally.steps["deposit.credited"] += 1
                amount = session.get(Deposit, decision.deposit_id).amount_cents
                tally.extra["credited_cents"] = tally.extra.get("credited_cents", 0) + amount
            else:
                tally.steps[f"deposit.kept ({decision.reason or 'not eligible'})"] += 1
