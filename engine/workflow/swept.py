"""The steps a sweep document names (`works: {steps: [..]}`), checked against the workflows it works.

A sweep document may limit the cases it works to some sweep steps. Each step it names must be
a sweep step of a workflow it works (by the `works:` tags), leaving a state it works; and where
a step it works in a state holds the case until a notice has gone out (`requires_sent:`), the
steps it names must take the way out of that hold (engine.workflow.paths.ways_out: the step that
mails the notice again, or the one due when the notice lapses), or the case would wait there
forever. Each is a document's mistake, refused with the sweep document's file, line, key and the
step wherever the sweep documents and the workflows meet: a folder read, `ordinance workflows
validate` and `import`, a workflow's or a sweep document's draft saved or published, a rules
import and `ordinance rules validate` (engine.rulebook.store.sweep_errors), and
engine.workflow.definitions.WorkflowSet.of with the rules.
"""
from __future__ import annotations

from collections.abc import Iterable

from engine.rules.document import RuleDocument, Version
from engine.rules.errors import DocumentError
from engine.rules.kinds.sweep import KIND as SWEEP_KIND, tags_words
from engine.workflow.model import Transition, Workflow
from engine.workflow.paths import holds, ways_out
from engine.workflow.selectors import Selector

SWEEP = "sweep"  # how a sweep step is taken (by: sweep)
Worked = list[tuple[Workflow, frozenset[str]]]  # each workflow a sweep works, with the states it works


def sweep_step_errors(documents: Iterable[RuleDocument], workflows: Iterable[Workflow]) -> list[DocumentError]:
    """Each step a sweep document's `works: {steps: [..]}` names that no workflow it works has as a sweep step from a
    state it works, and each hold in a state it works whose way out it leaves out; in file and line order."""
    workflows = list(workflows)
    if not workflows:  # none to check them against (a store and a folder without any)
        return []
    errors = [error for doc in documents if doc.kind == SWEEP_KIND.name for version in doc.versions
              for error in _version_errors(doc, version, workflows)]
    return sorted(errors, key=lambda error: (error.source, error.line, error.path))


def _version_errors(doc: RuleDocument, version: Version, workflows: list[Workflow]) -> list[DocumentError]:
    """The errors of one version's `works: {steps: [..]}` (none when it names no steps)."""
    works = version.body.get("works") or {}
    steps = [str(step) for step in works.get("steps") or ()]
    if not steps:
        return []
    selector = Selector.read(works)
    worked = [(workflow, states) for workflow in workflows if (states := selector.states_of(workflow))]
    at = f"versions[{version.index}].works.steps"

    def error(path: str, message: str) -> DocumentError:
        return DocumentError(doc.source, doc.line_of(path), path, message)

    found = [error(f"{at}[{k}]", why) for k, step in enumerate(steps)
             if (why := _why_not_worked(step, worked, workflows, tags_words(works)))]
    said: set[str] = set()
    for workflow, states in worked:
        for _, step, state, kind in holds(workflow):
            outs = ways_out(workflow, state, kind) if state in states else []
            if not outs or set(outs) & set(steps):
                continue
            message = (f'{workflow.id}: the step "{step.id}" holds a case in the state "{state}" '
                       f"({workflow.states[state].label}) until the latest {kind} has gone out, and this sweep works "
                       f"that state without its way out: add {' or '.join(f'{out!r}' for out in outs)} to steps, or "
                       "the case waits there forever")
            if message not in said:
                said.add(message)
                found.append(error(at, message))
    return found


def _why_not_worked(step: str, worked: Worked, workflows: list[Workflow], selected: str) -> str | None:
    """Why the sweep cannot take the step (None: a workflow it works has it as a sweep step from a state it works)."""
    named = [workflow.id for workflow, _ in worked if any(t.id == step for t in workflow.transitions)]
    if not named:
        elsewhere = sorted({w.id for w in workflows if any(t.id == step for t in w.transitions)})
        where = (f"it is a step of {', '.join(elsewhere)}, which this sweep does not work" if elsewhere
                 else "no workflow has a step so named")
        known = sorted({t.id for t in _from_worked(worked) if t.by == SWEEP})
        return (f'no workflow this sweep works ({selected}) has the step "{step}": {where}; '
                + (f"its sweep steps: {', '.join(known)}" if known else "it has no sweep step from the states worked"))
    taken = [t for t in _from_worked(worked) if t.id == step]
    if any(t.by == SWEEP for t in taken):
        return None
    names = ", ".join(sorted(set(named)))
    if taken:
        return f'the step "{step}" of {names} is taken by staff; a sweep takes only sweep steps (by: sweep)'
    return f'the step "{step}" of {names} leaves none of the states this sweep works ({selected})'


def _from_worked(worked: Worked) -> list[Transition]:
    """The steps (staff's and the sweep's) leaving a state the sweep works."""
    return [t for workflow, states in worked for t in workflow.transitions
            if any(t.leaves(state, workflow.states) for state in states)]
