"""`reverse: refund`: the reversal of the refund this case posted (a voided check)."""
from __future__ import annotations

from engine.money import ledger
from engine.rules.errors import EvaluationError
from engine.rules.messages import describe
from engine.rules.types import YamlValue
from engine.workflow.actions.base import DefinitionChecker, WorkflowAction
from engine.workflow.context import StepContext
from engine.workflow.model import Action


def check(reader: DefinitionChecker, value: YamlValue, path: str) -> None:
    """`reverse: refund`: what the case posted."""
    if value != "refund":
        reader.error(path, f"reverse names what the case posted: refund, not {describe(value)}")


def run(ctx: StepContext, action: Action) -> None:
    """Reverse the ledger entry this case's refund action posted."""
    ctx.account_only("a reversal")
    entry_id = ctx.fields.get("refund_entry_id")
    if entry_id is None:
        raise EvaluationError("this case posted no refund to reverse")
    entry = ledger.reverse(ctx.session, int(entry_id), on=ctx.on, now=ctx.now, actor=ctx.actor.name,
                           reason=f"{ctx.reference}: {ctx.workflow.id} voided")
    ctx.done.append({"action": "reverse", "ledger_entry": entry.id, "reverses": int(entry_id)})


ACTION = WorkflowAction("reverse", check, run)
