"""The JSON Schema per kind: valid draft 2020-12, strict, and the same for the editor and the loader."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from engine.rules.kinds import KINDS
from engine.rules.schema import combined_schema, schema_for
from engine.rules.yamlsafe import read_yaml

EXAMPLES = Path(__file__).parent / "examples"


def as_json(value):
    """YAML-read data as an editor holds it: dates as ISO text, whole numbers as int."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    return value


def walk(schema):
    """Every subschema of a schema."""
    if isinstance(schema, dict):
        yield schema
        for value in schema.values():
            yield from walk(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from walk(value)


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_has_a_valid_draft_2020_12_schema(kind):
    """The exported schema is itself valid JSON Schema."""
    schema = schema_for(kind)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize("kind", KINDS)
def test_every_mapping_of_the_schema_refuses_unknown_keys(kind):
    """additionalProperties false wherever a mapping lists its keys: a typo is never ignored."""
    with_keys = [s for s in walk(schema_for(kind)) if "properties" in s and s.get("type") == "object"]
    assert with_keys and all(s["additionalProperties"] is False for s in with_keys)


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_the_editor_schema_accepts_the_examples_as_json(path):
    """The combined schema, as exported, accepts each example with dates as ISO strings."""
    data = as_json(read_yaml(path.read_text(), str(path)).data)
    validator = Draft202012Validator(combined_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)
    assert [e.message for e in validator.iter_errors(data)] == []


def test_the_editor_schema_refuses_a_typo_and_a_bad_date():
    """`titel` and an impossible holiday are caught in the editor too."""
    data = {"id": "city-calendar", "kind": "calendar", "titel": "Calendar",
            "versions": [{"effective": "2026-01-01", "holidays": {"2026-02-30": "Nobody's Day"}}]}
    validator = Draft202012Validator(combined_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)
    messages = sorted(e.message for e in validator.iter_errors(data))
    assert any("'title' is a required property" in m for m in messages)
    assert any("titel" in m for m in messages)
    assert any("2026-02-30" in m for m in messages)


def test_a_schedule_line_has_exactly_one_basis_in_the_schema():
    """The five bases are listed once, in a oneOf the editor can show."""
    line = schema_for("schedule")["properties"]["versions"]["items"]["properties"]["lines"]["items"]
    assert line["oneOf"] == [{"required": [b]} for b in ("amount", "table", "per_unit", "tiers", "percent")]
