"""The rule store: every revision of a rule document kept as written, drafted, then published.

A revision is a whole document's YAML text, byte for byte, with its SHA-256, who drafted it,
who approved it and when. A published revision never changes (the database refuses it); a
change is a new revision, and it may not change or remove a version that is or has been in
force, nor add one dated in the past. The newest published revision of each document is
what the city runs on. Every change writes an audit row; nothing here commits or reads the
clock (`now` and `today` come in). A draft is stored from the check of its text
(`engine.rulebook.drafting.check_draft`), which the draft page makes too; reading the store
is `engine.rulebook.revisions`; who may publish is `engine.rulebook.approval`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import audit
from engine.city import get_city
from engine.rulebook.approval import may_publish
from engine.rulebook.drafting import (DraftCheck, check_draft, city_data, city_errors, column_errors,
                                      in_force_problems, prefixed, settled_dates)
from engine.rulebook.revisions import (newest, newest_published, next_revision, published_documents, published_library,
                                       revision, revision_document, sha256_of)
from engine.rulebook.workflow_revisions import WORKFLOWS_FOLDER, workflows_run
from engine.rules.bounds import effective_window_errors
from engine.money.ledger.kept import kept_day, rebuild_balances
from engine.money.ledger.order import payment_orders
from engine.rules.document import RuleDocument
from engine.rules.services import PAYMENT_ORDER_KIND, PaymentOrders, payment_orders_of
from engine.rules.errors import DocumentError, DocumentErrors
from engine.rules.kinds import kind_named
from engine.rules.library import RuleLibrary, read_rule_file, rule_files
from engine.store.models import RuleVersion
from engine.workflow.swept import sweep_step_errors
from engine.users import get_user

SYSTEM_USER = "import"  # who drafts and approves the rules loaded at the city's first set-up
RULE_APPROVERS = ("supervisor", "admin")
FOLDER_NAME = re.compile(r"^[a-z0-9-]+$")


class RuleStoreError(ValueError):
    """A change to the rule store that cannot be made; the message says why."""


@dataclass
class ImportReport:
    """What an import did: revisions published, revisions drafted, documents left as they were."""

    published: list[RuleVersion] = field(default_factory=list)
    drafted: list[RuleVersion] = field(default_factory=list)
    unchanged: list[RuleVersion] = field(default_factory=list)


def export_path(row: RuleVersion) -> Path:
    """Where a document is written: its kind's own folder (calendar/, sweeps/), else its department's, else its
    kind's name."""
    folder = row.department if row.department and FOLDER_NAME.match(row.department) else row.kind
    return Path(kind_named(row.kind).folder or folder) / f"{row.document_id}.yaml"


def export(session: Session, folder: str | Path) -> list[Path]:
    """Write each document's newest published text, byte for byte, under `folder`; the files written."""
    written = []
    for row in newest_published(session):
        path = Path(folder) / export_path(row)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(row.yaml_text.encode("utf-8"))
        written.append(path)
    return written


def read_folder(folder: str | Path) -> list[RuleDocument]:
    """Every document under a folder, each text exactly as in its file; DocumentErrors listing all."""
    documents, errors = [], []
    path = Path(folder)
    if not path.exists():
        raise DocumentErrors([DocumentError(str(path), 1, "", "no such file or folder")])
    for file in rule_files(path):
        try:
            documents.append(read_rule_file(file))
        except DocumentErrors as bad:
            errors.extend(bad.errors)
    if errors:
        raise DocumentErrors(errors)
    return documents


def _check_references(session: Session, documents: list[RuleDocument], published: dict[str, RuleDocument]) -> None:
    """Check documents (one per id) with the published ones they join or replace, and the steps their sweeps name
    against the workflows the city runs; DocumentErrors if any."""
    errors = sweep_errors(session, documents, published.values())
    if errors:
        raise DocumentErrors(errors)


def sweep_errors(session: Session, documents: list[RuleDocument], others: Iterable[RuleDocument],
                 workflows_dir: str | Path = WORKFLOWS_FOLDER) -> list[DocumentError]:
    """Each step a sweep document among `documents` names that the workflows the city runs cannot take
    (engine.workflow.swept): the published workflows, else those of `workflows_dir`, read against `documents` with
    the `others` they join (one of the same id is replaced). What an import and `ordinance rules validate` check;
    DocumentErrors if the documents do not make a library with the others."""
    return sweep_step_errors(documents, workflows_run(session, joined(documents, others), workflows_dir))


