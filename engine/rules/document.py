"""A rule document once read and validated: what the evaluators work on.

This is the contract between reading (`engine.rules.loader`, which turns YAML text into a
`RuleDocument` or precise errors) and evaluating (each kind's evaluator, see
`engine.rules.kinds`). A `Version.body` is the version's mapping as written in YAML,
already validated: mapping keys are `str` exactly as written; numbers are `Decimal` (an
integer written `7` is `Decimal("7")`); dates are `datetime.date`; booleans are `bool`;
text is `str`; lists are `list`. The common keys `effective`, `retired`, `reference` and
`adopted` are lifted out of `body` into the `Version` itself.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Protocol

from engine.rules.types import YamlValue

INPUT_TYPES = ("number", "integer", "money", "boolean", "text", "date", "list")  # list: of texts (ids)


@dataclass(frozen=True)
class InputSpec:
    """One declared input (fact) of a document, with its type and limits."""

    name: str
    type: str
    values: tuple[str, ...] | None = None
    min: Decimal | date | None = None
    max: Decimal | date | None = None
    default: YamlValue = None
    has_default: bool = False
    required: bool = True


@dataclass(frozen=True)
class Version:
    """One dated version of a document."""

    effective: date
    body: dict[str, YamlValue]
    reference: str | None = None
    adopted: date | None = None
    retired: bool = False
    line: int = 0  # where `- effective:` stands in the file, for messages
    index: int = 0  # position in `versions`, for paths like versions[1]


@dataclass(frozen=True)
class RuleDocument:
    """A validated rule document: its header, its declared inputs and its dated versions."""

    id: str
    kind: str
    title: str
    versions: tuple[Version, ...]
    inputs: dict[str, InputSpec] = field(default_factory=dict)
    department: str | None = None
    description: str | None = None
    source: str = "<text>"  # the file it came from, for messages
    text: str = ""  # the YAML as written
    lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)  # path -> line
    header: dict[str, YamlValue] = field(default_factory=dict)  # the kind's own header keys (a measure's subject)
    tags: tuple[str, ...] = ()  # what the program finds it by (engine.rules.tagged)

    def line_of(self, path: str) -> int:
        """The line where `path` (e.g. `versions[1].lines[2].rate`) stands, or its nearest parent's."""
        while path:
            if path in self.lines:
                return self.lines[path]
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""
        return 1


class Documents(Protocol):
    """What an evaluation may ask of the other rule documents (a RuleLibrary): one of them, by id."""

    def get(self, document_id: str) -> RuleDocument:
        """The document with this id; an EvaluationError if there is none."""

    def __contains__(self, document_id: object) -> bool:
        """Whether a document has this id."""
