"""Helpers every evaluator shares: values as `--json` prints them, per-document caches (money: engine.money.amounts)."""
from __future__ import annotations

import json
from collections.abc import Callable, Hashable
from datetime import date
from decimal import Decimal
from typing import Protocol, TypeVar

from engine.rules.document import RuleDocument
from engine.rules.types import JsonValue

T = TypeVar("T")

_CACHE_ATTRIBUTE = "_ordinance_compiled"


class RuleResult(Protocol):
    """What every evaluation gives (a ScheduleResult, a CriteriaResult, ...): itself as JSON, explained."""

    def to_json(self) -> dict[str, JsonValue]:
        """The result as `--json` prints it."""


def per_document(doc: RuleDocument, key: Hashable, build: Callable[[], T]) -> T:
    """What `build()` makes for this document instance, built once and kept on the document itself.

    A RuleDocument is immutable, so anything compiled from it (fact checkers, line plans,
    calendars) stays valid as long as the document does; keeping it on the instance means
    it goes away with the document, and no module-level cache grows.
    """
    cache = doc.__dict__.get(_CACHE_ATTRIBUTE)
    if cache is None:
        cache = doc.__dict__.setdefault(_CACHE_ATTRIBUTE, {})
    found = cache.get(key)
    if found is None:
        found = cache.setdefault(key, build())
    return found


def as_text(value: object) -> str:
    """A fact's value as text, the way YAML would have written it (for table keys and traces)."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def json_value(value: object) -> JsonValue:
    """A value from a document (`then`, facts) as JSON: numbers stay numbers, dates ISO strings."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else value  # 2.5 stays Decimal: see dumps()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    return value


def dumps(result: JsonValue, indent: int | None = 2) -> str:
    """JSON text for a `to_json()` result; a Decimal left in it (a `then` of 2.5) prints as the number 2.5."""
    marks: dict[str, str] = {}

    def mark(value: object) -> str:
        """Stand a Decimal in as a unique string, replaced by its digits afterwards."""
        if isinstance(value, Decimal):
            key = f"\u0000decimal{len(marks)}\u0000"
            marks[key] = str(value)
            return key
        if isinstance(value, date):
            return value.isoformat()
        raise TypeError(f"{value!r} is not JSON")

    text = json.dumps(result, indent=indent, default=mark, ensure_ascii=False)
    for key, digits in marks.items():
        text = text.replace(json.dumps(key, ensure_ascii=False), digits)
    return text
