"""The kinds of rule document are registered in one place: one module each, asked by the rest of the core."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from engine.rules.kinds import KINDS, REGISTRY, explained, kind_named
from engine.rules.kinds.base import RuleKind

CORE = Path(__file__).resolve().parents[2] / "engine" / "rules"


def test_the_kinds_of_the_city_are_registered_by_name():
    assert KINDS == ("schedule", "criteria", "calendar", "deadline", "measure", "services", "payment-order", "sweep",
                     "bill-messages", "meter-reads", "billing")
    assert all(isinstance(kind, RuleKind) and REGISTRY[name] is kind for name, kind in REGISTRY.items())
    assert [kind_named(name).takes_period for name in KINDS] == [True, False, False, False, False, False, False, False,
                                                                 False, False, False]
    assert [kind_named(name).takes_inputs for name in KINDS] == [True, True, False, True, False, False, False, False,
                                                                 False, False, False]


def _kind_tests(path: Path) -> list[str]:
    """Where a module compares a `.kind` with the name of a kind: `doc.kind == "deadline"`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            reads_kind = any(isinstance(side, ast.Attribute) and side.attr == "kind" for side in sides)
            names_one = any(isinstance(side, ast.Constant) and side.value in KINDS for side in sides)
            if reads_kind and names_one:
                found.append(f"{path.name}:{node.lineno}")
    return found


@pytest.mark.parametrize("path", sorted(p for p in CORE.glob("*.py")), ids=lambda p: p.name)
def test_no_module_of_the_core_outside_the_kinds_tests_a_documents_kind(path):
    """Adding a kind is a module in engine/rules/kinds/ (and its evaluator), not edits across the core."""
    assert _kind_tests(path) == []


def test_the_check_above_can_fail(tmp_path):
    module = tmp_path / "dispatch.py"
    module.write_text('def f(doc):\n    return doc.kind == "deadline"\n')
    assert _kind_tests(module) == ["dispatch.py:2"]


def test_a_result_is_explained_by_its_kind():
    shown = {"rule": "late-fee", "version": "2024-07-01", "reference": "Resolution 2024-31", "as_of": "2026-03-02",
             "total": "20.00", "lines": [{"name": "Late payment penalty (10%)", "amount": "20.00",
                                          "detail": "10% of past due balance $200.00"}]}
    assert explained("schedule", shown) == [
        "late-fee (version of 2024-07-01, Resolution 2024-31) as of 2026-03-02",
        "  Late payment penalty (10%): 20.00  (10% of past due balance $200.00)",
        "  total: 20.00"]