def joined(documents: list[RuleDocument], others: Iterable[RuleDocument]) -> RuleLibrary:
    """The documents with the others they join, one of the same id replaced: what workflows are read against when
    the documents come in; DocumentErrors if they do not make a library."""
    replaced = {doc.id for doc in documents}
    return RuleLibrary.from_documents([*documents, *(doc for doc in others if doc.id not in replaced)])


def _check_effective_dates(documents: list[RuleDocument], published: dict[str, RuleDocument], today: date) -> None:
    """Versions within 10 years of `today` (those already published stay as they are); DocumentErrors if not."""
    errors = [error for doc in documents
              for error in effective_window_errors(doc, today, settled_dates(published.get(doc.id)))]
    if errors:
        raise DocumentErrors(errors)


def _check_city(session: Session, documents: list[RuleDocument]) -> None:
    """Documents that name only what the city has (its languages, its assistance programs); DocumentErrors if not."""
    city = city_data(session)
    errors = [error for doc in documents for error in city_errors(doc, city)]
    if errors:
        raise DocumentErrors(errors)


# --- people --------------------------------------------------------------------------------


def rule_editor(session: Session, username: str, what: str, things: str = "rule versions") -> str:
    """The username of an active supervisor or administrator, or a RuleStoreError naming `what`."""
    user = get_user(session, username)
    if user is None or not user.active:
        raise RuleStoreError(f"the {what} {username!r} is not an active user")
    if user.role not in RULE_APPROVERS:
        raise RuleStoreError(f"the {what} {user.username} is a {user.role}; {things} are "
                             f"drafted and approved by a supervisor or an administrator")
    return user.username


def draft_author(session: Session, username: str, things: str = "rule versions") -> str:
    """Who drafts: a supervisor, an administrator, or the system's import."""
    return SYSTEM_USER if username == SYSTEM_USER else rule_editor(session, username, "author", things)


def second_person(session: Session, author: str, approver: str) -> None:
    """Refuse an approver who drafted the revision when the city asks for a second person."""
    refusal = may_publish(author, approver, get_city(session))
    if refusal is not None:
        raise RuleStoreError(refusal)


# --- drafting and publishing ----------------------------------------------------------------


def _add(session: Session, doc: RuleDocument, author: str, now: datetime) -> RuleVersion:
    """A new draft revision of a checked document, audited."""
    row = RuleVersion(document_id=doc.id, revision=next_revision(session, doc.id), kind=doc.kind,
                      title=doc.title, department=doc.department, yaml_text=doc.text, sha256=sha256_of(doc.text),
                      status="draft", latest_effective=doc.versions[-1].effective, author=author,
                      approver=None, created_at=now, published_at=None, note="")
    session.add(row)
    session.flush()
    audit.record(session, actor=author, action="rule.draft", subject_type="rule", subject_id=doc.id,
                 detail={"revision": row.revision, "sha256": row.sha256}, at=now)
    return row


def _approve(session: Session, row: RuleVersion, approver: str, now: datetime) -> RuleVersion:
    """Mark a checked draft published by `approver`, audited; a payment order that changes the kept day rebuilds."""
    before = payment_orders(session) if row.kind == PAYMENT_ORDER_KIND else None
    row.status, row.approver, row.published_at = "published", approver, now
    session.flush()
    audit.record(session, actor=approver, action="rule.publish", subject_type="rule", subject_id=row.document_id,
                 detail={"revision": row.revision, "sha256": row.sha256, "author": row.author}, at=now)
    if before is not None:
        _keep_with_the_new_order(session, before, payment_orders_of(revision_document(row)), approver, now)
    return row


def _keep_with_the_new_order(session: Session, before: PaymentOrders, after: PaymentOrders, approver: str,
                             now: datetime) -> None:
    """Rebuild the kept balances when the order in force on the kept day changes (a version effective on it)."""
    day = kept_day(session).as_of
    if day is not None and before.on(day) != after.on(day):
        rebuild_balances(session, day, now=now, actor=approver)


def _publish_problems(session: Session, doc: RuleDocument, today: date) -> list[str]:
    """Why `doc` may not become the published revision on `today` (empty when it may)."""
    current = newest(session, doc.id, "published")
    if current is None:
        return []
    return [f"{doc.id}: {problem}" for problem in in_force_problems(revision_document(current), doc, today)]


def draft(session: Session, checked: DraftCheck, author: str, now: datetime) -> RuleVersion:
    """Store a checked text as a new draft revision; DocumentErrors (nothing stored) if the check found errors."""
    if not checked.ok or checked.document is None:
        raise DocumentErrors(checked.errors)
    doc = checked.document
    author = draft_author(session, author)
    latest = newest(session, doc.id, "draft", "published")
    if latest is not None and latest.sha256 == sha256_of(doc.text):
        raise RuleStoreError(f"{doc.id}: the text is the same as revision {latest.revision} ({latest.status})")
    return _add(session, doc, author, now)


