"""No notice prints a date already past: a stored date is re-dated by the step that set it, else the step is refused.

A notice's deadlines (letters.DEADLINES: pay by, shut-off on or after) come from case fields
that some earlier step set, perhaps months before the notice goes out. When such a field is
earlier than the day the notice is made, its value is worked out again on that day with the
`set:` value of the step that last set it (a timeline step `counted_from` the mailing, a
count of days from the night), and the step records the re-dating. A date still past after
that, or printed from a fact, refuses the step: the case is too far behind to act on lawfully,
and the workflow's own steps must take it back.
"""
from __future__ import annotations

from datetime import date

from engine.rules.types import JsonValue, YamlValue
from engine.store.models import Case
from engine.workflow.context import StepContext
from engine.workflow.forms import stored
from engine.workflow.letters import DEADLINES
from engine.workflow.model import Workflow
from engine.workflow.values import set_value


class PastDate(ValueError):
    """A notice would print a date before the day it is made."""


def _as_date(value: JsonValue) -> date | None:
    """A stored date (ISO text) as a date, None when absent or not a date."""
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def last_set_by(workflow: Workflow, case: Case, field: str) -> YamlValue | None:
    """The `set:` value of the step that last set a case field, read from the case's history (None: not set)."""
    for event in reversed(case.events):
        for entry in event.explanation or []:
            if entry.get("guard") != "actions":
                continue
            if any(d.get("action") == "set" and d.get("field") == field for d in entry.get("done", [])):
                step = workflow.transition(event.step)
                return _spec(step.actions if step else (), field)
    return None


def _spec(actions: tuple, field: str) -> YamlValue | None:
    """The value a step's `set:` actions give a field."""
    for action in actions:
        if action.kind == "set" and isinstance(action.value, dict) and field in action.value:
            return action.value[field]
    return None


def redate_stored(ctx: StepContext, notice_type: str) -> None:
    """Work out again, on the step's day, each stored field the notice prints that is already past.

    A field this step has just set keeps its value: the step's own `set:` gave it.
    """
    set_now = {d.get("field") for d in ctx.done if d.get("action") == "set"}
    for field in sorted({f for f in DEADLINES.get(notice_type, {}).values() if f is not None} - set_now):
        was = _as_date(ctx.fields.get(field))
        if was is None or was >= ctx.on:
            continue
        spec = last_set_by(ctx.workflow, ctx.case, field)
        if spec is None:
            continue
        notes: list[str] = []
        value = set_value(ctx.rules, spec, ctx.on, ctx.facts(), ctx.consulted, notes)
        if not isinstance(value, date) or value < ctx.on:
            continue  # refuse_past_dates says why
        ctx.fields[field] = stored(value)
        ctx.done.append({"action": "re_date", "field": field, "was": was.isoformat(), "value": stored(value),
                         "why": f"{field} {was.isoformat()} was past on {ctx.on.isoformat()}, when the "
                                f"{notice_type} is mailed" + (f"; {'; '.join(notes)}" if notes else "")})


def refuse_past_dates(notice_type: str, data: dict[str, JsonValue], on: date) -> None:
    """PastDate naming each date the notice would print before the day it is mailed."""
    past = [f"{key.replace('_', ' ')} {data[key]}" for key in DEADLINES.get(notice_type, {})
            if (day := _as_date(data.get(key))) is not None and day < on]
    if past:
        raise PastDate(f"the {notice_type} would print {', '.join(past)}, before the day it is mailed "
                       f"({on.isoformat()}); the case is too far behind to act on lawfully")
