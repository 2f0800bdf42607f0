"""Reading the workflow definitions in the rule store, and the one check of a workflow draft.

Each stored revision is a whole definition's YAML as written. Every published revision is
kept in force for the cases opened under it (a case keeps its version); the newest version
in force on a day opens new cases. `check_workflow_draft` is the check the store, the import
and the draft page make: the definition's own errors with line and path
(`engine.workflow.definitions.read_workflow`), its `open:` names against the published
workflows, where its cases go (`engine.workflow.paths`, as `load_workflow` checks every definition that comes
in: every state reached, every state not final left, every `requires_sent:` hold given a way out), what it
names that the city does not have (assistance programs in its `when:`s:
`engine.rulebook.drafting.city_errors`, the rule documents' own check), and what publishing
it would refuse on `today`. Nothing here writes.
"""
from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.rulebook.drafting import city_data, city_errors
from engine.rulebook.revisions import sha256_of
from engine.rules.errors import DocumentError, DocumentErrors
from engine.rules.library import RuleLibrary
from engine.roles import role_ids
from engine.workflow.definitions import WorkflowSet, read_files, read_workflow
from engine.workflow.model import Workflow
from engine.workflow.paths import path_errors
from engine.workflow.swept import sweep_step_errors
from engine.store.models import WorkflowVersion

NOT_IN_STORE = ("The workflows are not in the rule store yet, so a new version cannot be drafted here. "
                "An administrator loads them first (ordinance workflows import).")
WORKFLOWS_FOLDER = Path(__file__).resolve().parents[2] / "workflows"  # read while the store has no published workflow


def source_of(row: WorkflowVersion) -> str:
    """How errors and the history name a stored revision."""
    return f"{row.workflow_id} revision {row.revision}"


def history(session: Session, workflow_id: str) -> list[WorkflowVersion]:
    """Every revision of a workflow, oldest first."""
    return list(session.scalars(select(WorkflowVersion).where(WorkflowVersion.workflow_id == workflow_id)
                                .order_by(WorkflowVersion.revision)))


def revision(session: Session, workflow_id: str, number: int) -> WorkflowVersion | None:
    """A stored revision of a workflow, or None."""
    return session.scalar(select(WorkflowVersion).where(WorkflowVersion.workflow_id == workflow_id,
                                                        WorkflowVersion.revision == number))


def next_revision(session: Session, workflow_id: str) -> int:
    """The number the workflow's next revision takes."""
    return (session.scalar(select(func.max(WorkflowVersion.revision))
                           .where(WorkflowVersion.workflow_id == workflow_id)) or 0) + 1


def published_rows(session: Session, workflow_id: str | None = None) -> list[WorkflowVersion]:
    """Every published revision (one per workflow and version), by id and version."""
    query = select(WorkflowVersion).where(WorkflowVersion.status == "published")
    if workflow_id is not None:
        query = query.where(WorkflowVersion.workflow_id == workflow_id)
    return list(session.scalars(query.order_by(WorkflowVersion.workflow_id, WorkflowVersion.version)))


def has_published_workflows(session: Session) -> bool:
    """Whether the store holds any published workflow (else the running system reads the folder)."""
    return session.scalar(select(WorkflowVersion.id).where(WorkflowVersion.status == "published")
                          .limit(1)) is not None


def stored_workflow(row: WorkflowVersion, rules: RuleLibrary, approval_roles: Collection[str] = frozenset()) -> Workflow:
    """The definition a stored revision holds, checked against the rules and the city's approval roles (its source
    named by id and revision). Where its cases go was checked when it was drafted or imported: a version published
    before a path check was added still runs the cases opened under it, and one kept with a title longer than the store
    now takes (SQLite keeps longer text) is read as kept."""
    return read_workflow(row.yaml_text, source_of(row), rules, approval_roles, stored=True)


def published_workflows(session: Session, rules: RuleLibrary) -> WorkflowSet:
    """Every published version of every workflow, checked against the rules and approval roles: what the city runs on."""
    roles = role_ids(session)
    return WorkflowSet.of([stored_workflow(row, rules, roles) for row in published_rows(session)])


