"""What a kind of rule document is: everything the core needs to know about it, in one record.

A `RuleKind` gives the JSON Schema of its versions' own keys, the checks a schema cannot
express, its references to other documents, its evaluator, how a result is explained in
plain lines, its lint warnings, and its versions' figures in words (`terms`, which the version
words and the diffs of engine.rules.diff read). Each kind is one module of this package; the package
lists them (`engine.rules.kinds.KINDS`). The loader, the schema, the library, lint and the
command line ask the kind rather than testing `doc.kind`.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from engine.rules.checks import DocumentChecks
from engine.rules.document import Documents, RuleDocument, Version
from engine.rules.errors import DocumentError
from engine.rules.results import RuleResult
from engine.rules.schema_blocks import JsonSchema
from engine.rules.types import Facts, JsonValue, YamlMapping
from engine.rules.wording import Term

Period = tuple[date, date]
Finding = tuple[str, str]  # a lint warning's path and message
Shown = Mapping[str, JsonValue]  # a result as `to_json()` gives it


class Evaluator(Protocol):
    """Evaluate a document of the kind on a day with facts (and a period, for kinds that take one)."""

    def __call__(self, doc: RuleDocument, facts: Facts, as_of: date, *, library: Documents,
                 period: Period | None) -> RuleResult:
        """The result, with how it was reached."""


def no_document_check(checks: DocumentChecks) -> None:
    """A kind with nothing to check across its versions."""


def no_references(doc: RuleDocument, known: Mapping[str, RuleDocument]) -> Iterator[DocumentError]:
    """A kind that names no other document."""
    return iter(())


def no_warnings(doc: RuleDocument, version: Version, path: str) -> Iterator[Finding]:
    """A kind without lint warnings of its own."""
    return iter(())


def no_header_keys() -> JsonSchema:
    """A kind whose header has only the keys every document has."""
    return {}


def no_terms(doc: RuleDocument, version: Version) -> list[Term]:
    """A kind whose versions say nothing beyond the keys every version has."""
    return []


def reads_no_facts(doc: RuleDocument, version: Version, others: Mapping[str, RuleDocument]) -> Iterable[str]:
    """A kind whose versions read no declared input."""
    return ()


@dataclass(frozen=True)
class RuleKind:
    """One kind of rule document, registered once: schema, checks, references, evaluator, explanation, lint, words."""

    name: str
    version_keys: Callable[[], JsonSchema]  # the JSON Schema of a version's own keys
    required_keys: tuple[str, ...]  # the keys every version that is not retired has
    check_version: Callable[[DocumentChecks, YamlMapping, str], None]
    evaluate: Evaluator
    explain: Callable[[Shown], list[str]]  # a result's lines as a clerk reads them
    check_document: Callable[[DocumentChecks], None] = no_document_check
    references: Callable[[RuleDocument, Mapping[str, RuleDocument]], Iterator[DocumentError]] = no_references
    lint: Callable[[RuleDocument, Version, str], Iterator[Finding]] = no_warnings
    facts_read: Callable[[RuleDocument, Version, Mapping[str, RuleDocument]], Iterable[str]] = reads_no_facts
    terms: Callable[[RuleDocument, Version], list[Term]] = no_terms  # a version's figures in words
    takes_inputs: bool = True
    takes_period: bool = False
    takes_term: bool = False  # priced for a term from a day to another (a license's first year), prorated
    header_keys: Callable[[], JsonSchema] = no_header_keys  # the JSON Schema of the kind's own header keys
    header_required: tuple[str, ...] = ()
    one_per_city: bool = False  # a city has at most one document of the kind (its services, its payment order)
    folder: str | None = None  # the folder its documents are exported to, whatever their department (calendar/)
