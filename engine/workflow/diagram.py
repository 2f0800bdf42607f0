"""A workflow as a state diagram: its states and steps in words, as Graphviz DOT text; two definitions' changes.

    step_words(step)                 a step in words: its label, who takes it, what it needs
    diagram(workflow)                the DOT text of the workflow's state diagram
    workflow_changes(older, newer)   the states and steps added, removed or changed
    changes_diagram(older, newer)    one diagram of both: added in green, removed dashed, changed in amber

States are labelled by their label and tags (a final state drawn with a double border);
steps by their label, who takes them (`clerk, supervisor`, `by: sweep`) and what they need:
guards in the words of the rule traces (engine.rules.conditions.condition_words), the date
a step waits for, fees to be paid, the person it may not be, the fields its form requires.
A step from several states (or from `*`, any state that is not final) is drawn once, through
a junction. The text is DOT only; drawing it (Graphviz's `dot -Tsvg`) is the caller's.
"""
from __future__ import annotations

from dataclasses import dataclass

from engine.rules.conditions import Condition, condition_words
from engine.rules.results import as_text
from engine.workflow.forms import RuleOutcome
from engine.workflow.model import ANY_STATE, DAY_KINDS, RuleGuard, State, Transition, Workflow

ADDED, REMOVED, CHANGED, SAME = "added", "removed", "changed", "same"
# How a change is drawn: (colour, line style, line width). Removed: dashed grey; added: green; changed: amber.
MARKS = {SAME: ("#333333", "solid", "1"), ADDED: ("#1a7f37", "solid", "2.5"),
         REMOVED: ("#8a8a8a", "dashed", "1.5"), CHANGED: ("#b35900", "solid", "2.5")}
ANY_NODE = "any_open_state"
FONT = "DejaVu Sans"


@dataclass(frozen=True)
class StepWords:
    """A step as the diagram and its text alternative say it."""

    id: str
    label: str
    sources: tuple[str, ...]
    target: str
    who: str
    needs: tuple[str, ...]

    @property
    def lines(self) -> list[str]:
        """The edge's label, line by line: the step, who takes it, then each thing it needs."""
        return [self.label, self.who, *(f"needs {need}" for need in self.needs)]


def _who(step: Transition) -> str:
    """Who takes a step: `by: sweep`, the roles listed, or the role a criteria outcome gives."""
    if step.by == "sweep":
        return "by: sweep"
    if isinstance(step.roles, RuleOutcome):
        return f"the role {step.roles.rule} gives ({step.roles.outcome})"
    return ", ".join(step.roles) if step.roles else "staff"


def _guard(when: Condition | RuleGuard | None) -> list[str]:
    """A step's `when:` in the trace's words, or the criteria outcome it asks for."""
    if isinstance(when, RuleGuard):
        wanted = ", ".join(f"{key} {as_text(value)}" for key, value in when.outcome.items())
        return [f"{when.rule}: {wanted}"]
    if isinstance(when, Condition):
        return [condition_words(when.raw)]
    return []


def step_words(step: Transition) -> StepWords:
    """A step in words: label, who, and what it needs (guard, date, paid fees, notices sent, another person, required
    fields)."""
    needs = _guard(step.when)
    if step.due is not None:
        day = f", on a {DAY_KINDS[step.due_day.kind]} of {step.due_day.calendar}" if step.due_day else ""
        needs.append(f"the date in {step.due}{day}")
    needs += [f"{schedule} paid or waived" for schedule in step.requires_paid]
    needs += [f"the latest {kind} sent" for kind in step.requires_sent]
    needs += [f"the latest {kind} left out of its mailing" for kind in step.requires_left_out]
    if step.not_by is not None:
        needs.append(f"someone other than {step.not_by}")
    needs += [f"{field.label} (form)" for field in step.form if field.required]
    return StepWords(step.id, step.label or step.id.replace("_", " "), step.sources, step.target, _who(step),
                     tuple(needs))


def state_lines(state: State) -> list[str]:
    """A state's label, and its tags when it has any."""
    return [state.label] + ([f"tags: {', '.join(state.tags)}"] if state.tags else [])


# --- DOT text ---------------------------------------------------------------------------------


def _quoted(text: str) -> str:
    """A DOT string: backslashes and quotes escaped, so a label can never be read as DOT or as an escape."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _label(lines: list[str]) -> str:
    """A multi-line DOT label, each line centred."""
    return '"' + "\\n".join(_quoted(line)[1:-1] for line in lines) + '"'


def _attributes(**values: str) -> str:
    """`[key=value, ...]` with values already quoted where they need it."""
    return "[" + ", ".join(f"{key}={value}" for key, value in values.items()) + "]"


def _state_node(name: str, state: State, mark: str) -> str:
    """A state's node: rounded box, a double border when final, coloured by its change."""
    colour, style, width = MARKS[mark]
    return (f"  {_quoted(name)} " + _attributes(
        id=_quoted(f"state_{name}"), label=_label(state_lines(state)), color=_quoted(colour),
        fontcolor=_quoted(colour), style=_quoted(f"rounded,{style}"), penwidth=width,
        peripheries="2" if state.final else "1"))


