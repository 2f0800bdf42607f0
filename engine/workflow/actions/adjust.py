"""`adjust: {request: FIELD, decision: post|deny, comment: FIELD}`: decide the adjustment the case waits on.

`request` names the integer field holding the adjustment's number (engine.accounts.adjustments);
`post` posts it through the posting gate (a credit or debit to its reason's GL account, or the
reversal of the fee a waiver names), `deny` closes it without posting; either keeps the comment
from the text field `comment` names and who decided. The person deciding is never the one
who asked (the adjustment service refuses it, beside the step's own `not_by:`). Account cases only.
"""
from __future__ import annotations

from engine.accounts.adjustments import AdjustmentError, decide
from engine.money import format_money
from engine.rules.errors import EvaluationError
from engine.rules.types import YamlValue
from engine.workflow.actions.base import DefinitionChecker, Done, WorkflowAction
from engine.workflow.context import StepContext
from engine.workflow.model import Action

KEYS = ("request", "decision", "comment")
DECISIONS = ("post", "deny")


def check(reader: DefinitionChecker, value: YamlValue, path: str) -> None:
    """An integer field (the adjustment's number), post or deny, and a text field (the comment)."""
    if not isinstance(value, dict):
        reader.error(path, "expected {request: FIELD, decision: post or deny, comment: FIELD}")
        return
    reader.keys(value, KEYS, path, "this action")
    if reader.field_types.get(str(value.get("request"))) != "integer":
        reader.error(f"{path}.request", f"{value.get('request')!r} is not an integer field of this workflow")
    if value.get("decision") not in DECISIONS:
        reader.error(f"{path}.decision", f"decision is post or deny, not {value.get('decision')!r}")
    if reader.field_types.get(str(value.get("comment"))) != "text":
        reader.error(f"{path}.comment", f"{value.get('comment')!r} is not a text field of this workflow")


def run(ctx: StepContext, action: Action) -> None:
    """Post or deny the adjustment the case's field names, with the comment given."""
    ctx.account_only("an adjustment")
    spec = action.value
    assert isinstance(spec, dict)  # the definition's check saw to it
    number = ctx.fields.get(str(spec["request"]))
    if number is None:
        raise EvaluationError(f"this case names no adjustment ({spec['request']})")
    try:
        row = decide(ctx.session, int(number), approve=spec["decision"] == "post", actor=ctx.actor.name, on=ctx.on,
                     now=ctx.now, comment=str(ctx.fields.get(str(spec["comment"])) or ""), case_id=ctx.case.id)
    except AdjustmentError as refused:
        raise EvaluationError(str(refused)) from None
    ctx.done.append({"action": "adjust", "adjustment": row.id, "decision": str(spec["decision"]),
                     "amount": str(row.amount_cents), **({"ledger_entry": row.entry_id} if row.entry_id else {})})


def words(done: Done) -> str:
    """'Posted adjustment 12: -$180.00 (ledger entry 4410)' or 'Denied adjustment 12'."""
    if done.get("decision") == "post":
        return (f"Posted adjustment {done.get('adjustment')}: {format_money(int(str(done.get('amount'))))} "
                f"(ledger entry {done.get('ledger_entry')})")
    return f"Denied adjustment {done.get('adjustment')}"


ACTION = WorkflowAction("adjust", check, words=words, run=run)
