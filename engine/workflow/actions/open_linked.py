"""`open: WORKFLOW`: a linked case of another workflow on the same subject (a lien from a delinquency).

That the workflow exists is checked across the folder (`engine.workflow.definitions`); the
case is opened by the runtime, which hands the step `open_linked`.
"""
from __future__ import annotations

from engine.rules.messages import describe
from engine.rules.types import YamlValue
from engine.workflow.actions.base import DefinitionChecker, Done, WorkflowAction
from engine.workflow.context import StepContext
from engine.workflow.model import WORKFLOW_ID, Action


def check(reader: DefinitionChecker, value: YamlValue, path: str) -> None:
    """`open: WORKFLOW_ID` (that it exists is checked across the folder)."""
    if not isinstance(value, str) or not WORKFLOW_ID.match(value):
        reader.error(path, f"open names a workflow id, not {describe(value)}")


def run(ctx: StepContext, action: Action) -> None:
    """Open a linked case of another workflow on the same subject."""
    child = ctx.open_linked(str(action.value))
    ctx.fields.setdefault("linked_cases", []).append(child.id)
    ctx.done.append({"action": "open", "workflow": str(action.value), "case_id": child.id})


def words(done: Done) -> str:
    """'Opened linked case 12 (liens)'."""
    return f"Opened linked case {done.get('case_id', '')} ({done.get('workflow', '')})"


ACTION = WorkflowAction("open", check, run, words)