def _step_edges(step: StepWords, mark: str) -> list[str]:
    """A step's edge (through a junction when it leaves several states), labelled, coloured by its change."""
    colour, style, width = MARKS[mark]
    look = {"color": _quoted(colour), "fontcolor": _quoted(colour), "style": style, "penwidth": width}
    sources = [ANY_NODE if source == ANY_STATE else source for source in step.sources]
    label = {"label": _label(step.lines), "id": _quoted(f"step_{step.id}")}
    if len(sources) == 1:
        return [f"  {_quoted(sources[0])} -> {_quoted(step.target)} " + _attributes(**label, **look)]
    junction = f"step:{step.id}"
    lines = [f"  {_quoted(junction)} " + _attributes(shape="point", width="0.06", color=_quoted(colour),
                                                      id=_quoted(f"junction_{step.id}"))]
    lines += [f"  {_quoted(source)} -> {_quoted(junction)} " + _attributes(arrowhead="none", **look)
              for source in sources]
    return lines + [f"  {_quoted(junction)} -> {_quoted(step.target)} " + _attributes(**label, **look)]


def _dot(title: str, initial: str, states: list[tuple[str, State, str]], steps: list[tuple[StepWords, str]]) -> str:
    """The DOT text of states and steps, each with its mark."""
    lines = ["digraph workflow {",
             "  graph " + _attributes(label=_quoted(title), labelloc="t", fontname=_quoted(FONT), fontsize="12",
                                      rankdir="TB", nodesep="0.4", ranksep="0.5"),
             f"  node {_attributes(shape='box', fontname=_quoted(FONT), fontsize='10', margin=_quoted('0.12,0.06'))}",
             f"  edge {_attributes(fontname=_quoted(FONT), fontsize='8', arrowsize='0.7')}",
             f"  start {_attributes(shape='point', width='0.12', id=_quoted('start'))}",
             f"  start -> {_quoted(initial)}"]
    lines += [_state_node(name, state, mark) for name, state, mark in states]
    if any(ANY_STATE in step.sources for step, _ in steps):
        lines.append(f"  {_quoted(ANY_NODE)} " + _attributes(
            label=_quoted("any state not final"), style=_quoted("rounded,dotted"), id=_quoted(f"state_{ANY_NODE}")))
    for step, mark in steps:
        lines += _step_edges(step, mark)
    return "\n".join(lines + ["}"]) + "\n"


def diagram(workflow: Workflow) -> str:
    """The DOT text of a workflow's state diagram."""
    return _dot(f"{workflow.title} (version {workflow.version})", workflow.initial,
                [(name, state, SAME) for name, state in workflow.states.items()],
                [(step_words(step), SAME) for step in workflow.transitions])


# --- two definitions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkflowChanges:
    """What changes from one definition to another: each state and step by name, and how it changed."""

    states: dict[str, str]  # state name -> added | removed | changed | same
    steps: dict[str, str]  # step id -> added | removed | changed | same

    def count(self, change: str) -> int:
        """How many states and steps changed in this way."""
        return sum(1 for mark in (*self.states.values(), *self.steps.values()) if mark == change)

    @property
    def any(self) -> bool:
        """Whether anything changed."""
        return any(mark != SAME for mark in (*self.states.values(), *self.steps.values()))


def _compare(older: dict[str, object], newer: dict[str, object]) -> dict[str, str]:
    """Each key of either side: added, removed, changed or the same (newer's order, then the removed)."""
    marks = {key: ADDED if key not in older else (SAME if older[key] == value else CHANGED)
             for key, value in newer.items()}
    return marks | {key: REMOVED for key in older if key not in newer}


def _state_terms(state: State) -> tuple[object, ...]:
    """What a diagram says of a state."""
    return state.label, state.tags, state.final


def workflow_changes(older: Workflow, newer: Workflow) -> WorkflowChanges:
    """The states and steps of two definitions compared by what the diagram says of them."""
    states = _compare({n: _state_terms(s) for n, s in older.states.items()},
                      {n: _state_terms(s) for n, s in newer.states.items()})
    steps = _compare({t.id: step_words(t) for t in older.transitions}, {t.id: step_words(t) for t in newer.transitions})
    return WorkflowChanges(states, steps)


def changes_diagram(older: Workflow, newer: Workflow) -> str:
    """One diagram of both definitions: the newer's states and steps, and the older's that are gone, marked."""
    changes = workflow_changes(older, newer)
    every_state = older.states | newer.states
    every_step = {t.id: t for t in older.transitions} | {t.id: t for t in newer.transitions}
    states = [(name, newer.states.get(name, every_state[name]), mark) for name, mark in changes.states.items()]
    steps = [(step_words(every_step[step_id]), mark) for step_id, mark in changes.steps.items()]
    title = f"{newer.title}: version {older.version} → {newer.version}" if older.version != newer.version \
        else f"{newer.title}: the draft against the published version {older.version}"
    return _dot(title, newer.initial, states, steps)
