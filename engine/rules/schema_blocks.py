"""The building blocks of the rule documents' JSON Schemas (draft 2020-12), shared by every kind.

Each kind (`engine.rules.kinds`) builds the schema of its versions' own keys from these;
`engine.rules.schema` puts a kind's document together and validates against it.
"""
from __future__ import annotations

from typing import TypeAlias

from engine.rules.document import INPUT_TYPES
from engine.rules.types import JsonValue

JsonSchema: TypeAlias = dict[str, JsonValue]

DRAFT = "https://json-schema.org/draft/2020-12/schema"
COMMON_VERSION_KEYS = ("effective", "reference", "adopted", "retired")
COMPARISONS = ("eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in", "exists")


def ref(name: str) -> JsonSchema:
    """A reference to one of the shared definitions."""
    return {"$ref": f"#/$defs/{name}"}


def mapping(properties: JsonSchema, required: tuple[str, ...] = (), **more: JsonValue) -> JsonSchema:
    """A mapping with exactly these keys allowed (additionalProperties false)."""
    schema: JsonSchema = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = list(required)
    schema.update(more)
    return schema


def whole(minimum: int = 0, maximum: int | None = None) -> JsonSchema:
    """A whole number at least `minimum` (and at most `maximum`)."""
    schema: JsonSchema = {"type": "integer", "minimum": minimum}
    if maximum is not None:
        schema["maximum"] = maximum
    return schema


def text() -> JsonSchema:
    """Text of at least one character."""
    return {"type": "string", "minLength": 1}


def date_text() -> JsonSchema:
    """A date written YYYY-MM-DD (as JSON has it, and as mapping keys are kept)."""
    return {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$", "description": "a date, YYYY-MM-DD"}


def number() -> JsonSchema:
    """A number (read exactly as a Decimal)."""
    return {"type": "number"}


def fact_name() -> JsonSchema:
    """The name of a fact (an input)."""
    return {"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_]*$",
            "description": "a fact name: letters, digits and _, starting with a letter"}


def definitions() -> JsonSchema:
    """The pieces shared by the kinds: dates, scalars, inputs, conditions, versions."""
    scalar = {"description": "text, a number, true/false or a date",
              "anyOf": [{"type": ["string", "number", "boolean"]}, ref("date")]}
    leaf_comparisons = {
        "fact": fact_name(), "eq": ref("scalar"), "ne": ref("scalar"),
        "gt": ref("ordered"), "gte": ref("ordered"), "lt": ref("ordered"), "lte": ref("ordered"),
        "in": {"type": "array", "items": ref("scalar"), "minItems": 1},
        "not_in": {"type": "array", "items": ref("scalar"), "minItems": 1},
        "exists": {"type": "boolean"},
    }
    condition_list = {"type": "array", "items": ref("condition"), "minItems": 1}
    shorthand = {"type": "object", "maxProperties": 1, "propertyNames": fact_name(),
                 "additionalProperties": ref("scalar"),
                 "description": "one of all, any, not, {fact: F, ..} or the shorthand {F: value}"}
    return {
        "date": date_text(),
        "scalar": scalar,
        "ordered": {"description": "a number or a date", "anyOf": [number(), ref("date")]},
        "condition": {
            "type": "object", "minProperties": 1,
            "if": {"required": ["all"]}, "then": mapping({"all": condition_list}),
            "else": {
                "if": {"required": ["any"]}, "then": mapping({"any": condition_list}),
                "else": {
                    "if": {"required": ["not"]}, "then": mapping({"not": ref("condition")}),
                    "else": {
                        "if": {"required": ["fact"]},
                        "then": mapping(leaf_comparisons, ("fact",), minProperties=2),
                        "else": shorthand,
                    },
                },
            },
        },
        "input": mapping({
            "type": {"enum": list(INPUT_TYPES)},
            "values": {"type": "array", "items": text(), "minItems": 1, "uniqueItems": True},
            "min": ref("ordered"), "max": ref("ordered"),
            "default": ref("scalar"),
            "required": {"type": "boolean"},
        }, ("type",)),
        "inputs": {"type": "object", "propertyNames": fact_name(), "additionalProperties": ref("input")},
    }


def version(kind_keys: JsonSchema, required: tuple[str, ...]) -> JsonSchema:
    """A version: its date and citation, and the kind's own keys unless it is retired."""
    common = {"effective": ref("date"), "reference": text(), "adopted": ref("date"),
              "retired": {"type": "boolean"}}
    return mapping({**common, **kind_keys}, ("effective",), **{
        "if": {"required": ["retired"], "properties": {"retired": {"const": True}}},
        "then": {"propertyNames": {
            "enum": list(COMMON_VERSION_KEYS),
            "description": "a retired version has only effective, retired, reference and adopted"}},
        "else": {"required": list(required)} if required else {},
    })
