"""`write_off: {amount: FACT, reason: TEXT}`: a ledger write-off of what a money fact says is owed."""
from __future__ import annotations

from engine.money import ledger
from engine.rules.types import YamlValue
from engine.workflow.actions.base import DefinitionChecker, WorkflowAction
from engine.workflow.context import StepContext
from engine.workflow.facts import SUBJECT_FACTS
from engine.workflow.model import Action


def check(reader: DefinitionChecker, value: YamlValue, path: str) -> None:
    """The amount names a money fact of the case's subject; the reason is text."""
    if not isinstance(value, dict):
        reader.error(path, "write_off is {amount: FACT, reason: TEXT}")
        return
    reader.keys(value, ("amount", "reason"), path, "a write-off")
    fact = SUBJECT_FACTS.get(reader.subject, {}).get(str(value.get("amount")))
    if fact is None or fact.type != "money":
        reader.error(f"{path}.amount", f"{value.get('amount')!r} is not a money fact of a {reader.subject} case")
    if not isinstance(value.get("reason"), str):
        reader.error(f"{path}.reason", "a write-off gives its reason as text")


def run(ctx: StepContext, action: Action) -> None:
    """Write off what the named money fact says is owed."""
    ctx.account_only("a write-off")
    spec = action.value
    assert isinstance(spec, dict)  # the definition's check saw to it
    amount = ctx.facts()[str(spec["amount"])]
    entry = ledger.post_write_off(ctx.session, ctx.case.subject_id, amount, on=ctx.on, now=ctx.now,
                                  actor=ctx.actor.name, reason=str(spec["reason"]), reference=ctx.reference)
    ctx.done.append({"action": "write_off", "amount": str(amount), "ledger_entry": entry.id})


ACTION = WorkflowAction("write_off", check, run)
