"""`cash_only: RULE`: a criteria decides whether the account becomes cash-only, and (with `for:`) until when.

The rule is evaluated on the case's facts on the step's day, as a returned payment evaluates
the document tagged cash_only_status; when its outcome says `cash_only: true` the account is made cash-only (or
kept so, to a later day) through engine.accounts.cash_only, with its `until` when the deciding
rule has a duration, and an audit row. An outcome without `cash_only: true` changes nothing.
Account cases only.
"""
from __future__ import annotations

from engine.accounts import cash_only as status_of_account
from engine.money.ledger.posting import lock_account
from engine.rules.types import YamlValue
from engine.workflow.actions.base import DefinitionChecker, Done, WorkflowAction
from engine.workflow.context import StepContext
from engine.workflow.guards import consult
from engine.workflow.model import Action


def check(reader: DefinitionChecker, value: YamlValue, path: str) -> None:
    """`cash_only: CRITERIA_ID`."""
    reader.rule(path, value, "criteria")


def run(ctx: StepContext, action: Action) -> None:
    """Decide by the rule on the day; set, extend or keep the account's cash-only status as it says."""
    ctx.account_only("a cash-only status")
    rule = str(action.value)
    result = consult(ctx.rules, rule, ctx.facts(), ctx.on, ctx.consulted)
    outcome = result["outcome"]
    record = {"action": "cash_only", "rule": rule, "version": result["version"]}
    if isinstance(outcome, dict) and outcome.get("cash_only") is True:
        account = lock_account(ctx.session, ctx.case.subject_id)
        change = status_of_account.apply_decision(ctx.session, account, result, actor=ctx.actor.name, now=ctx.now,
                                                  detail={"case_id": ctx.case.id, "on": ctx.on.isoformat()})
        record.update(cash_only=True, change=change or "unchanged",
                      until=account.cash_only_until.isoformat() if account.cash_only_until else None)
    else:
        record["cash_only"] = False
    ctx.done.append(record)


def words(done: Done) -> str:
    """'Cash only until 2027-03-02 (cash-only-status, version of 2025-01-01)', or 'not cash only'."""
    said = (f"Cash only until {done['until']}" if done.get("until") else "Cash only") if done.get("cash_only") \
        else "Not made cash only"
    return f"{said} ({done.get('rule')}, version of {done.get('version')})"


ACTION = WorkflowAction("cash_only", check, run, words)
