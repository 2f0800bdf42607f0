"""Read workflow definitions (WORKFLOW-FORMAT.md): safe YAML, then every check, each error with file:line and path.

`load_workflow(text, source, rules)` gives a `Workflow` (its text kept as written) or raises
`DocumentErrors` listing every problem: the definition's own (`engine.workflow.checks`), then
where its cases can go (`engine.workflow.paths`: every state reached and left, every case a
`requires_sent:` holds given a way out). Every way a definition comes in reads it so: a folder,
an import, a draft. `read_workflow` makes only the first checks: a revision the store
published is read as it was published, its paths checked on the way in.
`WorkflowSet.from_folder` reads a folder and `WorkflowSet.of` takes definitions already read
(the rule store's published ones), keyed by (id, version), so a case opened under an old
version keeps it, and checks that each `open:` names a workflow of the set and, given the rules, that each step
a sweep document names is one it can take (`engine.workflow.swept`). A new case opens
on the newest version in force on its day: a version with `effective:` opens cases from that
day, one without from the start.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from collections.abc import Collection, Iterable, Iterator

from engine.rules.document import RuleDocument
from engine.rules.errors import DocumentError, DocumentErrors
from engine.rules.library import RuleLibrary
from engine.rules.messages import line_at
from engine.rules.yamlsafe import read_yaml
from engine.workflow.checks import DefinitionReader
from engine.workflow.model import Workflow
from engine.workflow.paths import path_errors
from engine.workflow.swept import sweep_step_errors


def load_workflow(text: str, source: str, rules: RuleLibrary,
                  approval_roles: Collection[str] | None = frozenset()) -> Workflow:
    """A validated Workflow from YAML text whose every state is reached and left and whose every hold has a way out,
    or DocumentErrors naming every problem (a role named must be a page role or one of `approval_roles`)."""
    workflow = read_workflow(text, source, rules, approval_roles)
    errors = path_errors(workflow)
    if errors:
        raise DocumentErrors(errors)
    return workflow


def read_workflow(text: str, source: str, rules: RuleLibrary,
                  approval_roles: Collection[str] | None = frozenset(), stored: bool = False) -> Workflow:
    """A Workflow from YAML text that passes the definition's own checks, or DocumentErrors naming every problem (a
    role named must be a page role or one of `approval_roles`, the city's; None: they are not known, any role is
    taken); where its cases go is not checked, nor, for text `stored` in the rule store, the store's lengths."""
    try:
        read = read_yaml(text, source)
    except DocumentError as error:
        raise DocumentErrors([error]) from None
    if not isinstance(read.data, dict):
        raise DocumentErrors([DocumentError(source, 1, "",
                                            "a workflow is a mapping with id, title, states, transitions")])
    reader = DefinitionReader(read.data, source, read.lines, rules, approval_roles, stored)
    workflow = reader.run()
    if reader.errors or workflow is None:
        raise DocumentErrors(sorted(reader.errors, key=lambda e: (e.line, e.path)))
    return replace(workflow, text=text)


