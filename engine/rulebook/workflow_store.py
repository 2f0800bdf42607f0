"""Workflow definitions in the rule store: drafted, approved by a second person, published; imported and exported.

The same steps as the rule documents (`engine.rulebook.store`), with the same people: a
supervisor or an administrator drafts, another approves (`engine.rulebook.approval`), the
system's import publishes the city's first set into an empty store. A published revision
never changes (the database refuses it). What is published is a version of a workflow: a
new one carries the next `version:` and the day it takes effect (`effective:`, today or
later); the cases opened before keep theirs. Every change writes an audit row; nothing here
commits or reads the clock.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from engine import audit
from engine.rulebook.drafting import city_data, city_errors
from engine.rulebook.revisions import sha256_of
from engine.rulebook.store import (RuleStoreError, draft_author, import_people, rule_editor, second_person)
from engine.rulebook.workflow_revisions import (WorkflowDraftCheck, check_workflow_draft, has_published_workflows,
                                                history, next_revision, published_rows, published_workflows,
                                                revision, source_of, version_problems)
from engine.rules.errors import DocumentErrors
from engine.rules.library import RuleLibrary
from engine.store.models import WorkflowVersion
from engine.roles import role_ids
from engine.workflow.definitions import check_beside, load_workflow, read_files
from engine.workflow.form import new_version
from engine.workflow.model import Workflow

THINGS = "workflow versions"


@dataclass
class WorkflowImport:
    """What an import did: revisions published, revisions drafted, definitions left as they were."""

    published: list[WorkflowVersion] = field(default_factory=list)
    drafted: list[WorkflowVersion] = field(default_factory=list)
    unchanged: list[WorkflowVersion] = field(default_factory=list)


def _add(session: Session, workflow: Workflow, author: str, now: datetime) -> WorkflowVersion:
    """A new draft revision of a checked definition, audited."""
    row = WorkflowVersion(workflow_id=workflow.id, revision=next_revision(session, workflow.id),
                          version=workflow.version, title=workflow.title, subject=workflow.subject,
                          effective=workflow.effective, yaml_text=workflow.text, sha256=sha256_of(workflow.text),
                          status="draft", author=author, approver=None, created_at=now, published_at=None, note="")
    session.add(row)
    session.flush()
    audit.record(session, actor=author, action="workflow.draft", subject_type="workflow", subject_id=workflow.id,
                 detail={"revision": row.revision, "version": row.version, "sha256": row.sha256}, at=now)
    return row


def _approve(session: Session, row: WorkflowVersion, approver: str, now: datetime) -> WorkflowVersion:
    """Mark a checked draft published by `approver`, audited."""
    row.status, row.approver, row.published_at = "published", approver, now
    session.flush()
    audit.record(session, actor=approver, action="workflow.publish", subject_type="workflow",
                 subject_id=row.workflow_id, at=now,
                 detail={"revision": row.revision, "version": row.version, "sha256": row.sha256, "author": row.author,
                         "effective": row.effective.isoformat() if row.effective else None})
    return row


def draft(session: Session, checked: WorkflowDraftCheck, author: str, now: datetime) -> WorkflowVersion:
    """Store a checked text as a new draft revision; DocumentErrors (nothing stored) if the check found errors."""
    if not checked.ok or checked.workflow is None:
        raise DocumentErrors(checked.errors)
    workflow = checked.workflow
    author = draft_author(session, author, THINGS)
    sha = sha256_of(workflow.text)
    same = next((row for row in reversed(history(session, workflow.id)) if row.sha256 == sha), None)
    if same is not None:
        raise RuleStoreError(f"{workflow.id}: the text is the same as revision {same.revision} ({same.status})")
    return _add(session, workflow, author, now)


def publish(session: Session, rules: RuleLibrary, workflow_id: str, number: int, approver: str, now: datetime,
            today: date) -> WorkflowVersion:
    """Publish a draft revision: a second person, checked again on `today`; audited."""
    row = revision(session, workflow_id, number)
    if row is None:
        raise RuleStoreError(f"{workflow_id} has no revision {number}")
    if row.status != "draft":
        raise RuleStoreError(f"revision {number} of {workflow_id} is {row.status}, not a draft")
    approver = rule_editor(session, approver, "approver", THINGS)
    second_person(session, row.author, approver)
    checked = check_workflow_draft(session, rules, workflow_id, row.yaml_text, today, source=source_of(row))
    if not checked.ok:
        raise DocumentErrors(checked.errors)
    if checked.publish_problems:
        raise RuleStoreError("\n".join(f"{workflow_id}: {problem}" for problem in checked.publish_problems))
    return _approve(session, row, approver, now)


# --- importing and exporting a folder ------------------------------------------------------------


def _sort_out(session: Session, workflows: list[Workflow], approving: bool,
              report: WorkflowImport) -> list[tuple[Workflow, WorkflowVersion | None]]:
    """The definitions to store, each with the earlier import's draft of the same text to approve, if any."""
    changed = []
    for workflow in workflows:
        rows, sha = history(session, workflow.id), sha256_of(workflow.text)
        published = next((r for r in rows if r.status == "published" and r.version == workflow.version), None)
        pending = next((r for r in reversed(rows) if r.status == "draft" and r.sha256 == sha), None)
        if published is not None and published.sha256 == sha:
            report.unchanged.append(published)
        elif pending is not None and published is None:
            if approving:
                changed.append((workflow, pending))
            else:
                report.unchanged.append(pending)
        else:
            changed.append((workflow, None))
    return changed


