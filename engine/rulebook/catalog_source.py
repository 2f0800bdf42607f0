"""Where the running system reads the city's rules and workflows: the rule store's published revisions.

The newest published revision of each rule document is what the city runs on, and every
published version of each workflow (a case keeps the version it opened under). A folder is
read only while the store has published none of its kind: the rules/ folder before
`ordinance demo` or `ordinance rules import`, the workflows/ folder in a database from
before workflows were published (until `ordinance workflows import`), which the log says
once per process and folder.

The workflows are checked against the approval roles the city has defined (engine.roles).
`CatalogCache` keeps one catalog per process and builds it again when the publications
or the approval roles change: its stamp is the count and the newest id of the published rule
and workflow revisions and the approval roles' ids, three small queries (a published
revision never changes, so a new publication always moves the stamp).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from threading import Lock

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from engine.roles import role_ids
from engine.rules.library import RuleLibrary
from engine.rulebook.revisions import published_library
from engine.rulebook.workflow_revisions import published_workflows
from engine.store.models import RuleVersion, WorkflowVersion
from engine.workflow.definitions import WorkflowSet
from engine.workflow.services import Catalog

Stamp = tuple[int, int]
NOTHING_PUBLISHED: Stamp = (0, 0)
log = logging.getLogger("ordinance.catalog")
_told: set[str] = set()  # the workflow folders the log has named already
# the rules' and the workflows' publications, and the approval roles, a catalog was built on
CatalogStamp = tuple[Stamp, Stamp, frozenset[str]]


def publication_stamp(session: Session) -> Stamp:
    """How many revisions are published and the newest one's id ((0, 0) when none is)."""
    count, newest = session.execute(select(func.count(RuleVersion.id), func.max(RuleVersion.id))
                                    .where(RuleVersion.status == "published")).one()
    return int(count or 0), int(newest or 0)


def workflow_stamp(session: Session) -> Stamp:
    """How many workflow revisions are published and the newest one's id ((0, 0) when none is)."""
    count, newest = session.execute(select(func.count(WorkflowVersion.id), func.max(WorkflowVersion.id))
                                    .where(WorkflowVersion.status == "published")).one()
    return int(count or 0), int(newest or 0)


def catalog_stamp(session: Session) -> CatalogStamp:
    """What a cached catalog depends on: the rules' and the workflows' publications, and the approval roles."""
    return publication_stamp(session), workflow_stamp(session), role_ids(session)


def current_workflows(session: Session, rules: RuleLibrary, workflows_dir: str | Path) -> WorkflowSet:
    """The store's published workflows, checked against the rules; the folder's while the store has none."""
    if workflow_stamp(session) != NOTHING_PUBLISHED:
        return published_workflows(session, rules)
    if str(workflows_dir) not in _told:
        _told.add(str(workflows_dir))
        log.warning("the rule store has no published workflows: reading the folder %s; load it into the store "
                    "with `ordinance workflows import`", workflows_dir)
    return WorkflowSet.from_folder(workflows_dir, rules, role_ids(session))


def catalog_from_store(session: Session, workflows_dir: str | Path) -> Catalog:
    """The published rules with the published workflows (the folder's while none is), checked against them."""
    rules = published_library(session)
    return Catalog(rules=rules, workflows=current_workflows(session, rules, workflows_dir))


@lru_cache(maxsize=4)
def _folder_catalog(rules_dir: str, workflows_dir: str, approval_roles: frozenset[str]) -> Catalog:
    """The folders read and checked once per process (apps made one after another share them)."""
    return Catalog.load(rules_dir, workflows_dir, approval_roles)


def current_catalog(session: Session, rules_dir: str | Path, workflows_dir: str | Path) -> Catalog:
    """The store's published rules and workflows; a folder's for each kind the store has none of (workflows
    checked against the city's approval roles)."""
    if publication_stamp(session) != NOTHING_PUBLISHED:
        return catalog_from_store(session, workflows_dir)
    if workflow_stamp(session) == NOTHING_PUBLISHED:
        return _folder_catalog(str(rules_dir), str(workflows_dir), role_ids(session))
    rules = RuleLibrary.from_folder(rules_dir)
    return Catalog(rules=rules, workflows=published_workflows(session, rules))


@dataclass
class CatalogCache:
    """One process's catalog, built again when the published revisions change."""

    rules_dir: str | Path
    workflows_dir: str | Path
    _stamp: CatalogStamp | None = None
    _catalog: Catalog | None = None
    _lock: Lock = field(default_factory=Lock)

    def get(self, session: Session) -> Catalog:
        """The catalog for the publications and approval roles the session sees (three small queries when nothing
        changed)."""
        stamp = catalog_stamp(session)
        with self._lock:
            if self._catalog is None or stamp != self._stamp:
                self._catalog, self._stamp = current_catalog(session, self.rules_dir, self.workflows_dir), stamp
            return self._catalog


def catalog_of_database(sessions: sessionmaker[Session], rules_dir: str | Path, workflows_dir: str | Path) -> Catalog:
    """The current catalog read in a session of its own (for the command line)."""
    with sessions() as session:
        return current_catalog(session, rules_dir, workflows_dir)


def current_rules(session: Session, rules_dir: str | Path) -> RuleLibrary:
    """The store's published rules when it has any, else the rules folder's (no workflows)."""
    if publication_stamp(session) == NOTHING_PUBLISHED:
        return RuleLibrary.from_folder(rules_dir)
    return published_library(session)


def rules_of_database(sessions: sessionmaker[Session], rules_dir: str | Path) -> RuleLibrary:
    """The current rules read in a session of their own (for the command line)."""
    with sessions() as session:
        return current_rules(session, rules_dir)
