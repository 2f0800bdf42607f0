"""The JSON Schema of each kind of rule document (draft 2020-12): the single source of truth.

`schema_for(kind)` is what the editor gets (`ordinance rules schema KIND`); `combined_schema()`
dispatches on `kind` for a file of any kind. `schema_errors(data, kind, source, lines)`
validates a document read by `engine.rules.yamlsafe` and turns each jsonschema error into
a `DocumentError` with a plain message, the path and the line. Dates: the exported schema
says `{"type": "string", "format": "date"}`; when validating YAML, where a date is already
a `datetime.date`, the same `$defs/date` is checked as that type instead.
"""
from __future__ import annotations

import copy
from types import MappingProxyType
from datetime import date
from decimal import Decimal
from typing import Any, Iterator

import jsonschema
from jsonschema import Draft202012Validator

from engine.rules.document import INPUT_TYPES, KINDS
from engine.rules.errors import DocumentError

DRAFT = "https://json-schema.org/draft/2020-12/schema"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
BASES = ("amount", "table", "per_unit", "tiers", "percent")
COMMON_VERSION_KEYS = ("effective", "reference", "adopted", "retired")
COMPARISONS = ("eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in", "exists")


def _ref(name: str) -> dict:
    """A reference to one of the shared definitions."""
    return {"$ref": f"#/$defs/{name}"}


def _object(properties: dict, required: tuple = (), **more: Any) -> dict:
    """A mapping with exactly these keys allowed (additionalProperties false)."""
    schema = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = list(required)
    schema.update(more)
    return schema


def _whole(minimum: int = 0, maximum: int | None = None) -> dict:
    """A whole number at least `minimum` (and at most `maximum`)."""
    schema: dict = {"type": "integer", "minimum": minimum}
    if maximum is not None:
        schema["maximum"] = maximum
    return schema


def _text() -> dict:
    """Text of at least one character."""
    return {"type": "string", "minLength": 1}


