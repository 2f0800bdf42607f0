"""A version in words, and what changed between two versions or two revisions of a document.

    version_words(doc, version)        the version's terms: each figure with what it is, in words
    version_diff(doc, older, newer)    the changes from one version to another, as rows
    document_diff(before, after)       a revision against another: header, inputs, each version

The words are the kinds' (`RuleKind.terms`, in the phrases of engine.rules.wording that the
explanations use); a diff matches terms by group and key, so a kind added to the registry
is read and compared without anything here knowing it. A group found on one side only (a
line, a rule, a cycle added or removed) is one row with its terms in words; otherwise each
term that changed, came or went is a row: `Water use, tier 2 rate, meter size 3/4": $2.57
per CCF → $2.70 per CCF`.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

from engine.rules.document import RuleDocument, Version
from engine.rules.kinds import kind_named
from engine.rules.tagged import program_uses
from engine.rules.wording import Term, input_words, version_terms

CHANGED, ADDED, REMOVED = "changed", "added", "removed"


@dataclass(frozen=True)
class Change:
    """One row of a diff: what changed, its value before and after (empty when it came or went)."""

    group: str
    label: str
    before: str
    after: str
    change: str  # changed | added | removed

    @property
    def what(self) -> str:
        """The group and the term: `Water use, tier 2 rate, meter size 3/4"` (the group alone when it came or went)."""
        return f"{self.group}, {self.label}" if self.label else self.group

    def __str__(self) -> str:
        """The change in words, as a list of changes prints it."""
        if self.change == CHANGED:
            return f"{self.what}: {self.before} → {self.after}"
        if self.change == ADDED:
            return f"{self.what} added: {self.after}"
        return f"{self.what} removed (was {self.before})"


def version_words(doc: RuleDocument, version: Version) -> list[Term]:
    """A version in words: its citation and retirement, then its kind's terms."""
    return version_terms(version.reference, version.adopted, version.retired) + kind_named(doc.kind).terms(doc, version)


def grouped(terms: list[Term]) -> list[tuple[str, list[Term]]]:
    """Terms by group, in the order the groups first come (as a version's words are listed)."""
    order = {}
    for term in terms:
        order.setdefault(term.group, len(order))
    ordered = sorted(terms, key=lambda term: order[term.group])
    return [(group, list(items)) for group, items in groupby(ordered, key=lambda term: term.group)]


def terms_diff(before: list[Term], after: list[Term]) -> list[Change]:
    """The changes from one list of terms to another, in the order of the newer (removals where they stood)."""
    old = {term.identity: term for term in before}
    new = {term.identity: term for term in after}
    old_groups = {term.group for term in before}
    new_groups = {term.group for term in after}
    rows: list[Change] = []
    for group, terms in grouped(after):
        if group not in old_groups:
            rows.append(Change(group, "", "", "; ".join(map(str, terms)), ADDED))
            continue
        for term in terms:
            was = old.get(term.identity)
            if was is None:
                rows.append(Change(group, term.label, "", term.value, ADDED))
            elif was.value != term.value:
                rows.append(Change(group, term.label, was.value, term.value, CHANGED))
        rows += [Change(group, term.label, term.value, "", REMOVED)
                 for term in before if term.group == group and term.identity not in new]
    for group, terms in grouped(before):
        if group not in new_groups:
            rows.append(Change(group, "", "; ".join(map(str, terms)), "", REMOVED))
    return rows


def version_diff(doc: RuleDocument, older: Version, newer: Version,
                 newer_doc: RuleDocument | None = None) -> list[Change]:
    """What changes from one version to another (of one document, or of two revisions of it)."""
    return terms_diff(version_words(doc, older), version_words(newer_doc or doc, newer))


def header_words(doc: RuleDocument) -> list[Term]:
    """A document's header and inputs in words: what a revision may change besides its versions."""
    terms = [Term("Document", "title", doc.title)]
    if doc.header.get("label"):
        terms.append(Term("Document", "label", str(doc.header["label"])))
    if doc.description:
        terms.append(Term("Document", "description", doc.description))
    if doc.department:
        terms.append(Term("Document", "department", doc.department))
    if doc.tags:
        terms.append(Term("Document", "used by the program as", "; ".join(
            f"{tag.purpose} ({tag.name})" for tag in program_uses(doc))))
    return terms + [Term("Inputs", name, input_words(spec)) for name, spec in doc.inputs.items()]


@dataclass(frozen=True)
class VersionChanges:
    """The changes to one version, by its effective date: added, removed, or changed (its rows)."""

    effective: str
    change: str
    rows: list[Change]


def document_diff(before: RuleDocument, after: RuleDocument) -> tuple[list[Change], list[VersionChanges]]:
    """A revision against another: header and inputs as rows, then each version added, removed or changed."""
    header = terms_diff(header_words(before), header_words(after))
    old = {version.effective: version for version in before.versions}
    new = {version.effective: version for version in after.versions}
    versions = []
    for effective in sorted(old.keys() | new.keys()):
        day = effective.isoformat()
        if effective not in old:
            words = version_words(after, new[effective])
            versions.append(VersionChanges(day, ADDED, terms_diff([], words)))
        elif effective not in new:
            words = version_words(before, old[effective])
            versions.append(VersionChanges(day, REMOVED, terms_diff(words, [])))
        elif rows := version_diff(before, old[effective], new[effective], after):
            versions.append(VersionChanges(day, CHANGED, rows))
    return header, versions
