"""Form fields of a step: the registry of field types, and reading what a person typed.

Each type maps to a reader that turns the typed text (or a JSON value) into its value in
the engine (Decimal for money, date for dates, ...) and to the JSON form kept in the case's
fields and its history (money "52.03", dates "2026-04-20"). `min`/`max` hold integers and
money to a range and dates to a window; `choices` lists the allowed texts of a `choice`.
A date is always a day of the years a fact may hold (engine.rules.bounds: 1900-2199), since the
case's fields become its facts: 9999-12-31 typed as a payment plan's first installment was taken,
and the next month's installment was a year past any calendar (a 500).
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Callable, TypeAlias, Union

from engine.money import parse_money
from engine.numerals import is_digits
from engine.rules.bounds import FIRST_DATE, LAST_DATE
from engine.rules.types import JsonValue

FieldValue: TypeAlias = Union[str, int, Decimal, date, bool]  # what a field's reader gives


class FormError(ValueError):
    """A form value that cannot be taken; names the field."""


def _text(name: str, raw: object) -> str:
    """Text, trimmed."""
    if not isinstance(raw, str):
        raise FormError(f"{name}: expected text")
    return raw.strip()


MOST_WHOLE_DIGITS = 15  # a count, a reading or a year; far below 64 bits
WHOLE_NUMBER = re.compile(rf"[+-]?[0-9]{{1,{MOST_WHOLE_DIGITS}}}(?:\.0*)?")


def _shown(raw: object) -> str:
    """A value as a message quotes it: repr, cut short when long."""
    text = repr(raw)
    return text if len(text) <= 26 else text[:22] + "..."


def _integer(name: str, raw: object) -> int:
    """A whole number (`6`, `6.0`, never `6.5`) of at most 15 digits.

    Read by its digits before it becomes a number: "1e999999999" is refused, never turned
    into an integer of a billion digits.
    """
    if isinstance(raw, bool):
        raise FormError(f"{name}: {_shown(raw)} is not a whole number")
    if isinstance(raw, int) and raw.bit_length() > 64:  # too long even to write out (Python stops at 4,300 digits)
        raise FormError(f"{name}: a number of more than {MOST_WHOLE_DIGITS} digits")
    text = str(raw).strip() if isinstance(raw, (str, int, Decimal)) else ""
    if not WHOLE_NUMBER.fullmatch(text):
        if isinstance(raw, int) or re.fullmatch(r"[+-]?[0-9]+(?:\.0*)?", text):
            raise FormError(f"{name}: {_shown(raw)} has more than {MOST_WHOLE_DIGITS} digits")
        raise FormError(f"{name}: {_shown(raw)} is not a whole number")
    return int(text.split(".")[0])


def _money(name: str, raw: object) -> Decimal:
    """An amount of money, cents at most ("1,234.50", "$52.03")."""
    try:
        return parse_money(raw if not isinstance(raw, bool) else "")
    except ValueError as error:
        raise FormError(f"{name}: {error}") from None


def _date(name: str, raw: object) -> date:
    """A date, YYYY-MM-DD, of the years a fact may hold (FIRST_DATE to LAST_DATE)."""
    if isinstance(raw, date):
        day = raw
    else:
        try:
            day = date.fromisoformat(str(raw).strip())
        except ValueError:
            raise FormError(f"{name}: {raw!r} is not a date (YYYY-MM-DD)") from None
    if not FIRST_DATE <= day <= LAST_DATE:
        raise FormError(f"{name}: {day.isoformat()} is outside the years {FIRST_DATE.year} to {LAST_DATE.year}")
    return day


def _boolean(name: str, raw: object) -> bool:
    """Yes or no: true/false, yes/no, on/off, 1/0 as a form sends them."""
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("true", "yes", "on", "1"):
        return True
    if text in ("false", "no", "off", "0", ""):
        return False
    raise FormError(f"{name}: {raw!r} is not yes or no")


def _time(name: str, raw: object) -> str:
    """A time of day, HH:MM on a 24-hour clock ("9:05" is kept as "09:05"), as the city's clock read it."""
    text = str(raw).strip() if not isinstance(raw, bool) else ""
    hours, _, minutes = text.partition(":")
    if not (is_digits(hours) and is_digits(minutes) and len(minutes) == 2 and int(hours) < 24 and int(minutes) < 60):
        raise FormError(f"{name}: {raw!r} is not a time of day (HH:MM, 24-hour)")
    return f"{int(hours):02d}:{minutes}"


@dataclass(frozen=True)
class FieldType:
    """One form field type: how its values are read, which fact type they make, which limits apply."""

    read: Callable[[str, object], FieldValue]
    fact_type: str
    ordered: bool = False


FIELD_TYPES: dict[str, FieldType] = {
    "text": FieldType(_text, "text"),
    "integer": FieldType(_integer, "integer", ordered=True),
    "money": FieldType(_money, "money", ordered=True),
    "date": FieldType(_date, "date", ordered=True),
    "boolean": FieldType(_boolean, "boolean"),
    "choice": FieldType(_text, "text"),
    "time": FieldType(_time, "text"),
}


def stored(value: object) -> JsonValue:
    """A field value as the case keeps it in JSON: money and numbers as text, dates ISO."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class RuleOutcome:
    """`{rule: ID, outcome: KEY}`: what a criteria outcome gives: a role (or higher), a form limit, a value."""

    rule: str
    outcome: str


Limit: TypeAlias = Union[int, Decimal, date, RuleOutcome, None]  # a form limit as written


@dataclass(frozen=True)
class FormField:
    """One field a step asks for before it is taken."""

    name: str
    type: str
    label: str
    required: bool = False
    min: Limit = None
    max: Limit = None
    choices: tuple[str, ...] = ()

    def read(self, raw: object) -> FieldValue | None:
        """The value of what was typed, checked against required, limits and choices; None if left empty."""
        if raw is None or (isinstance(raw, str) and not raw.strip() and self.type != "boolean"):
            if self.required:
                raise FormError(f"{self.name}: {self.label} is required")
            return None
        value = FIELD_TYPES[self.type].read(self.name, raw)
        if self.type == "text" and self.required and not value:
            raise FormError(f"{self.name}: {self.label} is required")
        if self.min is not None and value < self.min:
            raise FormError(f"{self.name}: {stored(value)} is below the minimum {stored(self.min)}")
        if self.max is not None and value > self.max:
            raise FormError(f"{self.name}: {stored(value)} is above the maximum {stored(self.max)}")
        if self.choices and value not in self.choices:
            raise FormError(f"{self.name}: {value!r} is not one of {', '.join(self.choices)}")
        return value


def read_form(fields: tuple[FormField, ...], raw: Mapping[str, object]) -> dict[str, FieldValue]:
    """Every field of a step read from what was typed; unknown names are refused, not ignored."""
    known = {f.name for f in fields}
    unknown = sorted(set(raw) - known)
    if unknown:
        allowed = ", ".join(sorted(known)) or "none"
        raise FormError(f"{unknown[0]}: this step has no such field (its fields: {allowed})")
    values = {}
    for field in fields:
        value = field.read(raw.get(field.name))
        if value is not None:
            values[field.name] = value
    return values
