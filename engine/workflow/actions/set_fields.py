"""`set: {FIELD: VALUE}`: case fields, in the order written, each value taken on the step's day.

The values are those of `engine.workflow.values`; a license's dates, status and fee are
copied to the license too (`engine.workflow.facts.WRITABLE`).
"""
from __future__ import annotations

from decimal import Decimal

from engine.workflow.license_codes import give_code
from engine.money import to_cents
from engine.rules.types import YamlValue
from engine.store.models import License
from engine.workflow.actions.base import DefinitionChecker, Done, WorkflowAction
from engine.workflow.context import StepContext
from engine.workflow.facts import WRITABLE
from engine.workflow.forms import stored
from engine.workflow.model import NAME, Action
from engine.workflow.values import set_value


def check(reader: DefinitionChecker, value: YamlValue, path: str) -> None:
    """`set: {FIELD: VALUE}` (values were checked when the fields were collected)."""
    if not isinstance(value, dict) or not value:
        reader.error(path, "set is a mapping of case fields to values")
        return
    for name, item in value.items():
        if not NAME.match(name):
            reader.error(f"{path}.{name}", "a field name is lower-case letters, digits and _")
        if isinstance(item, dict) and "from" in item and reader.field_types.get(str(item["from"])) != "date":
            reader.error(f"{path}.{name}.from", f"{item['from']!r} is not a date field of this workflow")


def _write_through(ctx: StepContext, name: str, value: object) -> None:
    """Copy a settable subject fact (a license's dates, status, fee) to the subject's row."""
    column = WRITABLE.get(ctx.case.subject_type, {}).get(name)
    if column is None:
        return
    lic = ctx.session.get(License, ctx.case.subject_id)
    setattr(lic, column, to_cents(Decimal(str(value))) if column == "fee_cents" else value)
    if column == "status" and value == "active":
        give_code(ctx.session, lic)  # an issued license's certificate carries a code anyone may check


def run(ctx: StepContext, action: Action) -> None:
    """Set case fields, in the order written, each value taken on the day."""
    assert isinstance(action.value, dict)  # the definition's check saw to it
    for name, spec in action.value.items():
        notes: list[str] = []
        value = set_value(ctx.rules, spec, ctx.on, ctx.facts(), ctx.consulted, notes)
        ctx.fields[name] = stored(value)
        _write_through(ctx, name, value)
        record = {"action": "set", "field": name, "value": stored(value)}
        if notes:
            record["re_dated"] = "; ".join(notes)
        ctx.done.append(record)


def words(done: Done) -> str:
    """'Set shutoff date to 2026-03-09' (true and false as yes and no), and why it was re-dated if it was."""
    value = done.get("value")
    shown = ("yes" if value else "no") if isinstance(value, bool) else value
    why = f" (re-dated: {done['re_dated']})" if done.get("re_dated") else ""
    return f"Set {str(done.get('field', '')).replace('_', ' ')} to {shown}{why}"


ACTION = WorkflowAction("set", check, run, words)
