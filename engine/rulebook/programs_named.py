"""Which published rule documents and workflows name an assistance program, in a version in force or to come.

A program the city drops from its list while a published version that is in force on `today`,
or dated after it, names it (`assistance_programs contains ID`) would leave that condition
never matching: the guarded city setting refuses such a list (engine.two_person, when it is
asked for and again when a second person approves it). The conditions are found by the one
walk the draft check uses (engine.rulebook.drafting: `condition_places`, `workflow_conditions`,
`mentions_in`). A rule document's version is in force from its `effective` day until the
next version's, unless retired; a workflow's version opens cases from its `effective` day
(from the start without one) until a later version does, and goes on deciding the steps of
the cases it opened until they close. Nothing here writes.
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.rulebook.drafting import condition_places, mentions_in, workflow_conditions
from engine.rulebook.revisions import newest_published, revision_document
from engine.rulebook.workflow_revisions import published_rows, source_of
from engine.rules.document import RuleDocument
from engine.store.models import Case, WorkflowVersion


@dataclass(frozen=True)
class Naming:
    """A published version naming programs: the document's kind (a rule kind, or `workflow`), its id, the version in
    words, and the program ids it names (each once, in the order written)."""

    kind: str
    id: str
    version: str
    programs: tuple[str, ...]

    def words(self) -> str:
        """`criteria shutoff-eligibility, version effective 2027-01-01 (revision 2)`."""
        return f"{self.kind} {self.id}, {self.version}"


def _live_rule_versions(doc: RuleDocument, today: date) -> list[int]:
    """The positions of a document's versions in force on `today` or dated after it (retired ones name nothing)."""
    started = [number for number, version in enumerate(doc.versions) if version.effective <= today]
    live = started[-1:] + [number for number, version in enumerate(doc.versions) if version.effective > today]
    return [number for number in live if not doc.versions[number].retired]


def _live_workflow_rows(rows: list[WorkflowVersion], today: date,
                        followed: Collection[tuple[str, int]] = ()) -> list[WorkflowVersion]:
    """A workflow's published versions that open cases on `today` or will from a later day, and the older ones
    that open cases still follow (`followed`: their workflow ids and versions), in version order."""
    started = [row for row in rows if row.effective is None or row.effective <= today]
    newest = max(started, key=lambda row: row.version, default=None)
    return [row for row in rows if row is newest or (row.effective is not None and row.effective > today)
            or (row.workflow_id, row.version) in followed]


def _followed_by_open_cases(session: Session) -> set[tuple[str, int]]:
    """The workflow versions that open cases follow: a step's condition there still decides for them."""
    return set(session.execute(select(Case.workflow_id, Case.workflow_version)
                               .where(Case.closed_at.is_(None)).distinct()).tuples())


def _unique(programs: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(programs))


def documents_naming(session: Session, today: date) -> list[Naming]:
    """Every published version in force on `today` or dated after it whose conditions name an assistance program:
    rule documents by id, then workflows by id and version."""
    found = []
    for row in newest_published(session):
        doc = revision_document(row)
        for number in _live_rule_versions(doc, today):
            named = _unique([program for _, _, program in mentions_in(condition_places(doc, versions=(number,)))])
            if named:
                version = doc.versions[number]
                found.append(Naming(doc.kind, doc.id, f"version effective {version.effective} (revision "
                                                      f"{row.revision})", named))
    rows, followed = published_rows(session), _followed_by_open_cases(session)
    for workflow_id in dict.fromkeys(row.workflow_id for row in rows):
        for row in _live_workflow_rows([r for r in rows if r.workflow_id == workflow_id], today, followed):
            named = _unique([program for _, _, program in mentions_in(workflow_conditions(row.yaml_text,
                                                                                         source_of(row)))])
            if named:
                found.append(Naming("workflow", row.workflow_id, f"version {row.version}"
                                    + (f" from {row.effective}" if row.effective else ""), named))
    return found


def removal_refusal(session: Session, kept: Collection[str], today: date) -> str | None:
    """Why a list of programs keeping only `kept` may not replace the city's on `today`: the programs it leaves out
    that published versions in force or to come still name, each with those versions; None when none does."""
    left_out: dict[str, list[Naming]] = {}
    for naming in documents_naming(session, today):
        for program in naming.programs:
            if program not in kept:
                left_out.setdefault(program, []).append(naming)
    if not left_out:
        return None
    each = "; ".join(f"{program!r} is named by {', '.join(naming.words() for naming in namings)}"
                     for program, namings in left_out.items())
    return (f"assistance programs: {each}. A condition naming a program the city does not run would never match: "
            "publish versions that do not name it first, then leave it out.")
