"""Where a workflow's cases can go: every state reached from the initial one, every state not final left by a step,
and every case a `requires_sent:` holds given a way to a new notice.

A state no step leads to holds no case, ever; a state that is not final and that no step leaves holds its
cases open forever. A step that `requires_sent: X` holds its case while the latest X has not gone out, and a
notice left out of its mailing is never mailed again by itself: unless a sweep step leads from the state to a new
X, the case waits forever. Each is a definition's mistake, refused wherever a definition comes in (a folder read,
an import, a draft saved or published; `engine.workflow.definitions.load_workflow`).
"""
from __future__ import annotations

from engine.rules.errors import DocumentError
from engine.rules.messages import line_at
from engine.workflow.model import Transition, Workflow


def reached_states(workflow: Workflow) -> set[str]:
    """The states some path of steps leads to from the initial state (the initial state among them)."""
    reached, waiting = {workflow.initial}, [workflow.initial]
    while waiting:
        here = waiting.pop()
        for step in workflow.transitions:
            if step.target not in reached and step.leaves(here, workflow.states):
                reached.add(step.target)
                waiting.append(step.target)
    return reached


def path_errors(workflow: Workflow) -> list[DocumentError]:
    """Each state no case could reach, each state not final that no step leaves, and each state where a
    `requires_sent:` holds a case with no way to a new notice; each named with its workflow, state and line."""
    return _dead_state_errors(workflow) + _hold_errors(workflow)


def _dead_state_errors(workflow: Workflow) -> list[DocumentError]:
    """Each state no case could reach, and each state not final that no step leaves."""
    reached = reached_states(workflow)
    errors = []
    for name, state in workflow.states.items():
        if name not in reached:
            why = (f'no step leads to the state "{name}" ({state.label}) from the initial state '
                   f'"{workflow.initial}": no case could ever be in it; add a step to it, or remove it')
        elif not state.final and not workflow.leaving(name):
            why = (f'no step leaves the state "{name}" ({state.label}), and it is not final: a case there could '
                   "never close; add a step from it, or mark it final: true")
        else:
            continue
        path = f"states.{name}"
        errors.append(DocumentError(workflow.source, line_at(workflow.lines, path), path, f"{workflow.id}: {why}"))
    return errors


def holds(workflow: Workflow) -> list[tuple[int, Transition, str, str]]:
    """(index, step, state, notice type) for each state not final that a step requiring a notice sent leaves."""
    return [(i, step, state, kind) for i, step in enumerate(workflow.transitions) for kind in step.requires_sent
            for state in workflow.states if step.leaves(state, workflow.states) and not workflow.states[state].final]


def ways_out(workflow: Workflow, state: str, kind: str) -> list[str]:
    """The sweep steps leaving the state that lead to a new notice of the type: one that mails it when the latest was
    left out (`requires_left_out:`), or one due on a date the notice's own step sets (the notice lapses) going to a
    state a sweep step leaves mailing a new one."""
    lapses = {name for step in workflow.transitions if kind in step.notices_made for name in step.fields_set}
    found = []
    for step in workflow.leaving(state):
        if step.by != "sweep":
            continue
        if kind in step.requires_left_out and kind in step.notices_made:
            found.append(step.id)
        elif step.due in lapses and any(kind in after.notices_made for after in workflow.leaving(step.target)
                                        if after.by == "sweep"):
            found.append(step.id)
    return found


def _hold_errors(workflow: Workflow) -> list[DocumentError]:
    """Each state where a step's `requires_sent:` holds a case and no sweep step leads to a new notice."""
    errors = []
    for i, step, state, kind in holds(workflow):
        if ways_out(workflow, state, kind):
            continue
        path = f"transitions[{i}].requires_sent"
        errors.append(DocumentError(workflow.source, line_at(workflow.lines, path), path, (
            f'{workflow.id}: the step "{step.id}" holds a case in the state "{state}" '
            f"({workflow.states[state].label}) until the latest {kind} has gone out, and no way leads from there to a "
            f"new one: a {kind} left out of its mailing is never mailed again, so the case would wait forever; add a "
            f'sweep step from "{state}" that requires_left_out: {kind} and mails a new one, or a sweep step due on a '
            f"date the step mailing the {kind} sets, to a state a sweep step leaves mailing a new one")))
    return errors
