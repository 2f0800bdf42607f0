"""Read workflow definitions (WORKFLOW-FORMAT.md): safe YAML, then every check, each error with file:line and path.

`load_workflow(text, source, rules)` gives a `Workflow` or raises `DocumentErrors` listing every
problem (the checks are in `engine.workflow.checks`). `WorkflowSet.from_folder` reads a
folder, keyed by (id, version), so a case opened under an old version keeps it, and checks
that each `open:` names a workflow of the set.
"""
from __future__ import annotations

from pathlib import Path
from collections.abc import Collection, Iterable, Iterator

from engine.rules.errors import DocumentError, DocumentErrors
from engine.rules.library import RuleLibrary
from engine.rules.messages import line_at
from engine.rules.yamlsafe import read_yaml
from engine.workflow.checks import DefinitionReader
from engine.workflow.model import Workflow


def load_workflow(text: str, source: str, rules: RuleLibrary, approval_roles: Collection[str] = frozenset()) -> Workflow:
    """A validated Workflow from YAML text, or DocumentErrors naming every problem (a role named must be a page
    role or one of `approval_roles`, the city's)."""
    try:
        read = read_yaml(text, source)
    except DocumentError as error:
        raise DocumentErrors([error]) from None
    if not isinstance(read.data, dict):
        raise DocumentErrors([DocumentError(source, 1, "",
                                            "a workflow is a mapping with id, title, states, transitions")])
    reader = DefinitionReader(read.data, source, read.lines, rules, approval_roles)
    workflow = reader.run()
    if reader.errors or workflow is None:
        raise DocumentErrors(sorted(reader.errors, key=lambda e: (e.line, e.path)))
    return workflow


class WorkflowSet:
    """Every workflow definition of a folder, by (id, version); the newest version opens new cases."""

    def __init__(self, workflows: dict[tuple[str, int], Workflow]) -> None:
        """Hold workflows already checked (use from_folder or from_paths)."""
        self._workflows = dict(workflows)

    @classmethod
    def from_paths(cls, paths: Iterable[str | Path], rules: RuleLibrary,
                   approval_roles: Collection[str] = frozenset()) -> WorkflowSet:
        """Every `*.yaml`/`*.yml` under the given files and folders; DocumentErrors listing every problem."""
        errors: list[DocumentError] = []
        found: dict[tuple[str, int], Workflow] = {}
        for file in _files(paths, errors):
            try:
                workflow = load_workflow(file.read_text(encoding="utf-8"), str(file), rules, approval_roles)
            except DocumentErrors as bad:
                errors.extend(bad.errors)
                continue
            if workflow.key in found:
                errors.append(DocumentError(str(file), _line(workflow, "version"), "version",
                                            f"{workflow.id} version {workflow.version} is already defined in "
                                            f"{found[workflow.key].source}"))
            else:
                found[workflow.key] = workflow
        errors.extend(_open_errors(found))
        if errors:
            raise DocumentErrors(sorted(errors, key=lambda e: (e.source, e.line, e.path)))
        return cls(found)

    @classmethod
    def from_folder(cls, path: str | Path, rules: RuleLibrary,
                    approval_roles: Collection[str] = frozenset()) -> WorkflowSet:
        """Every workflow under a folder."""
        return cls.from_paths([path], rules, approval_roles)

    def get(self, workflow_id: str, version: int | None = None) -> Workflow:
        """The workflow by id, at `version` (a case's) or the newest; LookupError if there is none."""
        versions = sorted(v for (i, v) in self._workflows if i == workflow_id)
        if not versions:
            raise LookupError(f"no workflow named {workflow_id!r}; workflows: {', '.join(self.ids()) or 'none'}")
        chosen = versions[-1] if version is None else version
        if (workflow_id, chosen) not in self._workflows:
            raise LookupError(f"{workflow_id} has no version {chosen} (versions: {', '.join(map(str, versions))})")
        return self._workflows[(workflow_id, chosen)]

    def tagged(self, tag: str) -> tuple[str, ...]:
        """The ids of the workflows (any version) that carry a tag, sorted."""
        return tuple(sorted({w.id for w in self._workflows.values() if tag in w.tags}))

    def the_one_tagged(self, tag: str) -> Workflow:
        """The newest version of the one workflow that carries a tag; LookupError when none or several do."""
        found = self.tagged(tag)
        if len(found) != 1:
            raise LookupError(f"one workflow is tagged {tag}, not {len(found)} ({', '.join(found) or 'none'})")
        return self.get(found[0])

    def states_tagged(self, tag: str, workflow_ids: tuple[str, ...] | None = None) -> dict[str, tuple[str, ...]]:
        """The states carrying a tag, by workflow id (any version; only these workflows, if given)."""
        found: dict[str, set[str]] = {}
        for workflow in self._workflows.values():
            if workflow_ids is None or workflow.id in workflow_ids:
                found.setdefault(workflow.id, set()).update(workflow.states_tagged(tag))
        return {workflow_id: tuple(sorted(states)) for workflow_id, states in sorted(found.items()) if states}

    def ids(self) -> list[str]:
        """The workflow ids, sorted."""
        return sorted({i for (i, _) in self._workflows})

    def __iter__(self) -> Iterator[Workflow]:
        """Every workflow, by id and version."""
        return iter(self._workflows[k] for k in sorted(self._workflows))


def _files(paths: Iterable[str | Path], errors: list[DocumentError]) -> list[Path]:
    """The definition files under the given paths, in a stable order."""
    files: list[Path] = []
    for path in map(Path, paths):
        if not path.exists():
            errors.append(DocumentError(str(path), 1, "", "no such file or folder"))
        elif path.is_file():
            files.append(path)
        else:
            files.extend(sorted({f for p in ("*.yaml", "*.yml") for f in path.rglob(p) if f.is_file()}))
    return files


def _line(workflow: Workflow, path: str) -> int:
    """The line of a path in the workflow's file."""
    return line_at(workflow.lines, path)


def _open_errors(found: dict[tuple[str, int], Workflow]) -> Iterable[DocumentError]:
    """An error for each `open:` naming a workflow that is not defined."""
    ids = {i for (i, _) in found}
    for workflow in found.values():
        for t in workflow.transitions:
            for action in t.actions:
                if action.kind == "open" and action.value not in ids:
                    yield DocumentError(workflow.source, _line(workflow, action.path), action.path,
                                        f"no workflow named {action.value!r}; workflows: {', '.join(sorted(ids))}")
