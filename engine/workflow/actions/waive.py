"""`waive: {fee: SCHEDULE, reason: FIELD}`: waive the unpaid fees of a schedule this case charged, with a reason.

Each fee of that schedule the case posted and that is not paid or waived yet is reversed on
the ledger, the reversal naming who waived it and why (the text in the case field `reason`
names), so a step that `requires_paid:` the fee may be taken. The case field `waived` keeps the amount
waived by schedule, where letters find it. Account cases only.
"""
from __future__ import annotations

from decimal import Decimal

from engine.money import format_money, ledger
from engine.rules.errors import EvaluationError
from engine.rules.types import YamlValue
from engine.workflow.actions.base import DefinitionChecker, Done, WorkflowAction
from engine.workflow.context import StepContext
from engine.workflow.fees import fee_words, fees_charged
from engine.workflow.model import Action

KEYS = ("fee", "reason")


def check(reader: DefinitionChecker, value: YamlValue, path: str) -> None:
    """A fee schedule some step of the workflow charges, and a text field holding the reason."""
    if not isinstance(value, dict):
        reader.error(path, "expected {fee: SCHEDULE, reason: FIELD}")
        return
    reader.keys(value, KEYS, path, "this action")
    fee = value.get("fee")
    if reader.rule(f"{path}.fee", fee, "schedule") and fee not in reader.fees_charged:
        reader.error(f"{path}.fee", f"no step charges {fee} (a fee: action); there would be nothing to waive")
    if reader.field_types.get(str(value.get("reason"))) != "text":
        reader.error(f"{path}.reason", f"{value.get('reason')!r} is not a text field of this workflow")


def run(ctx: StepContext, action: Action) -> None:
    """Reverse each unpaid fee of the schedule the case charged, with the reason given."""
    ctx.account_only("a waiver")
    spec = action.value
    assert isinstance(spec, dict)  # the definition's check saw to it
    schedule, reason = str(spec["fee"]), str(ctx.fields.get(str(spec["reason"])) or "").strip()
    if not reason:
        raise EvaluationError(f"a waiver needs its reason ({spec['reason']})")
    unpaid = [fee for fee in fees_charged(ctx.session, ctx.case, [schedule], ctx.on)[schedule]
              if not fee.waived and fee.unpaid > 0]
    if not unpaid:
        raise EvaluationError(f"this case has no unpaid {fee_words(schedule).removeprefix('the ')} to waive")
    for fee in unpaid:
        entry = ledger.reverse(ctx.session, fee.entry_id, on=ctx.on, now=ctx.now, actor=ctx.actor.name,
                               reason=f"{ctx.reference}: waived by {ctx.actor.name}: {reason}")
        waived = ctx.fields.setdefault("waived", {})
        waived[schedule] = str(fee.amount + Decimal(str(waived.get(schedule, 0))))
        ctx.done.append({"action": "waive", "fee": schedule, "amount": str(fee.amount), "ledger_entry": entry.id,
                         "reverses": fee.entry_id, "reason": reason})


def words(done: Done) -> str:
    """'Waived the reconnection fee of $75.00: first shut-off, hardship'."""
    return f"Waived {fee_words(str(done.get('fee', '')))} of {format_money(str(done.get('amount')))}: {done.get('reason')}"


ACTION = WorkflowAction("waive", check, run, words)