def _publish_problems(session: Session, changed: list[tuple[Workflow, WorkflowVersion | None]], approver: str,
                      today: date) -> list[str]:
    """Why an approved import may not publish what it changes; each version judged after those before it."""
    problems: list[str] = []
    coming: dict[str, list[WorkflowVersion]] = {}
    for workflow, pending in changed:
        published = published_rows(session, workflow.id) + coming.get(workflow.id, [])
        if pending is not None:
            second_person(session, pending.author, approver)
        problems += [f"{workflow.source}: {workflow.id}: {p}" for p in version_problems(published, workflow, today)]
        coming.setdefault(workflow.id, []).append(
            WorkflowVersion(workflow_id=workflow.id, version=workflow.version, effective=workflow.effective,
                            revision=0, sha256=sha256_of(workflow.text)))
    return problems


def _dated(session: Session, workflow: Workflow, rules: RuleLibrary, on: date) -> Workflow:
    """A definition without a day of its own as the store keeps it: a new version after a published one opens cases
    from `on` (`effective:` added after `version:`); a published version, from the day it was published with.

    So the sample set, its changed workflows numbered anew, publishes into a store that has their earlier versions,
    and importing the same folder again finds them unchanged. Other definitions are as they are.
    """
    if workflow.effective is not None:
        return workflow
    rows = published_rows(session, workflow.id)
    same = next((row for row in rows if row.version == workflow.version), None)
    if same is not None:
        day = same.effective
    else:
        day = on if rows and max(row.version for row in rows) < workflow.version else None
    if day is None:
        return workflow
    return load_workflow(new_version(workflow.text, workflow.version, day), workflow.source, rules,
                         role_ids(session))


def _check_city(session: Session, workflows: list[Workflow]) -> None:
    """Definitions that name only what the city has (the assistance programs it runs, as a draft is checked);
    DocumentErrors naming every one that does not."""
    city = city_data(session)
    errors = [error for workflow in workflows for error in city_errors(workflow, city)]
    if errors:
        raise DocumentErrors(errors)


def read_definitions(session: Session, paths: Iterable[str | Path], rules: RuleLibrary) -> list[Workflow]:
    """Every definition under the given files and folders, checked as a definition coming in is (its own checks,
    where its cases go, the city's approval roles); DocumentErrors naming every problem."""
    read, errors = read_files(paths, rules, role_ids(session))
    if errors:
        raise DocumentErrors(errors)
    return read


def check_beside_published(session: Session, workflows: list[Workflow], rules: RuleLibrary) -> None:
    """Definitions that name only what the city has, each `open:` naming one of them or a published workflow (a
    published version of the same id and version is replaced), each step a sweep document names one it can take;
    DocumentErrors naming every problem."""
    _check_city(session, workflows)
    check_beside(workflows, list(published_workflows(session, rules)), rules)


def validate(session: Session, paths: Iterable[str | Path], rules: RuleLibrary) -> list[Workflow]:
    """Every definition under the given files and folders checked as an import checks it, nothing written (what
    publishing would refuse on a day is not asked); DocumentErrors naming every problem."""
    workflows = read_definitions(session, paths, rules)
    check_beside_published(session, workflows, rules)
    return workflows


def import_workflows(session: Session, workflows: Iterable[Workflow], rules: RuleLibrary, *, actor: str,
                     now: datetime, today: date, author: str | None = None, approver: str | None = None,
                     effective: date | None = None) -> WorkflowImport:
    """Store every new or changed definition, all or nothing: published when approved, else drafts; audited. A
    definition naming an assistance program the city does not run refuses the whole import (DocumentErrors).

    A new version of a published workflow that names no day of its own opens cases from `effective` (None: today).
    """
    workflows = sorted((_dated(session, w, rules, effective or today) for w in workflows), key=lambda w: w.key)
    check_beside_published(session, workflows, rules)
    first_set_up = not has_published_workflows(session)
    author, approver = import_people(session, author, approver, first_set_up, THINGS)
    report = WorkflowImport()
    changed = _sort_out(session, workflows, approver is not None, report)
    problems = _publish_problems(session, changed, approver, today) if approver is not None else []
    if problems:
        raise RuleStoreError("\n".join(problems))
    for workflow, pending in changed:
        row = pending or _add(session, workflow, author, now)
        if approver is None:
            report.drafted.append(row)
        else:
            report.published.append(_approve(session, row, approver, now))
    audit.record(session, actor=actor, action="workflow.import", subject_type="workflows", subject_id="import",
                 detail={"author": author, "approver": approver,
                         "published": [f"{r.workflow_id} v{r.version} r{r.revision}" for r in report.published],
                         "drafted": [f"{r.workflow_id} v{r.version} r{r.revision}" for r in report.drafted],
                         "unchanged": len(report.unchanged)}, at=now)
    return report


def import_folder(session: Session, folder: str | Path, rules: RuleLibrary, *, actor: str, now: datetime,
                  today: date, author: str | None = None, approver: str | None = None,
                  effective: date | None = None) -> WorkflowImport:
    """Import every definition under a folder, all or nothing (see import_workflows)."""
    return import_workflows(session, read_definitions(session, [folder], rules), rules, actor=actor, now=now, today=today, author=author,
                            approver=approver, effective=effective)


def export_path(row: WorkflowVersion, newest: bool) -> Path:
    """Where a published version is written: ID.yaml for the newest, ID.vN.yaml for each earlier one."""
    return Path(f"{row.workflow_id}.yaml" if newest else f"{row.workflow_id}.v{row.version}.yaml")


def export(session: Session, folder: str | Path) -> list[Path]:
    """Write every published version's text, byte for byte, under `folder`; the files written."""
    rows = published_rows(session)
    newest = {row.workflow_id: row.version for row in rows}  # rows come by id and version
    written = []
    for row in rows:
        path = Path(folder) / export_path(row, newest[row.workflow_id] == row.version)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(row.yaml_text.encode("utf-8"))
        written.append(path)
    return written
