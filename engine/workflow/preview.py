"""A workflow draft's preview: the open cases that would change state or see other steps under it.

Each open case of the draft's workflow is judged on the day twice, with the same facts:
under the version it runs on and under the draft. It would change state when the sweep
would take another step (the first sweep step whose checks hold, in the order written, as
the sweeps take them) or when the draft has no state of its name; it would see other steps
when the staff steps a supervisor may take now differ. Cases keep their version, so this
says how the draft treats cases like them. Nothing here writes; `progress(done, total)` is
told after each chunk.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.rules.errors import EvaluationError
from engine.rules.library import RuleLibrary
from engine.rules.types import JsonValue
from engine.store.models import Case
from engine.workflow.definitions import WorkflowSet
from engine.workflow.guards import Actor
from engine.workflow.model import Workflow
from engine.workflow.runtime import judged_steps, workflow_of

LISTED = 50  # cases listed under each heading; the counts cover them all
SWEEP, STAFF = Actor(name="sweep:preview"), Actor(name="preview", role="supervisor")
Progress = Callable[[int, int], None]


@dataclass
class CaseView:
    """What a case would do on the day under one definition: the sweep's next state, and the staff steps open."""

    next_state: str | None
    staff_steps: list[str]


@dataclass
class WorkflowPreview:
    """The preview's report: counts, and the first cases under each heading."""

    workflow: str
    version: int
    today: date
    open_cases: int = 0
    state_changes: int = 0
    step_changes: int = 0
    changes_state: list[dict[str, JsonValue]] = field(default_factory=list)
    other_steps: list[dict[str, JsonValue]] = field(default_factory=list)
    not_judged: list[dict[str, JsonValue]] = field(default_factory=list)

    def to_json(self) -> dict[str, JsonValue]:
        """The report as JSON (the day as text)."""
        return {**self.__dict__, "today": self.today.isoformat()}

    @classmethod
    def from_json(cls, data: dict[str, JsonValue]) -> WorkflowPreview:
        """The report a job keeps."""
        return cls(**{**data, "today": date.fromisoformat(data["today"])})


def view_of(session: Session, rules: RuleLibrary, workflow: Workflow, case: Case, on: date) -> CaseView:
    """The case judged on the day under a definition (its state must be one of the definition's)."""
    sweep = judged_steps(session, rules, workflow, case, SWEEP, on)
    staff = judged_steps(session, rules, workflow, case, STAFF, on)
    taken = next((verdict.step.target for verdict in sweep if verdict.allowed), None)
    return CaseView(next_state=taken, staff_steps=[verdict.step.id for verdict in staff if verdict.allowed])


def _compare(session: Session, rules: RuleLibrary, workflows: WorkflowSet, draft: Workflow, case: Case, on: date,
             report: WorkflowPreview) -> None:
    """Add one case to the report."""
    seen = {"case": case.id, "version": case.workflow_version, "state": case.state}
    now = view_of(session, rules, workflow_of(workflows, case), case, on)
    if case.state not in draft.states:
        report.state_changes += 1
        if len(report.changes_state) < LISTED:
            report.changes_state.append({**seen, "now": now.next_state, "draft": None,
                                         "why": f"the draft has no state {case.state}"})
        return
    then = view_of(session, rules, draft, case, on)
    if now.next_state != then.next_state:
        report.state_changes += 1
        if len(report.changes_state) < LISTED:
            report.changes_state.append({**seen, "now": now.next_state, "draft": then.next_state, "why": ""})
    if now.staff_steps != then.staff_steps:
        report.step_changes += 1
        if len(report.other_steps) < LISTED:
            report.other_steps.append({**seen, "now": now.staff_steps, "draft": then.staff_steps})


def preview_draft(session: Session, rules: RuleLibrary, workflows: WorkflowSet, draft: Workflow, on: date, *,
                  chunk: int = 500, progress: Progress | None = None) -> WorkflowPreview:
    """Judge every open case of the draft's workflow on the day under its own version and under the draft."""
    report = WorkflowPreview(workflow=draft.id, version=draft.version, today=on)
    opened = (Case.workflow_id == draft.id, Case.closed_at.is_(None))
    report.open_cases = session.scalar(select(func.count(Case.id)).where(*opened)) or 0
    done, after = 0, 0
    while True:
        cases = list(session.scalars(select(Case).where(*opened, Case.id > after).order_by(Case.id).limit(chunk)))
        if not cases:
            break
        for case in cases:
            try:
                _compare(session, rules, workflows, draft, case, on, report)
            except (EvaluationError, LookupError) as error:
                report.not_judged.append({"case": case.id, "reason": str(error)})
        done, after = done + len(cases), cases[-1].id
        if progress is not None:
            progress(done, report.open_cases)
    return report
