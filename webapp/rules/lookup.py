"""Reading rule documents for the pages: which version is in force on a day, versions in words, diffs, lint."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from engine.rules.diff import Change, grouped, version_diff, version_words
from engine.rules.document import RuleDocument, Version
from engine.rules.errors import EvaluationError
from engine.rules.library import RuleLibrary
from engine.rules.lint import LintWarning, lint_document
from engine.rules.versions import version_in_force
from engine.rules.wording import VERSION_GROUP, Term


@dataclass(frozen=True)
class VersionLine:
    """A version of a document, where it stands on the day (in force, future or past), and its terms in words."""

    version: Version
    standing: str  # in force | future | past
    words: list[tuple[str, list[Term]]]  # the version's terms by group, as engine.rules.diff words them


def in_force(doc: RuleDocument, on: date) -> Version | None:
    """The version in force on the day, or None (none yet, or retired)."""
    try:
        return version_in_force(doc, on)
    except EvaluationError:
        return None


def documents(library: RuleLibrary, on: date) -> list[tuple[RuleDocument, Version | None]]:
    """Every document with its version in force on the day."""
    return [(doc, in_force(doc, on)) for doc in library]


def versions(doc: RuleDocument, on: date) -> list[VersionLine]:
    """The document's versions, newest first, each marked in force, future or past on the day."""
    current = in_force(doc, on)
    lines = []
    for version in doc.versions:
        standing = "in force" if version is current else ("future" if version.effective > on else "past")
        # the page heads each version with its reference, adoption and retirement; the words say the rest
        words = [(group, terms) for group, terms in grouped(version_words(doc, version)) if group != VERSION_GROUP]
        lines.append(VersionLine(version, standing, words))
    return list(reversed(lines))


def version_on(doc: RuleDocument, effective: str | None) -> Version | None:
    """The document's version taking effect on that day (ISO text, as a page's choice sends it), or None."""
    return next((v for v in doc.versions if v.effective.isoformat() == effective), None)


def version_pair(doc: RuleDocument, older: str | None, newer: str | None) -> tuple[Version, Version] | None:
    """The two versions chosen for a diff; by default the one before the newest and the newest (None: one version)."""
    if len(doc.versions) < 2:
        return None
    first, second = version_on(doc, older), version_on(doc, newer)
    if first is None or second is None:
        return doc.versions[-2], doc.versions[-1]
    return first, second


def diff_of(doc: RuleDocument, pair: tuple[Version, Version]) -> list[Change]:
    """What changes from the first version of the pair to the second, as rows."""
    return version_diff(doc, *pair)


def warnings(doc: RuleDocument, library: RuleLibrary) -> list[LintWarning]:
    """The lint warnings of one document (its linked documents resolved in the library)."""
    return lint_document(doc, {other.id: other for other in library})
