"""A set of rule documents by id: read from a folder, cross-checked, and evaluated by kind.

`RuleLibrary.from_folder(path)` reads every `*.yaml` and `*.yml` below `path`, refuses two
documents with one id, and checks references between documents (a deadline's `calendar:`
names a calendar, its `late_penalty.schedule:` a schedule whose inputs the deadline can
feed), reporting every error of every file at once as `DocumentErrors`.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from pathlib import Path

from engine.rules import schedule
from engine.rules.document import RuleDocument
from engine.rules.errors import DocumentError, DocumentErrors, EvaluationError
from engine.rules.kinds import kind_named
from engine.rules.kinds.base import Period
from engine.rules.loader import load_document
from engine.rules.yamlsafe import MAX_BYTES, too_big
from engine.rules.results import RuleResult
from engine.rules.tagged import second_of_a_tag
from engine.rules.types import Facts

PATTERNS = ("*.yaml", "*.yml")


def rule_files(path: Path) -> list[Path]:
    """The rule files of a folder, read recursively, in a stable order; or the file itself."""
    if path.is_file():
        return [path]
    return sorted({file for pattern in PATTERNS for file in path.rglob(pattern) if file.is_file()})


def read_rule_file(file: Path, *, named_after_id: bool = True) -> RuleDocument:
    """The document of one rule file, read at most one byte past the size limit (a huge file or a device is never
    read whole); DocumentErrors naming the file when it cannot be read, is not UTF-8, is not a document, or (with
    `named_after_id`) is not named after the document's id, as every file of the rules folder is."""
    if not file.is_file():
        raise DocumentErrors([DocumentError(str(file), 1, "", "not a file: a rule document is a .yaml file")])
    with file.open("rb") as handle:
        raw = handle.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        size = max(file.stat().st_size, len(raw))
        raise DocumentErrors([DocumentError(str(file), 1, "", too_big(size))])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise DocumentErrors([DocumentError(str(file), 1, "", "not UTF-8 text")]) from None
    doc = load_document(text, str(file))
    if named_after_id and file.stem != doc.id:
        raise DocumentErrors([DocumentError(
            str(file), doc.line_of("id"), "id",
            f'the file is named "{file.name}" but the document\'s id is "{doc.id}": a rule file is named after '
            f"its id ({doc.id}{file.suffix})")])
    return doc


def read_documents(paths: Iterable[str | Path], *, named_after_id: bool = True
                   ) -> tuple[list[RuleDocument], list[DocumentError]]:
    """Every document under the given files and folders, and every error met reading them."""
    documents: list[RuleDocument] = []
    errors: list[DocumentError] = []
    for path in map(Path, paths):
        if not path.exists():
            errors.append(DocumentError(str(path), 1, "", "no such file or folder"))
            continue
        if not path.is_file() and not path.is_dir():
            errors.append(DocumentError(str(path), 1, "", "not a file or folder"))
            continue
        for file in rule_files(path):
            try:
                documents.append(read_rule_file(file, named_after_id=named_after_id))
            except DocumentErrors as bad:
                errors.extend(bad.errors)
    return documents, errors


def reference_errors(doc: RuleDocument, known: Mapping[str, RuleDocument]) -> Iterator[DocumentError]:
    """The errors of a document's references to others (a deadline's calendar and penalty schedule), by its kind."""
    return kind_named(doc.kind).references(doc, known)


def _second_of_a_kind(documents: Iterable[RuleDocument]) -> Iterator[DocumentError]:
    """An error for each document of a kind a city has only one of (its services, its payment order) after the first."""
    first: dict[str, RuleDocument] = {}
    for doc in sorted(documents, key=lambda d: d.id):
        if not kind_named(doc.kind).one_per_city:
            continue
        if doc.kind in first:
            yield DocumentError(doc.source, doc.line_of("kind"), "kind",
                                f"the city has one {doc.kind} document, {first[doc.kind].id}; "
                                f"change that one rather than adding {doc.id}")
        else:
            first[doc.kind] = doc


