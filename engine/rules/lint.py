"""`ordinance rules lint`: warnings about valid documents that are probably not what was meant.

Warnings, not errors. Every kind: declared inputs that nothing reads; a title or description
that quotes an amount ($75.00) or a percentage (10%) the newest version no longer holds (a
cap changed, the description not). Each kind adds its own
(`RuleKind.lint`): criteria rules that can never match because an earlier rule always wins;
holidays outside the years their version is in force; table and `by` keys that are not
among the input's `values` (and values with no key).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal

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
    found: list[Finding] = list(_unread_inputs(doc, others)) + list(stale_figures(doc))
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


# --- descriptions that quote figures ---------------------------------------------------------

MONEY_QUOTED = re.compile(r"\$\s?(\d[\d,]*(?:\.\d+)?)")
PERCENT_QUOTED = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s?(?:%|percent\b)")


def quoted_figures(text: str) -> list[tuple[str, Decimal]]:
    """The amounts ($75.00) and percentages (10%) a title or description quotes, as written and as numbers."""
    found = [(match[0], Decimal(match[1].replace(",", ""))) for match in MONEY_QUOTED.finditer(text)]
    return found + [(match[0], Decimal(match[1])) for match in PERCENT_QUOTED.finditer(text)]


def figures_in(value: object) -> set[Decimal]:
    """Every number a version's body (or an input's limits) holds, at any depth."""
    if isinstance(value, bool):
        return set()
    if isinstance(value, Decimal):
        return {value}
    if isinstance(value, int):
        return {Decimal(value)}
    if isinstance(value, dict):
        return set().union(*(figures_in(item) for item in value.values()), set())
    if isinstance(value, (list, tuple)):
        return set().union(*(figures_in(item) for item in value), set())
    return set()


def stale_figures(doc: RuleDocument) -> Iterator[Finding]:
    """Amounts and percentages the title or description quotes that the newest version no longer holds."""
    standing = [version for version in doc.versions if not version.retired]
    if not standing:
        return
    newest = standing[-1]
    held = figures_in(newest.body) | {limit for spec in doc.inputs.values()
                                      for limit in (spec.min, spec.max, spec.default) if isinstance(limit, Decimal)}
    for key in ("title", "description"):
        for written, number in quoted_figures(getattr(doc, key) or ""):
            if number not in held:
                yield key, (f"the {key} quotes {written}, which the newest version (effective "
                            f"{newest.effective.isoformat()}) no longer holds: is the {key} still right?")
