"""What a step does, in order: the registry from YAML action names to code, one module per action.

    fee: SCHEDULE          evaluate the schedule on the day and post the fee (a license's fee
                           is kept on the license, with an audit row)             fee.py
    notice: TYPE           a Notice row with the data its letter prints            notice.py
    notice_occupants: TYPE a copy of the notice to each occupant on record at the account's
                           property, to "Occupant" at the service address         notice_occupants.py
    set: {FIELD: VALUE}    case fields (see engine.workflow.values); a license's dates,
                           status and fee are copied to the license                set_fields.py
    open: WORKFLOW         a linked case on the same subject (a lien from a delinquency)   open_linked.py
    refund: {amount, reference}   a ledger refund entry paying the credit back    refund.py
    write_off: {amount, reason}   a ledger write-off of what a money fact says is owed    write_off.py
    reverse: refund        the reversal of the refund this case posted (a voided check)    reverse.py
    waive: {fee, reason}   the reversal of the unpaid fees of a schedule this case charged,
                           with the reason given (a supervisor's waiver)          waive.py
    adjust: {request, decision, comment}   post or deny the adjustment the case waits on
                           (a credit, debit or fee waiver asked for over a limit)  adjust.py
    cash_only: CRITERIA    the account made cash-only when the rule says so, until the day
                           its `for:` gives (engine.accounts.cash_only)          cash_only.py
    agree_plan: {terms, balance}   a payment plan agreed on the published terms (a criteria
                           document with gives: plan_terms), its numbers kept in the case   agree_plan.py

An action is added by writing its module (a `WorkflowAction`: name, check, run, words) and
listing it here. Every action runs inside the step's transaction; any error undoes the whole step.
"""
from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from engine.workflow.actions import (adjust, agree_plan, cash_only, fee, notice, notice_occupants, open_linked,
                                    refund, reverse, set_fields, waive, write_off)
from engine.workflow.actions.base import Done, WorkflowAction, done_words
from engine.workflow.context import StepContext
from engine.workflow.model import Action

ACTIONS: Mapping[str, WorkflowAction] = MappingProxyType({action.name: action for action in (
    fee.ACTION, notice.ACTION, notice_occupants.ACTION, set_fields.ACTION, open_linked.ACTION, refund.ACTION,
    write_off.ACTION, reverse.ACTION, waive.ACTION, adjust.ACTION, cash_only.ACTION, agree_plan.ACTION)})


def run_actions(ctx: StepContext, actions: tuple[Action, ...]) -> None:
    """Every action of the step, in the order written."""
    for action in actions:
        ACTIONS[action.kind].run(ctx, action)


def action_words(done: Done) -> str:
    """One action a step ran, as the history shows it: 'Fee late-fee (version of 2024-07-01): $22.59'."""
    action = ACTIONS.get(str(done.get("action", "")))
    return action.words(done) if action is not None else done_words(done)
