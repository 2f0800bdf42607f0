"""The building blocks of the rule documents' JSON Schemas (draft 2020-12), shared by every kind.

Each kind (`engine.rules.kinds`) builds the schema of its versions' own keys from these;
`engine.rules.schema` puts a kind's document together and validates against it. Every number
and date is bounded here, key by key (the limits are `engine.rules.bounds`): a number has a
range (`minimum`/`exclusiveMinimum`, `maximum`), at most so many decimals (`maxDecimals`) and
at most 12 significant digits (`maxDigits`): two keywords of ours, which editors ignore (an
editor's `multipleOf: 0.01` would refuse 24.42 by binary rounding); a date lies in 1900-2199
(`formatMinimum`, `formatMaximum`); a list has at most so many items (`maxItems`).
"""
from __future__ import annotations

from decimal import Decimal
from typing import TypeAlias

from engine.rules import bounds
from engine.rules.document import INPUT_TYPES
from engine.rules.types import JsonValue

JsonSchema: TypeAlias = dict[str, JsonValue]

DRAFT = "https://json-schema.org/draft/2020-12/schema"
COMMON_VERSION_KEYS = ("effective", "reference", "adopted", "retired")
COMPARISONS = ("eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in", "exists")
CREDIT_NOTE = "only a line with credit: true may be below zero"  # the $comment of a line's non-negative amounts


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


def whole(minimum: int, maximum: int) -> JsonSchema:
    """A whole number from `minimum` to `maximum`."""
    return {"type": "integer", "minimum": minimum, "maximum": maximum}


def days() -> JsonSchema:
    """A count of days: 0 to 3650 (ten years)."""
    return whole(0, bounds.MAX_DAYS)


def listing(items: JsonSchema, most: int, least: int = 1) -> JsonSchema:
    """A list of `least` to `most` items."""
    return {"type": "array", "items": items, "minItems": least, "maxItems": most}


TEXT_LIMIT = 2000
NAME_LIMIT = 200
# Characters a text may not hold: control characters but tab and newline, and the marks that reverse the direction of
# the text around them (a name on a bill that would read otherwise than it is written).
NOT_IN_TEXT = "[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]"
READABLE_TEXT = f"^(?=[\\s\\S]*\\S)(?![\\s\\S]*{NOT_IN_TEXT})"


def text(limit: int = TEXT_LIMIT) -> JsonSchema:
    """Text of at least one visible character and at most `limit`, with no control or direction characters."""
    return {"type": "string", "minLength": 1, "maxLength": limit, "pattern": READABLE_TEXT,
            "description": "text with a visible character and no control characters"}


def date_text() -> JsonSchema:
    """A date written YYYY-MM-DD (as JSON has it, and as mapping keys are kept)."""
    return {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$", "description": "a date, YYYY-MM-DD",
            **date_range()}


def bounded(low: Decimal, high: Decimal, places: int, *, above: bool = False) -> JsonSchema:
    """A number from `low` (above it, with `above`) to `high`, with at most `places` decimals and 12 digits."""
    return {"type": "number", "exclusiveMinimum" if above else "minimum": int(low), "maximum": int(high),
            "maxDecimals": places, "maxDigits": bounds.MAX_DIGITS}


def number() -> JsonSchema:
    """Any other number (a condition's literal, an input's limit, an outcome): within 10^12 either way, 6 decimals."""
    return bounded(-bounds.NUMBER_LIMIT, bounds.NUMBER_LIMIT, bounds.NUMBER_PLACES)


def money(credit: bool = False) -> JsonSchema:
    """An amount of money: whole cents, up to $10,000,000.00; below zero only where `credit` allows."""
    return bounded(-bounds.MONEY_LIMIT if credit else Decimal(0), bounds.MONEY_LIMIT, bounds.MONEY_PLACES)


def rate() -> JsonSchema:
    """A price per unit: 0 to 1,000,000, at most 6 decimals."""
    return bounded(Decimal(0), bounds.RATE_LIMIT, bounds.RATE_PLACES)


def percent() -> JsonSchema:
    """A percent: -100 (a discount) to 100, at most 4 decimals."""
    return bounded(Decimal(-100), Decimal(100), bounds.PERCENT_PLACES)


def units(above: bool = False) -> JsonSchema:
    """A count of units of use: 0 (above it, with `above`) to 1,000,000,000, at most 6 decimals."""
    return bounded(Decimal(0), bounds.UNITS_LIMIT, bounds.RATE_PLACES, above=above)


def date_range() -> JsonSchema:
    """The years a date in a rule document may lie in."""
    return {"formatMinimum": bounds.FIRST_DATE.isoformat(), "formatMaximum": bounds.LAST_DATE.isoformat()}


def fact_name() -> JsonSchema:
    """The name of a fact (an input)."""
    return {"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_]*$",
            "description": "a fact name: letters, digits and _, starting with a letter"}


def definitions() -> JsonSchema:
    """The pieces shared by the kinds: dates, scalars, inputs, conditions, versions."""
    scalar = {"description": "text, a number, true/false or a date",
              "anyOf": [{"type": ["string", "boolean"]}, number(), ref("date")]}
    leaf_comparisons = {
        "fact": fact_name(), "eq": ref("scalar"), "ne": ref("scalar"),
        "gt": ref("ordered"), "gte": ref("ordered"), "lt": ref("ordered"), "lte": ref("ordered"),
        "in": listing(ref("scalar"), 100), "not_in": listing(ref("scalar"), 100),
        "exists": {"type": "boolean"}, "contains": text(),
    }
    condition_list = listing(ref("condition"), 50)
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
            "values": {**listing(text(), 200), "uniqueItems": True},
            "min": ref("ordered"), "max": ref("ordered"),
            "default": {"description": "text, a number, true/false, a date, or a list of texts (a list input)",
                        "anyOf": [ref("scalar"), listing(text(), 200, 0)]},
            "required": {"type": "boolean"},
        }, ("type",)),
        "inputs": {"type": "object", "propertyNames": fact_name(), "additionalProperties": ref("input"),
                   "maxProperties": 50},
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