class WorkflowSet:
    """Every workflow definition of a folder, by (id, version); the newest version opens new cases."""

    def __init__(self, workflows: dict[tuple[str, int], Workflow]) -> None:
        """Hold workflows already checked (use from_folder, from_paths or of)."""
        self._workflows = dict(workflows)

    @classmethod
    def from_paths(cls, paths: Iterable[str | Path], rules: RuleLibrary,
                   approval_roles: Collection[str] = frozenset()) -> WorkflowSet:
        """Every `*.yaml`/`*.yml` under the given files and folders; DocumentErrors listing every problem."""
        return cls.of(*read_files(paths, rules, approval_roles), sweeps=rules)

    @classmethod
    def of(cls, workflows: Iterable[Workflow], errors: Iterable[DocumentError] = (),
           sweeps: Iterable[RuleDocument] = ()) -> WorkflowSet:
        """A set of definitions already read: one per (id, version), each `open:` naming one, each step a sweep
        document of `sweeps` names one it works (engine.workflow.swept); else DocumentErrors."""
        workflows, errors = list(workflows), list(errors)
        errors.extend(sweep_step_errors(sweeps, workflows))
        found: dict[tuple[str, int], Workflow] = {}
        for workflow in workflows:
            if workflow.key in found:
                errors.append(DocumentError(workflow.source, _line(workflow, "version"), "version",
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

    def get(self, workflow_id: str, version: int | None = None, on: date | None = None) -> Workflow:
        """The workflow by id: at `version` (a case's), else the newest in force `on` (None: the newest).

        LookupError if there is none.
        """
        versions = sorted(v for (i, v) in self._workflows if i == workflow_id)
        if not versions:
            raise LookupError(f"no workflow named {workflow_id!r}; workflows: {', '.join(self.ids()) or 'none'}")
        chosen = version if version is not None else versions[-1] if on is None else self._in_force(workflow_id, on)
        if (workflow_id, chosen) not in self._workflows:
            raise LookupError(f"{workflow_id} has no version {chosen} (versions: {', '.join(map(str, versions))})")
        return self._workflows[(workflow_id, chosen)]

    def _in_force(self, workflow_id: str, on: date) -> int:
        """The newest version of a workflow that opens cases on the day; LookupError when none does yet."""
        versions = sorted((v, w.effective) for (i, v), w in self._workflows.items() if i == workflow_id)
        in_force = [v for v, effective in versions if effective is None or effective <= on]
        if not in_force:
            dates = ", ".join(f"version {v} from {effective}" for v, effective in versions)
            raise LookupError(f"no version of {workflow_id} is in force on {on} ({dates})")
        return in_force[-1]

    def tagged(self, tag: str) -> tuple[str, ...]:
        """The ids of the workflows (any version) that carry a tag, sorted."""
        return tuple(sorted({w.id for w in self._workflows.values() if tag in w.tags}))

    def the_one_tagged(self, tag: str, on: date | None = None) -> Workflow:
        """The newest version (in force `on`) of the one workflow tagged so; LookupError when none or several are."""
        found = self.tagged(tag)
        if len(found) != 1:
            raise LookupError(f"one workflow is tagged {tag}, not {len(found)} ({', '.join(found) or 'none'})")
        return self.get(found[0], on=on)

    def states_tagged(self, tag: str, workflow_ids: tuple[str, ...] | None = None) -> dict[str, tuple[str, ...]]:
        """The states carrying a tag, by workflow id (any version; only these workflows, if given)."""
        found: dict[str, set[str]] = {}
        for workflow in self._workflows.values():
            if workflow_ids is None or workflow.id in workflow_ids:
                found.setdefault(workflow.id, set()).update(workflow.states_tagged(tag))
        return {workflow_id: tuple(sorted(states)) for workflow_id, states in sorted(found.items()) if states}

    def states_tagged_by_version(self, tag: str) -> dict[tuple[str, int], tuple[str, ...]]:
        """The states carrying a tag, by workflow id and version (a case keeps its version); only those with some."""
        return {key: states for key in sorted(self._workflows)
                if (states := self._workflows[key].states_tagged(tag))}

    def ids(self) -> list[str]:
        """The workflow ids, sorted."""
        return sorted({i for (i, _) in self._workflows})

    def __iter__(self) -> Iterator[Workflow]:
        """Every workflow, by id and version."""
        return iter(self._workflows[k] for k in sorted(self._workflows))


def check_beside(workflows: list[Workflow], others: Iterable[Workflow], rules: RuleLibrary) -> WorkflowSet:
    """Definitions coming in, with the others the city has (one of the same id and version is replaced): the set, or
    DocumentErrors naming every definition defined twice, `open:` naming none of them, step a sweep document of the
    rules names and cannot take (engine.workflow.swept)."""
    replaced = {w.key for w in workflows}
    return WorkflowSet.of([*workflows, *(w for w in others if w.key not in replaced)], sweeps=rules)


def validate_files(paths: Iterable[str | Path], rules: RuleLibrary, beside: str | Path | None = None) -> list[Workflow]:
    """Every definition under the given files and folders checked from the files alone, as a folder read checks it
    (where there is no database: the city's approval roles are not known, so any role is taken): its own checks,
    where its cases go, its `open:` names among them or the definitions of the folder `beside` (standing for what
    the city has published), the steps the sweep documents of `rules` name; DocumentErrors naming every problem."""
    workflows, errors = read_files(paths, rules, approval_roles=None)
    if errors:
        raise DocumentErrors(errors)
    check_beside(workflows, folder_workflows(beside, rules) if beside is not None else [], rules)
    return workflows


def folder_workflows(folder: str | Path, rules: RuleLibrary) -> list[Workflow]:
    """The definitions of a folder that read against `rules`, checked from the files alone (any role taken: the city's
    approval roles are not known), none when it is no folder: what stands for the workflows the city has published
    where there is no database to ask (`ordinance workflows validate`, and the steps sweep documents name in
    `ordinance rules validate`)."""
    return read_files([folder], rules, approval_roles=None)[0] if Path(folder).is_dir() else []


def read_files(paths: Iterable[str | Path], rules: RuleLibrary,
               approval_roles: Collection[str] | None = frozenset()) -> tuple[list[Workflow], list[DocumentError]]:
    """Each definition under the given files and folders, its text byte for byte; and the errors of those that fail
    (a role named must be a page role or one of `approval_roles`)."""
    errors: list[DocumentError] = []
    read = []
    for file in _files(paths, errors):
        try:
            read.append(load_workflow(file.read_bytes().decode("utf-8"), str(file), rules, approval_roles))
        except DocumentErrors as bad:
            errors.extend(bad.errors)
        except UnicodeDecodeError:
            errors.append(DocumentError(str(file), 1, "", "not UTF-8 text"))
    return read, errors


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
