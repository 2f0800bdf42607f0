"""Where a workflow's cases can go: every state reached from the initial one, every state not final left by a step.

A state no step leads to holds no case, ever; a state that is not final and that no step leaves holds its
cases open forever. Both are a definition's mistake, refused when a draft is checked (saved, published).
"""
from __future__ import annotations

from engine.rules.errors import DocumentError
from engine.rules.messages import line_at
from engine.workflow.model import Workflow


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
    """Each state no case could reach, and each state not final that no step leaves, named with its line."""
    reached = reached_states(workflow)
    errors = []
    for name, state in workflow.states.items():
        if name not in reached:
            why = (f'no step leads to the state "{name}" ({state.label}) from the initial state '
                   f'"{workflow.initial}": no case could ever be in it; add a step to it, or remove it')
        elif not state.final and not any(step.leaves(name, workflow.states) for step in workflow.transitions):
            why = (f'no step leaves the state "{name}" ({state.label}), and it is not final: a case there could '
                   "never close; add a step from it, or mark it final: true")
        else:
            continue
        path = f"states.{name}"
        errors.append(DocumentError(workflow.source, line_at(workflow.lines, path), path, why))
    return errors
