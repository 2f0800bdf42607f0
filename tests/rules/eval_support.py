"""Test support for the evaluator tests: documents read by the real reader, by id or from text."""
from __future__ import annotations

from pathlib import Path

from engine.rules.document import RuleDocument
from engine.rules.loader import load_document

EXAMPLES = Path(__file__).parent / "examples"
RULES = Path(__file__).resolve().parents[2] / "rules"


def load_text(text: str, source: str = "<test>") -> RuleDocument:
    """A RuleDocument from YAML text, through the real loader."""
    return load_document(text, source)


def example(name: str) -> RuleDocument:
    """One of the RULES-FORMAT.md example documents, by id."""
    path = EXAMPLES / f"{name}.yaml"
    return load_document(path.read_text(), str(path))


def rules_folder_documents(kind: str) -> list[RuleDocument]:
    """Every document of this kind in the sample city's rules/ folder (none until it is written)."""
    found = []
    for path in sorted(RULES.rglob("*.y*ml")) if RULES.is_dir() else []:
        doc = load_document(path.read_text(), str(path))
        if doc.kind == kind:
            found.append(doc)
    return found
