"""Reading rule documents for the pages: which version is in force on a day, and versions in plain values."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from engine.rules.document import RuleDocument, Version
from engine.rules.errors import EvaluationError
from engine.rules.library import RuleLibrary
from engine.rules.versions import version_in_force


# How a document's comparison keys read on the page.
KEY_WORDS = {"lt": "less than", "lte": "at most", "gt": "more than", "gte": "at least", "eq": "equals",
             "ne": "is not", "in": "one of", "upto": "up to", "all": "all of", "any": "any of"}


@dataclass(frozen=True)
class VersionLine:
    """A version of a document and where it stands on the day: in force, future or past."""

    version: Version
    standing: str  # in force | future | past
    content: Any  # the body as plain text values, for reading


def in_force(doc: RuleDocument, on: date) -> Version | None:
    """The version in force on the day, or None (none yet, or retired)."""
    try:
        return version_in_force(doc, on)
    except EvaluationError:
        return None


def documents(library: RuleLibrary, on: date) -> list[tuple[RuleDocument, Version | None]]:
    """Every document with its version in force on the day."""
    return [(doc, in_force(doc, on)) for doc in library]


def plain(value: Any) -> Any:
    """A version's body as plain values: numbers and dates as written, mappings and lists kept."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


def versions(doc: RuleDocument, on: date) -> list[VersionLine]:
    """The document's versions, newest first, each marked in force, future or past on the day."""
    current = in_force(doc, on)
    lines = []
    for version in doc.versions:
        standing = "in force" if version is current else ("future" if version.effective > on else "past")
        lines.append(VersionLine(version, standing, plain(version.body)))
    return list(reversed(lines))
