"""The cash-only review sweep: a cash-only account whose returned payments have aged out is cleared by rule.

Visits only accounts marked cash-only. Each is locked, its facts on the sweep's day are
read (engine.accounts.facts, the measures counting its returned payments among them, the
same that set the flag), and the city's cash-only rule (the rule document tagged
cash_only_status, engine.rules.tagged) is evaluated on them; when the rule says the
account is no longer cash-only, the flag is cleared with an audit row naming the rule and
the facts it read.
An account the rule still holds cash-only is left as it is.
A status decided with a duration (it has a `cash_only_until`) is not reviewed by the rule:
it is kept through the day before that day and ended on it (engine.accounts.cash_only).
"""
from __future__ import annotations


from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.accounts import cash_only as status_of_account
from engine.money.ledger.posting import lock_account
from engine.accounts.facts import facts_for_account
from engine.workflow.model import SERVICE_OFF
from engine.accounts.returns import read_facts
from engine.rules.tagged import CASH_ONLY_STATUS, the_document_tagged
from engine.store.models import UtilityAccount
from engine.sweeps.casework import Tally, each_account
from engine.sweeps.delinquency import last_account_id
from engine.sweeps.runner import SweepContext


class CashOnlyReviewSweep:
    """Cash-only accounts: the flag lifted once the cash-only rule no longer holds on the sweep's day."""

    name = "cash-only-review"
    label = "Cash-only review"  # its name on staff pages (engine.sweeps.registry.sweep_label)
    title = "Cash-only review: accounts whose returned payments have aged out may pay by check again"

    def subject_ids(self, session: Session, ctx: SweepContext, after: int, limit: int) -> list[int]:
        """Cash-only accounts after `after`, in id order."""
        return list(session.scalars(select(UtilityAccount.id).where(UtilityAccount.cash_only.is_(True),
                                                                     UtilityAccount.id > after)
                                    .order_by(UtilityAccount.id).limit(limit)))

    def last_id(self, session: Session) -> int:
        """The id the cursor ends near (for a progress bar)."""
        return last_account_id(session)

    def process_chunk(self, session: Session, ids: list[int], ctx: SweepContext) -> None:
        """Review each cash-only account, one savepoint each."""
        each_account(session, ctx.report, ids,
                     lambda account_id, tally: self._review(session, ctx, account_id, tally))

    def _review(self, session: Session, ctx: SweepContext, account_id: int, tally: Tally) -> None:
        """One account: cleared with an audit row when the rule no longer holds it cash-only, else kept."""
        account = lock_account(session, account_id)
        if not account.cash_only:  # cleared since the chunk was chosen
            return
        if account.cash_only_until is not None:  # a duration: its day, not the rule, ends it
            if not status_of_account.ends_on(account, ctx.as_of):
                tally.steps["keep_cash_only"] += 1
                return
            status_of_account.end(session, account, actor=ctx.actor, now=ctx.now,
                                  detail={"ended": "until", "as_of": ctx.as_of.isoformat()})
            tally.steps["clear_cash_only"] += 1
            return
        rules = ctx.services.rules
        rule = the_document_tagged(rules, CASH_ONLY_STATUS).id
        facts = facts_for_account(session, account.id, ctx.as_of, rules,
                                  ctx.services.workflows.states_tagged_by_version(SERVICE_OFF))
        status = rules.evaluate(rule, facts, ctx.as_of).to_json()
        if status["outcome"].get("cash_only"):
            tally.steps["keep_cash_only"] += 1
            return
        status_of_account.end(session, account, actor=ctx.actor, now=ctx.now,
                              detail={**read_facts(rules, rule, facts), "rule_id": rule,
                                      "rule_version": status.get("version"), "as_of": ctx.as_of.isoformat()})
        tally.steps["clear_cash_only"] += 1
