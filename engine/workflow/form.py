"""A workflow definition in a form: its states and steps as tables, their words and figures as cells.

The form editor of a workflow (webapp/workflows/editor.py) changes what a supervisor
changes without writing YAML: the title, each state's label, each step's label, who takes
it (a list of roles), what it says, its form fields' labels, every number (a guard's
threshold, a day count), the labels of the case's fields, and the day a new version opens
cases (`effective`). Which states and steps there are, where a step leads and what it does
stay in the YAML editor. As with a rule document (engine.rules.editing), the text is never
written out again: each change is made where the value is written, so a workflow sent back
as the form shows it is the same text, and a change is exactly that change.

    cells(text)                      every cell of the form by its path, with its place in words
    layout(text)                     the cells arranged: the head, the states, the steps, the rest
    apply_cells(text, typed)         the text with what was typed (a cell left as shown changes nothing)
    new_version(text, version, on)   the text as version `version`, opening cases from `on`
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from yaml.nodes import ScalarNode

from engine.rules import editing
from engine.rules.editing import Cell, EditError
from engine.rules.places import _parts, place_words
from engine.rules.types import YamlValue

TEXT_KEYS = ("title", "label", "says")  # the words a form changes, wherever they stand
ROLE_ITEM = re.compile(r"^transitions\[\d+\]\.roles\[\d+\]$")
STEP = re.compile(r"^transitions\[(\d+)\](.*)$")
STATE = re.compile(r"^states\.([^.\[]+)(.*)$")


def _data(text: str) -> dict:
    return editing._read(text)  # noqa: SLF001 (the one reading of a form's text, its error in words)


def _cell_type(path: str, value: YamlValue) -> str | None:
    """What a cell at `path` holds, or None for a value the form does not change (state names, ids, actions)."""
    last = _parts(path)[-1] if _parts(path) else ""
    if path == "effective":
        return "date" if isinstance(value, date) else None
    if path == "version" or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return "number"
    if isinstance(value, str) and (last in TEXT_KEYS or ROLE_ITEM.match(path)):
        return "text"
    return None


def place(path: str, data: dict) -> str:
    """Where a cell stands, in words: `step “Mail the reminder”, condition, at least`."""
    step = STEP.match(path)
    if step:
        transition = data["transitions"][int(step.group(1))]
        rest = step.group(2).lstrip(".")
        where = f"step “{transition.get('label') or transition.get('id')}”"
        return where + (f", {place_words(rest, transition)}" if rest else "")
    state = STATE.match(path)
    if state and state.group(1) in (data.get("states") or {}):
        label = (data["states"][state.group(1)] or {}).get("label") or state.group(1)
        rest = state.group(2).lstrip(".")
        return f"state “{label}”" + (f", {place_words(rest, data['states'][state.group(1)])}" if rest else "")
    return place_words(path, data)


def cells(text: str) -> dict[str, Cell]:
    """Every value the form changes, by its path, as written, with its place in words."""
    data = _data(text)
    found: dict[str, Cell] = {}
    for path, node in editing.nodes_of(text).items():
        if not isinstance(node, ScalarNode) or path.endswith("#key") or node.style in ("|", ">"):
            continue
        kind = _cell_type(path, editing.data_at(data, path))
        if kind is not None:
            found[path] = Cell(path, node.value, place(path, data), kind)
    return found


def apply_cells(text: str, typed: dict[str, str]) -> tuple[str, list[str]]:
    """The text with what was typed into the cells, and the problems (each naming its cell in words)."""
    return editing.apply_cells(text, typed, known=cells(text))


def new_version(text: str, version: int, on: date) -> str:
    """The text as version `version` opening new cases from `on`: `effective:` set, or added after `version:`."""
    data = _data(text)
    if not isinstance(data, dict) or "version" not in data:
        raise EditError("the workflow has no version: line; write one as YAML")
    text = editing.set_value(text, "version", Decimal(version))
    if "effective" in data:
        return editing.set_value(text, "effective", on)
    node = editing.nodes_of(text)["version"]
    key = editing.nodes_of(text)["version#key"]
    end = editing._line_end(text, node.end_mark.index)  # noqa: SLF001 (the one reading of a text's lines)
    line = " " * key.start_mark.column + f"effective: {on.isoformat()}\n"
    changed = text[:end] + ("" if text[:end].endswith("\n") else "\n") + line + text[end:]
    if editing.data_at(_data(changed), "effective") != on:
        raise EditError("the day it opens cases could not be added; write effective: as YAML")
    return changed


# --- the form's arrangement -------------------------------------------------------------------


@dataclass
class StateRow:
    """A state: its name (as the definition calls it), its label's cell, whether it is final, its other cells."""

    name: str
    label: Cell | None
    final: bool
    others: list[tuple[str, Cell]] = field(default_factory=list)  # (where in the state, in words; its cell)


@dataclass
class StepRow:
    """A step: its label's cell, from where to where (the states' labels), who takes it, what it says, the rest."""

    id: str
    label: Cell | None
    moves: str
    roles: list[Cell] = field(default_factory=list)
    roles_words: str = ""  # who takes it when it is not a list of roles (a rule's outcome)
    says: Cell | None = None
    others: list[tuple[str, Cell]] = field(default_factory=list)  # (where in the step, in words; its cell)


@dataclass
class WorkflowLayout:
    """The form of a workflow: its head (title, the day it opens cases), its states, its steps, every other cell."""

    head: list[Cell]
    states: list[StateRow]
    steps: list[StepRow]
    others: list[Cell]


def _state_label(data: dict, name: str) -> str:
    state = (data.get("states") or {}).get(name)
    return str(state.get("label") or name) if isinstance(state, dict) else str(name)


def _moves(data: dict, step: dict) -> str:
    origins = step.get("from")
    origins = origins if isinstance(origins, list) else [origins]
    start = ", ".join("any state not final" if o == "*" else _state_label(data, o) for o in origins)
    return f"{start} → {_state_label(data, step.get('to'))}"


def _roles_words(step: dict) -> str:
    """Who takes a step when it lists no roles to change: the sweep, the role a rule gives, or any staff."""
    roles = step.get("roles")
    if step.get("by") == "sweep":
        return "the sweep"
    if isinstance(roles, dict) and "rule" in roles:
        return f"the role {roles['rule']} gives ({roles.get('outcome')})"
    return "" if roles else "staff"


def layout(text: str) -> WorkflowLayout:
    """The cells of a workflow arranged as its form shows them; every cell placed exactly once."""
    data, left = _data(text), cells(text)
    head = [left.pop(p) for p in ("title", "effective") if p in left]
    states = []
    for name, state in (data.get("states") or {}).items():
        prefix = f"states.{name}"
        row = StateRow(str(name), left.pop(f"{prefix}.label", None), bool((state or {}).get("final")))
        row.others = [(place_words(p[len(prefix) + 1:], state), left.pop(p)) for p in list(left)
                      if p.startswith(prefix + ".")]
        states.append(row)
    steps = []
    for i, step in enumerate(data.get("transitions") or []):
        prefix = f"transitions[{i}]"
        row = StepRow(str(step.get("id")), left.pop(f"{prefix}.label", None), _moves(data, step),
                      roles_words=_roles_words(step), says=left.pop(f"{prefix}.says", None))
        row.roles = [left.pop(p) for p in list(left) if p.startswith(f"{prefix}.roles[")]
        row.others = [(place_words(p[len(prefix) + 1:], step), left.pop(p)) for p in list(left)
                      if p.startswith(prefix + ".")]
        steps.append(row)
    return WorkflowLayout(head, states, steps, list(left.values()))

