"""The JSON Schema of each kind of rule document (draft 2020-12): the single source of truth.

A document's header is the same for every kind; its versions' own keys are the kind's
(`RuleKind.version_keys`, built from `engine.rules.schema_blocks`). `schema_for(kind)` is
what the editor gets (`ordinance rules schema KIND`); `combined_schema()` dispatches on
`kind` for a file of any kind. `schema_errors(data, kind, source, lines)`
validates a document read by `engine.rules.yamlsafe` and turns each jsonschema error into
a `DocumentError` with a plain message, the path and the line. Dates: the exported schema
says `{"type": "string", "format": "date"}`; when validating YAML, where a date is already
a `datetime.date`, the same `$defs/date` is checked as that type instead.
"""
from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from types import MappingProxyType

import jsonschema
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from jsonschema.protocols import Validator

from engine.rules import bounds
from engine.rules.errors import DocumentError
from engine.rules.kinds import KINDS, kind_named
from engine.rules.tagged import TAG
from engine.rules.messages import BOOLEAN_HINT, YAML_11_BOOLEANS, describe, line_at
from engine.rules.schema_blocks import (COMMON_VERSION_KEYS, COMPARISONS, DRAFT, NOT_IN_TEXT, READABLE_TEXT, JsonSchema,
                                        date_range, definitions, listing, mapping, ref, text, version)


def schema_for(kind: str) -> JsonSchema:
    """The JSON Schema of one kind of document, as the editor gets it."""
    rule_kind = kind_named(kind)
    header = {
        "id": {"type": "string", "pattern": "^[a-z0-9-]+$", "description": "lowercase letters, digits and -"},
        "kind": {"const": kind},
        "title": text(), "department": text(), "description": text(),
        "tags": {**listing({"type": "string", "pattern": TAG,
                            "description": "a tag: lower-case letters, digits and _, starting with a letter"}, 10, 0),
                 "uniqueItems": True, "description": "the words the program finds the document by"},
        "versions": listing(version(rule_kind.version_keys(), rule_kind.required_keys), 100),
    }
    if rule_kind.takes_inputs:
        header["inputs"] = ref("inputs")
    header.update(rule_kind.header_keys())
    schema = mapping(header, ("id", "kind", "title", *rule_kind.header_required, "versions"))
    return {"$schema": DRAFT, "$id": f"urn:ordinance:rules:{kind}",
            "title": f"Ordinance rule document, kind {kind}", **schema, "$defs": definitions()}


def combined_schema() -> JsonSchema:
    """One schema for a document of any kind, dispatching on `kind`."""
    return {
        "$schema": DRAFT, "$id": "urn:ordinance:rules", "title": "Ordinance rule document",
        "type": "object", "required": ["kind"], "properties": {"kind": {"enum": list(KINDS)}},
        "allOf": [{"if": {"properties": {"kind": {"const": kind}}},
                   "then": {"$ref": f"urn:ordinance:rules:{kind}"}} for kind in KINDS],
        "$defs": {kind: schema_for(kind) for kind in KINDS},
    }


def _is_date(checker: object, instance: object) -> bool:
    """A date as the safe YAML reader gives it."""
    return isinstance(instance, date)


def _is_integer(checker: object, instance: object) -> bool:
    """A whole number, also when read as a Decimal (`7` is Decimal("7"))."""
    if isinstance(instance, Decimal):
        return instance.is_finite() and instance == instance.to_integral_value()
    return Draft202012Validator.TYPE_CHECKER.is_type(instance, "integer")


def _max_decimals(validator: Validator, most: int, instance: object, schema: JsonSchema) -> Iterator[ValidationError]:
    """`maxDecimals`: at most so many decimals, counted on the digits (never by dividing `1e999999999`)."""
    if isinstance(instance, Decimal) and instance.is_finite() and bounds.decimals(instance) > most:
        yield ValidationError(f"{instance} has more than {most} decimals")


def _max_digits(validator: Validator, most: int, instance: object, schema: JsonSchema) -> Iterator[ValidationError]:
    """`maxDigits`: at most so many significant digits."""
    if isinstance(instance, Decimal) and instance.is_finite() and bounds.significant_digits(instance) > most:
        yield ValidationError(f"{instance} has more than {most} significant digits")


