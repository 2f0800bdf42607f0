"""`refund: {amount: FIELD, reference: FIELD}`: pay a credit back, a ledger refund entry referencing the check."""
from __future__ import annotations

from decimal import Decimal

from engine.money import ledger
from engine.rules.types import YamlValue
from engine.workflow.actions.base import DefinitionChecker, WorkflowAction
from engine.workflow.context import StepContext
from engine.workflow.model import Action

FIELDS = {"amount": "money", "reference": "text"}


def check(reader: DefinitionChecker, value: YamlValue, path: str) -> None:
    """A mapping naming a money field (the amount) and a text field (the check's reference)."""
    if not isinstance(value, dict):
        reader.error(path, f"expected {{{', '.join(f'{k}: FIELD' for k in FIELDS)}}}")
        return
    reader.keys(value, tuple(FIELDS), path, "this action")
    for key, kind in FIELDS.items():
        found = reader.field_types.get(str(value.get(key)))
        if found is None or (found != kind and {found, kind} != {"number", "money"}):
            reader.error(f"{path}.{key}", f"{value.get(key)!r} is not a {kind} field of this workflow")


def run(ctx: StepContext, action: Action) -> None:
    """Pay the requested amount back: a ledger refund entry referencing the check."""
    ctx.account_only("a refund")
    names = action.value
    assert isinstance(names, dict)  # the definition's check saw to it
    amount = Decimal(str(ctx.fields[str(names["amount"])]))
    reference = str(ctx.fields.get(str(names["reference"]), ""))
    entry = ledger.post_refund(ctx.session, ctx.case.subject_id, amount, on=ctx.on, now=ctx.now, actor=ctx.actor.name,
                               reference=reference)
    ctx.fields["refund_entry_id"] = entry.id
    ctx.done.append({"action": "refund", "amount": str(amount), "ledger_entry": entry.id, "reference": reference})


ACTION = WorkflowAction("refund", check, run)