class RuleLibrary:
    """The city's rule documents by id, checked against each other."""

    def __init__(self, documents: Mapping[str, RuleDocument]) -> None:
        """Hold documents already checked (use from_folder or from_documents)."""
        self._documents = dict(documents)

    @classmethod
    def from_documents(cls, documents: Iterable[RuleDocument], *, known: Iterable[RuleDocument] = (),
                       errors: Iterable[DocumentError] = ()) -> RuleLibrary:
        """A library of these documents; `known` ones may be referred to; raises DocumentErrors."""
        found = list(errors)
        by_id: dict[str, RuleDocument] = {}
        for doc in documents:
            if doc.id in by_id:
                found.append(DocumentError(doc.source, doc.line_of("id"), "id",
                                           f'"{doc.id}" is already the id of {by_id[doc.id].source}'))
            else:
                by_id[doc.id] = doc
        found.extend(_second_of_a_kind(by_id.values()))
        lookup = {**{doc.id: doc for doc in known}, **by_id}
        found.extend(second_of_a_tag([*by_id.values(), *(doc for doc in lookup.values() if doc.id not in by_id)]))
        for doc in by_id.values():
            found.extend(reference_errors(doc, lookup))
        if found:
            raise DocumentErrors(sorted(found, key=lambda e: (e.source, e.line, e.path)))
        return cls(by_id)

    @classmethod
    def from_folder(cls, path: str | Path) -> RuleLibrary:
        """Every document under a folder (`*.yaml`, `*.yml`, recursively); raises DocumentErrors."""
        return cls.from_paths([path])

    @classmethod
    def from_paths(cls, paths: Iterable[str | Path], *, known: Iterable[RuleDocument] = (),
                   named_after_id: bool = True) -> RuleLibrary:
        """Every document under the given files and folders; raises DocumentErrors listing all."""
        documents, errors = read_documents(paths, named_after_id=named_after_id)
        return cls.from_documents(documents, known=known, errors=errors)

    def __len__(self) -> int:
        """How many documents."""
        return len(self._documents)

    def __iter__(self) -> Iterator[RuleDocument]:
        """The documents in id order."""
        return iter(sorted(self._documents.values(), key=lambda d: d.id))

    def __contains__(self, document_id: object) -> bool:
        """Whether a document has this id."""
        return document_id in self._documents

    def get(self, document_id: str) -> RuleDocument:
        """The document with this id; an EvaluationError if there is none."""
        try:
            return self._documents[document_id]
        except KeyError:
            raise EvaluationError(f"no rule document named {document_id}") from None

    def title_of(self, document_id: str) -> str:
        """The document's title, as staff pages and bills name it (its id when there is no such document or no
        title: a bill made under a document since removed)."""
        doc = self._documents.get(document_id)
        return (doc.title if doc is not None else "") or document_id

    def evaluate(self, document_id: str, facts: Facts, as_of: date, period: Period | None = None) -> RuleResult:
        """Evaluate a document on `as_of` with `facts`, by its kind; `period` for schedules only."""
        doc = self.get(document_id)
        kind = kind_named(doc.kind)
        if period is not None and not kind.takes_period:
            raise EvaluationError(f"a period applies to schedules only; {doc.id} is a {doc.kind}")
        try:
            return kind.evaluate(doc, facts, as_of, library=self, period=period)
        except ArithmeticError as error:  # decimal's Overflow and InvalidOperation, a date past year 9999
            raise EvaluationError(f"{doc.id} on {as_of.isoformat()}: a number or date is out of range "
                                  f"({type(error).__name__})") from None

    def evaluate_term(self, document_id: str, facts: Facts, as_of: date, term_ends: date) -> RuleResult:
        """A schedule's fee for a term from `as_of` through `term_ends` (a license's first year): the version in
        force on `as_of`, its lines prorated as its `proration:` block says (engine.rules.schedule.evaluate)."""
        doc = self.get(document_id)
        if not kind_named(doc.kind).takes_term:
            raise EvaluationError(f"a term applies to schedules only; {doc.id} is a {doc.kind}")
        try:
            return schedule.evaluate(doc, facts, as_of, library=self, term_ends=term_ends)
        except ArithmeticError as error:  # as evaluate
            raise EvaluationError(f"{doc.id} on {as_of.isoformat()}: a number or date is out of range "
                                  f"({type(error).__name__})") from None