def _date_text() -> dict:
    """A date written YYYY-MM-DD (as JSON has it, and as mapping keys are kept)."""
    return {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$", "description": "a date, YYYY-MM-DD"}


def _number() -> dict:
    """A number (read exactly as a Decimal)."""
    return {"type": "number"}


def _fact_name() -> dict:
    """The name of a fact (an input)."""
    return {"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_]*$",
            "description": "a fact name: letters, digits and _, starting with a letter"}


def _definitions() -> dict:
    """The pieces shared by the four kinds: dates, scalars, inputs, conditions, versions."""
    scalar = {"description": "text, a number, true/false or a date",
              "anyOf": [{"type": ["string", "number", "boolean"]}, _ref("date")]}
    leaf_comparisons = {
        "fact": _fact_name(), "eq": _ref("scalar"), "ne": _ref("scalar"),
        "gt": _ref("ordered"), "gte": _ref("ordered"), "lt": _ref("ordered"), "lte": _ref("ordered"),
        "in": {"type": "array", "items": _ref("scalar"), "minItems": 1},
        "not_in": {"type": "array", "items": _ref("scalar"), "minItems": 1},
        "exists": {"type": "boolean"},
    }
    condition_list = {"type": "array", "items": _ref("condition"), "minItems": 1}
    shorthand = {"type": "object", "maxProperties": 1, "propertyNames": _fact_name(),
                 "additionalProperties": _ref("scalar"),
                 "description": "one of all, any, not, {fact: F, ..} or the shorthand {F: value}"}
    return {
        "date": _date_text(),
        "scalar": scalar,
        "ordered": {"description": "a number or a date", "anyOf": [_number(), _ref("date")]},
        "condition": {
            "type": "object", "minProperties": 1,
            "if": {"required": ["all"]}, "then": _object({"all": condition_list}),
            "else": {
                "if": {"required": ["any"]}, "then": _object({"any": condition_list}),
                "else": {
                    "if": {"required": ["not"]}, "then": _object({"not": _ref("condition")}),
                    "else": {
                        "if": {"required": ["fact"]},
                        "then": _object(leaf_comparisons, ("fact",), minProperties=2),
                        "else": shorthand,
                    },
                },
            },
        },
        "input": _object({
            "type": {"enum": list(INPUT_TYPES)},
            "values": {"type": "array", "items": _text(), "minItems": 1, "uniqueItems": True},
            "min": _ref("ordered"), "max": _ref("ordered"),
            "default": _ref("scalar"),
            "required": {"type": "boolean"},
        }, ("type",)),
        "inputs": {"type": "object", "propertyNames": _fact_name(), "additionalProperties": _ref("input")},
    }


def _version(kind_keys: dict, required: tuple) -> dict:
    """A version: its date and citation, and the kind's own keys unless it is retired."""
    common = {"effective": _ref("date"), "reference": _text(), "adopted": _ref("date"),
              "retired": {"type": "boolean"}}
    return _object({**common, **kind_keys}, ("effective",), **{
        "if": {"required": ["retired"], "properties": {"retired": {"const": True}}},
        "then": {"propertyNames": {
            "enum": list(COMMON_VERSION_KEYS),
            "description": "a retired version has only effective, retired, reference and adopted"}},
        "else": {"required": list(required)} if required else {},
    })


def _schedule() -> dict:
    """The version keys of a schedule: lines of money and the version's total limits."""
    block = _object({"upto": _number(), "rate": _number(), "amount": _number()})
    of_what = "subtotal, {line: NAME} or {fact: F}"
    block_list = {"type": "array", "items": block, "minItems": 1}
    line = _object({
        "name": _text(), "when": _ref("condition"), "min": _number(), "max": _number(),
        "multiply_by": _object({"fact": _fact_name(), "max": _number()}, ("fact",)),
        "amount": _number(),
        "table": _object({"fact": _fact_name(), "values": {"type": "object", "minProperties": 1,
                                                         "additionalProperties": _number()},
                          "default": _number()}, ("fact", "values")),
        "per_unit": _object({"fact": _fact_name(), "rate": _number(), "over": _number(), "max_units": _number()},
                            ("fact", "rate")),
        "tiers": _object({
            "fact": _fact_name(), "by": _fact_name(), "mode": {"enum": ["incremental", "all_units"]},
            "blocks": {"if": {"type": "array"}, "then": block_list,
                       "else": {"type": "object", "minProperties": 1, "additionalProperties": block_list}},
        }, ("fact", "blocks")),
        "percent": _object({
            "of": {"description": of_what,
                   "if": {"type": "string"}, "then": {"const": "subtotal", "description": of_what},
                   "else": _object({"line": _text(), "fact": _fact_name()}, minProperties=1, maxProperties=1,
                                   description=of_what)},
            "rate": _number(),
        }, ("of", "rate")),
    }, ("name",), oneOf=[{"required": [basis]} for basis in BASES],
        description="a line has exactly one basis: amount, table, per_unit, tiers or percent")
    return {"lines": {"type": "array", "items": line, "minItems": 1},
            "minimum": _number(), "maximum": _number(),
            "rounding": {"enum": ["half_up", "half_even"]}}


def _criteria() -> dict:
    """The version keys of criteria: the hit policy and the ordered rules."""
    rule = _object({"name": _text(), "when": _ref("condition"),
                    "then": {"type": "object", "minProperties": 1,
                             "additionalProperties": {"type": ["string", "number", "boolean"]}}},
                   ("name", "then"))
    return {"hit": {"enum": ["first", "unique", "all"]},
            "rules": {"type": "array", "items": rule, "minItems": 1}}


def _calendar() -> dict:
    """The version keys of a calendar: closed days, holidays, shut-off bars, cycles, timeline."""
    weekdays = {"type": "array", "uniqueItems": True,
                "items": {"enum": list(WEEKDAYS), "description": "a weekday: mon, tue, wed, thu, fri, sat or sun"}}
    holidays = {"if": {"type": "array"},
                "then": {"type": "array", "items": _ref("date"), "uniqueItems": True},
                "else": {"type": "object", "propertyNames": _date_text(), "additionalProperties": _text()}}
    period = _object({"from": _ref("date"), "to": _ref("date"), "reason": _text()}, ("from", "to"))
    step = _object({"after": _text(), "days": _whole(), "office_days": _whole(),
                    "roll": {"enum": ["office_day", "shutoff_day"]}}, ("after",))
    return {
        "closed_weekdays": weekdays,
        "holidays": holidays,
        "no_shutoff": _object({"weekdays": weekdays, "before_holiday": {"type": "boolean"},
                               "periods": {"type": "array", "items": period}}),
        "cycles": {"type": "object", "minProperties": 1,
                   "additionalProperties": _object({"bill_day": _whole(1, 31)}, ("bill_day",))},
        "timeline": {"type": "object", "minProperties": 1, "additionalProperties": step},
    }


def _deadline() -> dict:
    """The version keys of a deadline: term, reminders, grace, penalty, lapse, calendar."""
    term = {"if": {"required": ["every"]},
            "then": _object({"every": {"enum": ["year"]},
                             "date": {"type": "string", "pattern": r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
                                      "description": "a day of the year, MM-DD"}}, ("every", "date")),
            "else": _object({"months": _whole(1)}, ("months",))}
    return {
        "calendar": _text(),
        "term": term,
        "reminders": {"type": "array", "items": _object({"days_before": _whole(), "notice": _text()},
                                                        ("days_before", "notice"))},
        "grace": _object({"days": _whole()}, ("days",)),
        "late_penalty": _object({"schedule": _text()}, ("schedule",)),
        "lapse": _object({"days_after": _whole(), "notice": _text()}, ("days_after",)),
    }


KIND_KEYS = MappingProxyType({"schedule": (_schedule, ("lines",)), "criteria": (_criteria, ("rules",)),
                              "calendar": (_calendar, ()), "deadline": (_deadline, ())})


def schema_for(kind: str) -> dict:
    """The JSON Schema of one kind of document, as the editor gets it."""
    keys, required = KIND_KEYS[kind]
    header = {
        "id": {"type": "string", "pattern": "^[a-z0-9-]+$", "description": "lowercase letters, digits and -"},
        "kind": {"const": kind},
        "title": _text(), "department": _text(), "description": _text(),
        "versions": {"type": "array", "items": _version(keys(), required), "minItems": 1},
    }
    if kind != "calendar":  # calendars take no inputs
        header["inputs"] = _ref("inputs")
    schema = _object(header, ("id", "kind", "title", "versions"))
    return {"$schema": DRAFT, "$id": f"urn:ordinance:rules:{kind}",
            "title": f"Ordinance rule document, kind {kind}", **schema, "$defs": _definitions()}


def combined_schema() -> dict:
    """One schema for a document of any kind, dispatching on `kind`."""
    return {
        "$schema": DRAFT, "$id": "urn:ordinance:rules", "title": "Ordinance rule document",
        "type": "object", "required": ["kind"], "properties": {"kind": {"enum": list(KINDS)}},
        "allOf": [{"if": {"properties": {"kind": {"const": kind}}},
                   "then": {"$ref": f"urn:ordinance:rules:{kind}"}} for kind in KINDS],
        "$defs": {kind: schema_for(kind) for kind in KINDS},
    }


def _is_date(checker: Any, instance: Any) -> bool:
    """A date as the safe YAML reader gives it."""
    return isinstance(instance, date)


def _is_integer(checker: Any, instance: Any) -> bool:
    """A whole number, also when read as a Decimal (`7` is Decimal("7"))."""
    if isinstance(instance, Decimal):
        return instance.is_finite() and instance == instance.to_integral_value()
    return Draft202012Validator.TYPE_CHECKER.is_type(instance, "integer")


YAML_TYPES = Draft202012Validator.TYPE_CHECKER.redefine_many({"date": _is_date, "integer": _is_integer})
YamlValidator = jsonschema.validators.extend(Draft202012Validator, type_checker=YAML_TYPES)


def validator_for(kind: str) -> Any:
    """A validator of YAML-read data for one kind (dates checked as `datetime.date`)."""
    schema = copy.deepcopy(schema_for(kind))
    schema["$defs"]["date"] = {"type": "date", "description": "a date, YYYY-MM-DD"}
    return YamlValidator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def schema_errors(data: Any, kind: str, source: str, lines: dict[str, int],
                  validator: Any = None) -> list[DocumentError]:
    """Every schema error of a document of `kind`, in plain words, in line order."""
    validator = validator or validator_for(kind)
    errors = [e for error in validator.iter_errors(data) for e in _translate(error, source, lines)]
    unique = {(e.line, e.path, e.message): e for e in errors}
    return sorted(unique.values(), key=lambda e: (e.line, e.path))


TYPE_WORDS = MappingProxyType({"string": "text", "number": "a number", "integer": "a whole number",
                               "boolean": "true or false", "object": "a mapping", "array": "a list",
                               "date": "a date (YYYY-MM-DD)", "null": "nothing"})
YAML_11_BOOLEANS = frozenset({"yes", "no", "on", "off", "y", "n", "Yes", "No", "On", "Off",
                              "True", "False", "TRUE", "FALSE"})
BOOLEAN_HINT = " (only true and false are booleans; yes, no, on, off are text)"


def path_of(parts: Any) -> str:
    """A jsonschema path as the documents name paths: `versions[1].lines[2].rate`."""
    path = ""
    for part in parts:
        path = f"{path}[{part}]" if isinstance(part, int) else (f"{path}.{part}" if path else str(part))
    return path


def line_at(lines: dict[str, int], path: str) -> int:
    """The line of `path`, or of its nearest parent that has one."""
    while path:
        if path in lines:
            return lines[path]
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return lines.get("", 1)


def describe(value: Any) -> str:
    """A value as a message shows it: `the text "yes"`, `the number 5`, `a list`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'the text "{value}"'
    if isinstance(value, Decimal):
        return f"the number {value}"
    if isinstance(value, date):
        return f"the date {value.isoformat()}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return f"a mapping of {', '.join(value) or 'nothing'}"
    return "nothing" if value is None else repr(value)


def quoted(value: object) -> str:
    """A name as a message quotes it: "shutoff-warning" (other values described)."""
    return f'"{value}"' if isinstance(value, str) else describe(value)


def _words(types: Any) -> str:
    """`text, a number or true or false` for a JSON Schema type or list of types."""
    names = [TYPE_WORDS.get(t, t) for t in (types if isinstance(types, list) else [types])]
    if len(names) == 1:
        return names[0]
    names = [name.replace(" or ", "/") for name in names]
    return f"{', '.join(names[:-1])} or {names[-1]}"


def _translate(error: Any, source: str, lines: dict[str, int]) -> Iterator[DocumentError]:
    """One jsonschema error as one or more DocumentErrors in plain words."""
    path = path_of(error.absolute_path)
    if "propertyNames" in error.relative_schema_path:
        path = f"{path}.{error.instance}" if path else str(error.instance)
        yield DocumentError(source, line_at(lines, path), path, _key_message(error))
    elif error.validator == "additionalProperties":
        allowed = ", ".join(error.schema.get("properties", {}))
        for key in error.instance:
            if key not in error.schema.get("properties", {}):
                key_path = f"{path}.{key}" if path else key
                yield DocumentError(source, line_at(lines, key_path), key_path,
                                    f'unknown key "{key}" (allowed here: {allowed})')
    elif error.validator == "required":
        for key in error.validator_value:
            if key not in error.instance:
                yield DocumentError(source, line_at(lines, path), path, f'missing required key "{key}"')
    elif message := _message(error):
        yield DocumentError(source, line_at(lines, path), path, message)


def _iso_date_text(value: Any) -> bool:
    """Whether a value is text that would be a date if it were not quoted."""
    try:
        return isinstance(value, str) and bool(date.fromisoformat(value)) and len(value) == 10
    except ValueError:
        return False


def _key_message(error: Any) -> str:
    """The message for a mapping key that is not allowed by `propertyNames`."""
    if error.validator == "enum" and tuple(error.validator_value) == COMMON_VERSION_KEYS:
        return f'a retired version has only effective, retired, reference and adopted; remove "{error.instance}"'
    return f'the key "{error.instance}" is not valid here: expected {error.schema.get("description", "another key")}'


def _message(error: Any) -> str:
    """The plain message for one failed keyword."""
    keyword, value, instance, schema = error.validator, error.validator_value, error.instance, error.schema
    found = describe(instance)
    if keyword == "type":
        if "boolean" in value and isinstance(instance, str) and instance in YAML_11_BOOLEANS:
            return f"expected true or false, found {found}{BOOLEAN_HINT}"
        quoted = " (write a date without quotes)" if value == "date" and _iso_date_text(instance) else ""
        return f"expected {_words(value)}, found {found}{quoted}"
    if keyword == "oneOf" and value and all(s.keys() == {"required"} for s in value):
        if not isinstance(instance, dict):
            return ""  # not a mapping at all: its type error says so
        bases = [b for b in BASES if b in instance]
        if not bases:
            return "a line needs one basis: amount, table, per_unit, tiers or percent"
        return f"a line has exactly one basis; this one has {' and '.join(bases)}"
    if keyword == "minProperties" and isinstance(instance, dict) and "fact" in instance:
        return f'the condition on {instance["fact"]} needs a comparison: {", ".join(COMPARISONS)}'
    if keyword == "maxProperties" and "shorthand" in schema.get("description", ""):
        return f"a shorthand condition names one fact; for several, use all: [..] (found {', '.join(instance)})"
    if keyword in ("minItems", "minProperties", "minLength") and value == 1:
        return "must not be empty"
    if keyword == "minimum":
        return f"must be at least {value}, not {instance}"
    if keyword == "maximum":
        return f"must be at most {value}, not {instance}"
    if keyword == "uniqueItems":
        return "lists the same value twice"
    if "description" in schema:
        return f"expected {schema['description']}, found {found}"
    if keyword == "enum":
        return f"expected one of {', '.join(map(str, value))}; found {found}"
    if keyword == "const":
        return f"expected {value}, found {found}"
    return error.message
