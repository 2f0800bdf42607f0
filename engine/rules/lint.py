"""`ordinance rules lint`: warnings about valid documents that are probably not what was meant.

Warnings, not errors. Every kind: declared inputs that nothing reads. Each kind adds its own
(`RuleKind.lint`): criteria rules that can never match because an earlier rule always wins;
holidays outside the years their version is in force; table and `by` keys that are not
among the input's `values` (and values with no key).
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from engine.rules.document import RuleDocument
from engine.rules.kinds import kind_named
from engine.rules.kinds.base import Finding


@dataclass(frozen=True)
class LintWarning:
    """One warning, naming the file, the line and the path."""

    source: str
    line: int
    path: str
    message: str

    def __str__(self) -> str:
        """`file:line: path: message`, as the command line prints it."""
        return f"{self.source}:{self.line}: {self.path}: {self.message}"


def lint_documents(documents: Iterable[RuleDocument]) -> list[LintWarning]:
    """Every warning of every document, in file and line order."""
    documents = list(documents)
    by_id = {doc.id: doc for doc in documents}
    warnings = [w for doc in documents for w in lint_document(doc, by_id)]
    return sorted(warnings, key=lambda w: (w.source, w.line, w.path))


def lint_document(doc: RuleDocument, others: Mapping[str, RuleDocument] | None = None) -> list[LintWarning]:
    """The warnings of one document (`others` resolves the penalty schedule of a deadline)."""
    others = others or {}
    kind = kind_named(doc.kind)
    found: list[Finding] = list(_unread_inputs(doc, others))
    for version in doc.versions:
        if not version.retired:
            found += kind.lint(doc, version, f"versions[{version.index}]")
    return [LintWarning(doc.source, doc.line_of(path), path, message) for path, message in found]


def facts_read(doc: RuleDocument, others: Mapping[str, RuleDocument]) -> set[str]:
    """The names of the facts a document reads, in any version (a deadline: its penalty's too)."""
    kind = kind_named(doc.kind)
    return {fact for version in doc.versions for fact in kind.facts_read(doc, version, others)}


def _unread_inputs(doc: RuleDocument, others: Mapping[str, RuleDocument]) -> Iterator[Finding]:
    """Declared inputs that no line, rule or linked document reads."""
    read = facts_read(doc, others)
    for name in doc.inputs:
        if name not in read:
            yield f"inputs.{name}", f"{name} is declared but nothing reads it"