def workflows_run(session: Session, rules: RuleLibrary, folder: str | Path = WORKFLOWS_FOLDER) -> list[Workflow]:
    """The workflows the city runs, read against `rules`: what a sweep document coming in is checked against. The
    published ones; while the store has none, the workflows folder (the program's, which the running system reads
    then; `ordinance rules validate` names its own), those of its files that read."""
    if has_published_workflows(session):
        return list(published_workflows(session, rules))
    return read_files([folder], rules, role_ids(session))[0]


def waiting_drafts(session: Session) -> list[tuple[WorkflowVersion, bool]]:
    """Every draft, newest first, each with whether a later revision was published since (superseded)."""
    published = dict(session.execute(select(WorkflowVersion.workflow_id, WorkflowVersion.revision)
                                     .where(WorkflowVersion.status == "published")
                                     .order_by(WorkflowVersion.revision)).all())
    drafts = session.scalars(select(WorkflowVersion).where(WorkflowVersion.status == "draft")
                             .order_by(WorkflowVersion.created_at.desc(), WorkflowVersion.id.desc()))
    return [(row, published.get(row.workflow_id, 0) > row.revision) for row in drafts]


# --- what a new version may not do ----------------------------------------------------------


def version_problems(published: Sequence[WorkflowVersion], workflow: Workflow, today: date) -> list[str]:
    """Why `workflow` may not be published beside the workflow's published revisions on `today` (empty: it may)."""
    same = next((row for row in published if row.version == workflow.version), None)
    if same is not None:
        if same.sha256 == sha256_of(workflow.text):
            return [f"version {workflow.version} is published already (revision {same.revision})"]
        return [f"version {workflow.version} is published (revision {same.revision}) and never changes: cases run "
                f"on it; a change is a new version (version: {max(r.version for r in published) + 1})"]
    if not published:
        return []
    newest = max(published, key=lambda row: row.version)
    if workflow.version < newest.version:
        return [f"version {newest.version} is published; a new version is numbered {newest.version + 1} or more"]
    later = f"{today} or later"
    if workflow.effective is None:
        return [f"a new version takes effect on a day: add effective: YYYY-MM-DD ({later}); until then version "
                f"{newest.version} opens new cases"]
    if workflow.effective < today:
        return [f"effective {workflow.effective} is in the past: cases opened since then are on version "
                f"{newest.version}; date it {later}"]
    if newest.effective is not None and workflow.effective <= newest.effective:
        return [f"effective {workflow.effective} is not after version {newest.version}'s ({newest.effective})"]
    return []


# --- checking a draft --------------------------------------------------------------------------


@dataclass
class WorkflowDraftCheck:
    """A draft's text checked: the definition it makes, its errors, and what publishing it would refuse."""

    text: str
    source: str
    workflow: Workflow | None = None
    errors: list[DocumentError] = field(default_factory=list)
    publish_problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No errors: the draft may be stored."""
        return not self.errors


def check_workflow_draft(session: Session, rules: RuleLibrary, workflow_id: str | None, text: str, today: date, *,
                         source: str | None = None) -> WorkflowDraftCheck:
    """Every check of a draft of `workflow_id` (None: whichever workflow the text is), against the published rules
    and the city's data (the assistance programs it runs)."""
    check = WorkflowDraftCheck(text=text, source=source or f"{workflow_id or 'workflow'} (draft)")
    try:
        workflow = check.workflow = read_workflow(text, check.source, rules, role_ids(session))
    except DocumentErrors as bad:
        check.errors = list(bad.errors)
        return check
    if workflow_id is not None and workflow.id != workflow_id:
        check.errors = [DocumentError(check.source, workflow.lines.get("id", 1), "id",
                                      f'this page drafts "{workflow_id}"; the text says "{workflow.id}"')]
        return check
    others = [w for w in published_workflows(session, rules) if w.key != workflow.key]
    try:
        WorkflowSet.of([workflow, *others])
    except DocumentErrors as bad:
        check.errors += [error for error in bad.errors if error.source == check.source]
    check.errors += path_errors(workflow)
    check.errors += sweep_step_errors(rules, [workflow, *others])
    check.errors += city_errors(workflow, city_data(session))
    if check.ok:
        check.publish_problems = version_problems(published_rows(session, workflow.id), workflow, today)
    return check
