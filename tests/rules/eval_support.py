"""Test-only support for the evaluator tests: the example documents as RuleDocuments.

Uses the real reader (`engine.rules.loader.load_document`) when it exists; until then a
small stand-in reads the YAML with yaml.safe_load and converts numbers to Decimal (floats
through their text, only here in tests) and lifts the common version keys, and a stand-in
`engine.rules.versions` chooses versions by date.
"""
from __future__ import annotations

import sys
import types
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import yaml

from engine.rules.document import InputSpec, RuleDocument, Version
from engine.rules.errors import NoVersionInForce

EXAMPLES = Path(__file__).parent / "examples"
RULES = Path(__file__).resolve().parents[2] / "rules"

try:
    from engine.rules.loader import load_document as _real_load
except ImportError:  # the reader's loader has not landed yet
    _real_load = None


def _exact(value):
    """YAML values as the reader hands them: Decimal numbers, str keys as written."""
    if isinstance(value, bool) or value is None or isinstance(value, (str, date)):
        return value
    if isinstance(value, (int, float)):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {(k.isoformat() if isinstance(k, date) else str(k) if not isinstance(k, bool) else str(k).lower()): _exact(v)
                for k, v in value.items()}
    if isinstance(value, list):
        return [_exact(v) for v in value]
    raise TypeError(value)


def _stand_in_load(text: str, source: str) -> RuleDocument:
    """A RuleDocument from YAML text without the real reader (no validation)."""
    raw = yaml.safe_load(text)
    inputs = {}
    for name, spec in (raw.get("inputs") or {}).items():
        spec = _exact(spec)
        values = tuple(str(v) for v in spec["values"]) if "values" in spec else None
        inputs[name] = InputSpec(name, spec["type"], values, spec.get("min"), spec.get("max"),
                                 spec.get("default"), "default" in spec, spec.get("required", True))
    versions = []
    for i, body in enumerate(raw["versions"]):
        body = _exact(body)
        effective = body.pop("effective")
        versions.append(Version(effective, body, body.pop("reference", None), body.pop("adopted", None),
                                body.pop("retired", False), 0, i))
    return RuleDocument(raw["id"], raw["kind"], raw["title"], tuple(versions), inputs, source=source, text=text)


def _stand_in_versions() -> types.ModuleType:
    """Version selection by date, until engine.rules.versions lands."""
    module = types.ModuleType("engine.rules.versions")

    def version_in_force(doc, on):
        found = None
        for version in doc.versions:
            if version.effective <= on:
                found = version
        if found is None or found.retired:
            raise NoVersionInForce(doc.id, on)
        return found

    def versions_over(doc, first, last):
        spans, day = [], first
        while day <= last:
            version = version_in_force(doc, day)
            later = [v.effective for v in doc.versions if v.effective > day]
            end = min(last, later[0] - timedelta(days=1)) if later else last
            spans.append((version, (end - day).days + 1, day, end))
            day = end + timedelta(days=1)
        return spans

    module.version_in_force, module.versions_over = version_in_force, versions_over
    return module


try:
    import engine.rules.versions  # noqa: F401
except ImportError:
    sys.modules["engine.rules.versions"] = _stand_in_versions()
    import engine.rules

    engine.rules.versions = sys.modules["engine.rules.versions"]


def load_text(text: str, source: str = "<test>") -> RuleDocument:
    """A RuleDocument from YAML text, through the real loader when there is one."""
    return (_real_load or _stand_in_load)(text, source)


def example(name: str) -> RuleDocument:
    """One of the RULES-FORMAT.md example documents, by id."""
    path = EXAMPLES / f"{name}.yaml"
    return load_text(path.read_text(), str(path))