def publish(session: Session, document_id: str, number: int, approver: str, now: datetime,
            today: date) -> RuleVersion:
    """Publish a draft revision: a second person, no in-force version changed; audited."""
    row = revision(session, document_id, number)
    if row is None:
        raise RuleStoreError(f"{document_id} has no revision {number}")
    if row.status != "draft":
        raise RuleStoreError(f"revision {number} of {document_id} is {row.status}, not a draft")
    approver = rule_editor(session, approver, "approver")
    second_person(session, row.author, approver)
    current = newest(session, document_id, "published")
    if current is not None and current.revision > number:
        raise RuleStoreError(f"revision {current.revision} of {document_id} was published after this draft "
                             f"was written; draft again from revision {current.revision}")
    checked = check_draft(session, document_id, row.yaml_text, today, source=f"{document_id} revision {number}",
                          workflows=workflows_run(session, published_library(session)))
    if not checked.ok:
        raise DocumentErrors(checked.errors)
    if checked.publish_problems:
        raise RuleStoreError(prefixed(document_id, checked.publish_problems))
    return _approve(session, row, approver, now)


# --- importing a folder -------------------------------------------------------------------


def import_people(session: Session, author: str | None, approver: str | None, first_set_up: bool,
                  things: str = "rule versions") -> tuple[str, str | None]:
    """Who drafts and who approves an import (approver None: drafts only); the system's import into an empty store."""
    if author is None and approver is None:
        return SYSTEM_USER, SYSTEM_USER if first_set_up else None
    if author is None:
        raise RuleStoreError("an approver approves someone's drafts: say who drafted them (--author)")
    author = draft_author(session, author, things)
    if approver is None:
        return author, None
    approver = rule_editor(session, approver, "approver", things)
    second_person(session, author, approver)
    return author, approver


def _sort_out(session: Session, documents: list[RuleDocument], approving: bool,
              report: ImportReport) -> list[tuple[RuleDocument, RuleVersion | None]]:
    """The documents to store, each with the earlier import's draft of the same text to approve, if any."""
    changed = []
    for doc in documents:
        current, pending = newest(session, doc.id, "published"), newest(session, doc.id, "draft")
        sha = sha256_of(doc.text)
        if current is not None and current.sha256 == sha:
            report.unchanged.append(current)
        elif pending is not None and pending.sha256 == sha and pending.revision > (current.revision if current else 0):
            if approving:
                changed.append((doc, pending))
            else:
                report.unchanged.append(pending)
        else:
            changed.append((doc, None))
    return changed


def import_documents(session: Session, documents: Iterable[RuleDocument], *, actor: str, now: datetime,
                     today: date, author: str | None = None, approver: str | None = None) -> ImportReport:
    """Store every new or changed document, all or nothing: published when approved, else drafts; audited."""
    documents = sorted(documents, key=lambda d: d.id)
    published = {doc.id: doc for doc in published_documents(session)}
    _check_references(session, documents, published)
    _check_effective_dates(documents, published, today)
    _check_city(session, documents)
    first_set_up = not session.scalar(select(func.count()).select_from(RuleVersion)
                                      .where(RuleVersion.status == "published"))
    author, approver = import_people(session, author, approver, first_set_up)
    report = ImportReport()
    changed = _sort_out(session, documents, approver is not None, report)
    problems = [str(error) for doc, _ in changed for error in column_errors(doc)]
    if approver is not None:
        for doc, pending in changed:
            if pending is not None:
                second_person(session, pending.author, approver)
            problems += _publish_problems(session, doc, today)
    if problems:
        raise RuleStoreError("\n".join(problems))
    for doc, pending in changed:
        row = pending or _add(session, doc, author, now)
        if approver is None:
            report.drafted.append(row)
        else:
            report.published.append(_approve(session, row, approver, now))
    audit.record(session, actor=actor, action="rule.import", subject_type="rules", subject_id="import",
                 detail={"author": author, "approver": approver,
                         "published": [f"{r.document_id} r{r.revision}" for r in report.published],
                         "drafted": [f"{r.document_id} r{r.revision}" for r in report.drafted],
                         "unchanged": len(report.unchanged)}, at=now)
    return report


def import_folder(session: Session, folder: str | Path, *, actor: str, now: datetime, today: date,
                  author: str | None = None, approver: str | None = None) -> ImportReport:
    """Import every document under a folder, all or nothing (see import_documents)."""
    return import_documents(session, read_folder(folder), actor=actor, now=now, today=today,
                            author=author, approver=approver)
