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


RECEIPTS_TAX = """
id: receipts-tax
kind: schedule
title: Tax per $1,000 of gross receipts
inputs:
  gross_receipts: {type: money, min: 0}
  rooms: {type: integer, min: 0}
versions:
  - effective: 2026-01-01
    lines:
      - name: Receipts tax
        per_unit: {fact: gross_receipts, rate: 1.20, over: OVER, per: 1000, count: started, max_units: 2000000}
      - name: Rooms
        per_unit: {fact: rooms, rate: 2.00, over: 2, per: 5, count: started, max_units: 40}
"""


def receipts_tax(over: str = "50000") -> RuleDocument:
    """A tax per $1,000 (or fraction) of gross receipts, a money fact, over the first `over` and counted to
    $2,000,000; and a charge per 5 rooms (a count) over the first 2, counted to 40: per-unit lines on both."""
    return load_document(RECEIPTS_TAX.replace("OVER", over), "receipts-tax.yaml")


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