def _as_day(value: object) -> date | None:
    """A date, or ISO text of one (a holiday's key), else None."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        return None


def _first_day(validator: Validator, first: str, instance: object, schema: JsonSchema) -> Iterator[ValidationError]:
    """`formatMinimum` of a date: on or after this day."""
    day = _as_day(instance)
    if day is not None and day < date.fromisoformat(first):
        yield ValidationError(f"{day} is before {first}")


def _last_day(validator: Validator, last: str, instance: object, schema: JsonSchema) -> Iterator[ValidationError]:
    """`formatMaximum` of a date: on or before this day."""
    day = _as_day(instance)
    if day is not None and day > date.fromisoformat(last):
        yield ValidationError(f"{day} is after {last}")


YAML_TYPES = Draft202012Validator.TYPE_CHECKER.redefine_many({"date": _is_date, "integer": _is_integer})
YamlValidator = jsonschema.validators.extend(
    Draft202012Validator, type_checker=YAML_TYPES,
    validators={"maxDecimals": _max_decimals, "maxDigits": _max_digits, "formatMinimum": _first_day,
                "formatMaximum": _last_day})
RANGE_KEYWORDS = ("minimum", "exclusiveMinimum", "maximum", "maxDecimals", "maxDigits", "formatMinimum",
                  "formatMaximum")


def validator_for(kind: str) -> Validator:
    """A validator of YAML-read data for one kind (dates checked as `datetime.date`)."""
    schema = copy.deepcopy(schema_for(kind))
    schema["$defs"]["date"] = {"type": "date", "description": "a date, YYYY-MM-DD", **date_range()}
    return YamlValidator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def schema_errors(data: object, kind: str, source: str, lines: dict[str, int],
                  validator: Validator | None = None) -> list[DocumentError]:
    """Every schema error of a document of `kind`, in plain words, in line order."""
    validator = validator or validator_for(kind)
    errors = [e for error in validator.iter_errors(data) for e in _translate(error, source, lines)]
    unique = {(e.line, e.path, e.message): e for e in errors}
    return sorted(unique.values(), key=lambda e: (e.line, e.path))


TYPE_WORDS = MappingProxyType({"string": "text", "number": "a number", "integer": "a whole number",
                               "boolean": "true or false", "object": "a mapping", "array": "a list",
                               "date": "a date (YYYY-MM-DD)", "null": "nothing"})


def path_of(parts: Iterable[str | int]) -> str:
    """A jsonschema path as the documents name paths: `versions[1].lines[2].rate`."""
    path = ""
    for part in parts:
        path = f"{path}[{part}]" if isinstance(part, int) else (f"{path}.{part}" if path else str(part))
    return path


def _words(types: str | list[str]) -> str:
    """`text, a number or true or false` for a JSON Schema type or list of types."""
    names = [TYPE_WORDS.get(t, t) for t in (types if isinstance(types, list) else [types])]
    if len(names) == 1:
        return names[0]
    names = [name.replace(" or ", "/") for name in names]
    return f"{', '.join(names[:-1])} or {names[-1]}"


def _translate(error: ValidationError, source: str, lines: dict[str, int]) -> Iterator[DocumentError]:
    """One jsonschema error as one or more DocumentErrors in plain words."""
    path = path_of(error.absolute_path)
    if "propertyNames" in error.relative_schema_path:
        path = f"{path}.{error.instance}" if path else str(error.instance)
        message = _message(error) if error.validator in RANGE_KEYWORDS else _key_message(error)
        yield DocumentError(source, line_at(lines, path), path, message)
    elif error.validator == "additionalProperties":
        allowed = ", ".join(error.schema.get("properties", {}))
        if error.schema.get("patternProperties"):  # words by language: a two-letter code the city prints in
            allowed += ", or a two-letter language code such as es or vi"
        for key in error.instance:
            if key not in error.schema.get("properties", {}) and not any(
                    re.match(pattern, str(key)) for pattern in error.schema.get("patternProperties", {})):
                key_path = f"{path}.{key}" if path else key
                yield DocumentError(source, line_at(lines, key_path), key_path,
                                    f'unknown key "{key}" (allowed here: {allowed})')
    elif error.validator == "required":
        for key in error.validator_value:
            if key not in error.instance:
                yield DocumentError(source, line_at(lines, path), path, f'missing required key "{key}"')
    elif error.validator in ("anyOf", "oneOf") and (limits := _out_of_range(error)):
        for limit in limits:
            yield from _translate(limit, source, lines)
    elif message := _message(error):
        yield DocumentError(source, line_at(lines, path), path, message)


def _out_of_range(error: ValidationError) -> list[ValidationError]:
    """A value of the right type but out of its range, among the reasons no choice of `anyOf` took it."""
    return [sub for sub in error.context or () if sub.validator in RANGE_KEYWORDS and sub.instance is error.instance]


def _iso_date_text(value: object) -> bool:
    """Whether a value is text that would be a date if it were not quoted."""
    try:
        return isinstance(value, str) and bool(date.fromisoformat(value)) and len(value) == 10
    except ValueError:
        return False


def _key_message(error: ValidationError) -> str:
    """The message for a mapping key that is not allowed by `propertyNames`."""
    if error.validator == "enum" and tuple(error.validator_value) == COMMON_VERSION_KEYS:
        return f'a retired version has only effective, retired, reference and adopted; remove "{error.instance}"'
    return f'the key "{error.instance}" is not valid here: expected {error.schema.get("description", "another key")}'


def _readable_text_problem(text: str) -> str:
    """Why a text is not readable text: it is blank, or it holds a character it may not (the first, and where)."""
    found = re.search(NOT_IN_TEXT, text)
    if found is None:
        return "must hold a visible character, not only spaces"
    return f"the character #x{ord(found.group()):04x} (character {found.start() + 1}) is not allowed in a text"


def _message(error: ValidationError) -> str:
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
        names = [schema["required"][0] for schema in value]
        bases = [name for name in names if name in instance]
        if not bases:
            return f"a line needs one basis: {', '.join(names[:-1])} or {names[-1]}"
        return f"a line has exactly one basis; this one has {' and '.join(bases)}"
    if keyword == "minProperties" and isinstance(instance, dict) and "fact" in instance:
        return f'the condition on {instance["fact"]} needs a comparison: {", ".join(COMPARISONS)}'
    if keyword == "maxProperties" and "shorthand" in schema.get("description", ""):
        return f"a shorthand condition names one fact; for several, use all: [..] (found {', '.join(instance)})"
    if keyword in ("minItems", "minProperties", "minLength") and value == 1:
        return "must not be empty"
    if keyword == "minimum":
        note = f" ({schema['$comment']})" if "$comment" in schema else ""
        return f"must be at least {value}, not {instance}{note}"
    if keyword == "exclusiveMinimum":
        return f"must be above {value}, not {instance}"
    if keyword == "maximum":
        return f"must be at most {value}, not {instance}"
    if keyword == "maxDecimals":
        return f"at most {value} decimals{' (whole cents)' if value == 2 else ''}, not {instance}"
    if keyword == "maxDigits":
        return f"at most {value} significant digits, not {instance}"
    if keyword == "formatMinimum":
        return f"must be on or after {value}, not {_as_day(instance)}"
    if keyword == "formatMaximum":
        return f"must be on or before {value}, not {_as_day(instance)}"
    if keyword == "maxLength":
        return f"at most {value} characters, found {len(instance)}"
    if keyword == "pattern" and schema.get("pattern") == READABLE_TEXT:
        return _readable_text_problem(instance) if instance else ""  # empty: minLength says so
    if keyword == "maxItems":
        return f"at most {value} items, found {len(instance)}"
    if keyword == "uniqueItems":
        return "lists the same value twice"
    if "description" in schema:
        return f"expected {schema['description']}, found {found}"
    if keyword == "maxProperties" and isinstance(instance, dict):
        return f"at most {value} entries, found {len(instance)}"
    if keyword == "enum":
        return f"expected one of {', '.join(map(str, value))}; found {found}"
    if keyword == "const":
        return f"expected {value}, found {found}"
    return error.message
