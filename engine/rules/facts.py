"""Facts handed to a document: checked against its declared inputs and put in one form.

After `check_facts`, a fact is: `number` a Decimal, `money` a Decimal with two decimals,
`integer` an int, `boolean` a bool, `text` a str, `date` a datetime.date, `list` a tuple of
distinct texts. An absent optional
input is simply not in the result (JSON null counts as absent). Facts the document does not
declare are left out, so one fact set can feed many documents.

Whoever gives them (a form, `rules eval --facts`, a sweep), facts are bounded before any
arithmetic sees them: a number, money or integer below 10^12 either way with at most 12
decimals, a date in 1900-2199 (`engine.rules.bounds`); a refusal names the fact and the limit.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from collections.abc import Callable, Mapping, Sequence
from itertools import repeat
from operator import eq, itemgetter

from engine.money.amounts import round_money, whole_cents
from engine.rules import bounds
from engine.rules.document import InputSpec, RuleDocument
from engine.rules.errors import FactError
from engine.rules.results import as_text, per_document
from engine.rules.types import Facts

_MISSING = object()


SHOWN_LENGTH = 40  # a longer value is shown by its start and its length


def _shown(value: object) -> str:
    """A value as a message shows it: text quoted, everything else as written; a long one cut short."""
    shown = repr(value) if isinstance(value, str) else as_text(value)
    return shown if len(shown) <= SHOWN_LENGTH else f"{shown[:20]}... ({len(shown)} characters)"


def _bounded(name: str, value: object, number: Decimal) -> Decimal:
    """A finite number within the facts' range, or a FactError naming the fact and the limit."""
    value = value if isinstance(value, str) else number  # a Python int of 5,000 digits has no str()
    if not number.is_finite():
        raise FactError(f"{name}: {_shown(value)} is not a number")
    if bounds.whole_digits(number) > bounds.FACT_WHOLE_DIGITS:
        raise FactError(f"{name}: {_shown(value)} has more than {bounds.FACT_WHOLE_DIGITS} digits before the "
                        "decimal point")
    if number.as_tuple().exponent < -bounds.FACT_PLACES and bounds.decimals(number) > bounds.FACT_PLACES:
        raise FactError(f"{name}: {_shown(value)} has more than {bounds.FACT_PLACES} decimals")
    return number


def _decimal(name: str, value: object, kind: str) -> Decimal:
    """A JSON/YAML number or digit string as an exact Decimal (floats through their shortest text)."""
    kind_of_value = type(value)
    if kind_of_value is Decimal:
        number = value
    elif kind_of_value is int:
        number = Decimal(value)
    elif kind_of_value is bool:
        raise FactError(f"{name}: {_shown(value)} is not {kind}")
    elif isinstance(value, int):
        number = Decimal(int(value))
    elif isinstance(value, str) and len(value.strip()) > bounds.FACT_WHOLE_DIGITS + bounds.FACT_PLACES + 3:
        raise FactError(f"{name}: {_shown(value)} is too long for a number: at most "
                        f"{bounds.FACT_WHOLE_DIGITS} digits before the decimal point and {bounds.FACT_PLACES} after")
    elif kind_of_value is str or isinstance(value, (str, type(0.5))):
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise FactError(f"{name}: {_shown(value)} is not {kind}") from None
    else:
        raise FactError(f"{name}: {_shown(value)} is not {kind}")
    if not number.is_finite():
        raise FactError(f"{name}: {_shown(value)} is not {kind}")
    return _bounded(name, value, number)


def _as_number(name: str, value: object) -> Decimal:
    """A `number` fact."""
    return _decimal(name, value, "a number")


def _as_money(name: str, value: object) -> Decimal:
    """A `money` fact: cents at most."""
    number = _decimal(name, value, "an amount of money")
    if not whole_cents(number):
        raise FactError(f"{name}: {_shown(value)} has more than two decimals")
    return round_money(number)


def _as_integer(name: str, value: object) -> int:
    """An `integer` fact: a whole number (90, 90.0 or "90", never 90.5)."""
    if type(value) is int and -bounds.FACT_INTEGER_LIMIT < value < bounds.FACT_INTEGER_LIMIT:
        return value
    number = _decimal(name, value, "an integer")
    if number != number.to_integral_value():
        raise FactError(f"{name}: {_shown(value)} is not an integer")
    return int(number)


def _as_boolean(name: str, value: object) -> bool:
    """A `boolean` fact: true or false, nothing else."""
    if value is True or value is False:
        return value
    raise FactError(f"{name}: {_shown(value)} is not true or false")


def _as_text(name: str, value: object) -> str:
    """A `text` fact."""
    if isinstance(value, str):
        return value
    raise FactError(f"{name}: {_shown(value)} is not text")


def _as_date(name: str, value: object) -> date:
    """A `date` fact: a date, or an ISO string YYYY-MM-DD."""
    if isinstance(value, datetime):
        raise FactError(f"{name}: {value.isoformat()} is not a date (YYYY-MM-DD)")
    day = _day(value)
    if day is None:
        raise FactError(f"{name}: {_shown(value)} is not a date (YYYY-MM-DD)")
    if not bounds.FIRST_DATE <= day <= bounds.LAST_DATE:
        raise FactError(f"{name}: {day.isoformat()} is outside the years {bounds.FIRST_DATE.year} to "
                        f"{bounds.LAST_DATE.year}")
    return day


def _day(value: object) -> date | None:
    """A date, or the date of ISO text YYYY-MM-DD; None for anything else."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        return None


MOST_LIST_ITEMS = 200


def _as_list(name: str, value: object) -> tuple[str, ...]:
    """A `list` fact: texts (program ids, ...), each kept once in the order given, as a tuple."""
    if not isinstance(value, (list, tuple)) or not all(isinstance(item, str) for item in value):
        raise FactError(f"{name}: {_shown(value)} is not a list of texts")
    if len(value) > MOST_LIST_ITEMS:
        raise FactError(f"{name}: {len(value)} items; at most {MOST_LIST_ITEMS}")
    return tuple(dict.fromkeys(value))


CONVERTERS: dict[str, Callable[[str, object], object]] = {
    "number": _as_number,
    "money": _as_money,
    "integer": _as_integer,
    "boolean": _as_boolean,
    "text": _as_text,
    "date": _as_date,
    "list": _as_list,
}


def _checker(spec: InputSpec) -> Callable[[object], object]:
    """A function that turns one raw value of this input into its checked form."""
    name, convert = spec.name, CONVERTERS[spec.type]
    low, high = spec.min, spec.max
    allowed = None if spec.values is None else tuple(as_text(v) for v in spec.values)
    if low is None and high is None and allowed is None:
        return lambda value: convert(name, value)

    def check(value: object) -> object:
        """Convert, then hold the value to min, max and values."""
        checked = convert(name, value)
        if low is not None and checked < low:
            raise FactError(f"{name}: {_shown(checked)} is below the minimum {as_text(low)}")
        if high is not None and checked > high:
            raise FactError(f"{name}: {_shown(checked)} is above the maximum {as_text(high)}")
        if allowed is not None and as_text(checked) not in allowed:
            listed = ", ".join(repr(v) for v in allowed)
            raise FactError(f"{name}: {_shown(checked)} is not one of {listed}")
        return checked

    return check


NONE = type(None)
CENT, PLACES = Decimal("0.01"), Decimal(1).scaleb(-bounds.FACT_PLACES)
NUMBER_LIMIT = Decimal(bounds.FACT_INTEGER_LIMIT)
# The range every value of a type lies in (numbers strictly within, dates including the ends)
LIMITS = {"number": (-NUMBER_LIMIT, NUMBER_LIMIT), "money": (-NUMBER_LIMIT, NUMBER_LIMIT),
          "integer": (-NUMBER_LIMIT, NUMBER_LIMIT), "date": (bounds.FIRST_DATE, bounds.LAST_DATE)}
# The Python types a column of each input type may already hold, checked as a whole (see `_column_ready`)
READY_TYPES = {"number": {Decimal, int}, "money": {Decimal}, "integer": {int}, "boolean": {bool}, "text": {str},
               "date": {date}, "list": set()}  # a list is always checked one by one (a tuple of distinct texts)


def _whole(column: list, places: Decimal) -> bool:
    """Whether no value of a column of Decimals has more decimals than `places` has (written 2.50 or 2.5 alike)."""
    if all(map(Decimal.same_quantum, column, repeat(places))):  # the usual case, told from the exponent alone
        return True
    return all(map(eq, map(Decimal.quantize, column, repeat(places)), column))


def _column_ready(spec: InputSpec, column: list, types: set[type]) -> bool:
    """Whether a column of present values is already in its checked form, judged a column at a time.

    True only when checking each value one by one would give the values back unchanged in
    value (a money amount written 50 stays 50, equal to the 50.00 the checker gives; a whole
    number stays an int, equal to the Decimal the checker gives) and refuse none of them.
    False means: check them one by one.
    """
    if not types <= READY_TYPES[spec.type]:
        return False
    try:
        if spec.type in LIMITS or spec.min is not None or spec.max is not None:
            low, high = min(column), max(column)  # one pass each, for every limit below
            lowest, highest = LIMITS.get(spec.type, (None, None))
            if lowest is not None and not (lowest < low and high < highest if spec.type != "date"
                                           else lowest <= low and high <= highest):
                return False
            if (spec.min is not None and low < spec.min) or (spec.max is not None and high > spec.max):
                return False
        if spec.type in ("money", "number"):
            decimals = column if int not in types else [value for value in column if type(value) is Decimal]
            if not _whole(decimals, CENT if spec.type == "money" else PLACES):
                return False
    except ArithmeticError:  # a NaN, an infinity, a number too long to quantize: the one-by-one check says why
        return False
    if spec.values is None:
        return True
    allowed = set(map(as_text, spec.values))
    if spec.type == "text":
        return set(column) <= allowed
    return spec.type != "money" and set(map(as_text, column)) <= allowed


class FactChecker:
    """The declared inputs of one document, compiled once: checks and normalizes fact sets."""

    def __init__(self, doc: RuleDocument) -> None:
        """Prepare one check per declared input, and the checked defaults."""
        self.document_id = doc.id
        self.specs = list(doc.inputs.values())
        self.inputs: list[tuple[str, Callable[[object], object], object, bool]] = []  # name, check, default, required
        for spec in self.specs:
            check = _checker(spec)
            default = check(spec.default) if spec.has_default and spec.default is not None else _MISSING
            self.inputs.append((spec.name, check, default, spec.required))

    def columns(self, facts_list: Sequence[Facts]) -> dict[str, list]:
        """Many fact sets checked a column (one input) at a time: each input's values in order, None where absent.

        The values compare and compute exactly as `check` gives them (a money amount may keep
        the way it was written: 50 rather than 50.00). Refusals are `check`'s own, for the first
        fact set that has one: when any value is in doubt, the fact sets are checked one by one.
        """
        try:
            return self._columns(facts_list)
        except (FactError, AttributeError, TypeError):  # not a mapping, or a bad value: `check` names the first
            checked = [self.check(facts) for facts in facts_list]
            return {name: [facts.get(name) for facts in checked] for name, _, _, _ in self.inputs}

    def _columns(self, facts_list: Sequence[Facts]) -> dict[str, list]:
        """The columns, or a FactError (or TypeError) as soon as one value is refused."""
        plain = set(map(type, facts_list)) <= {dict}
        if not plain and not all(isinstance(facts, Mapping) for facts in facts_list):
            raise TypeError("facts must be mappings")
        columns = {}
        for spec, (name, check, default, required) in zip(self.specs, self.inputs):
            try:
                column = list(map(itemgetter(name), facts_list))
            except KeyError:  # absent from some fact set: None there
                column = (list(map(dict.get, facts_list, repeat(name))) if plain
                          else [facts.get(name) for facts in facts_list])
            types = set(map(type, column))
            present = column
            if NONE in types:
                types.discard(NONE)
                if default is not _MISSING:
                    column = present = ([default] * len(column) if not types
                                        else [default if value is None else value for value in column])
                    types.add(type(default))
                elif required:
                    raise FactError(f"{name}: missing")
                else:
                    present = [value for value in column if value is not None]
            if present and not _column_ready(spec, present, types):
                column = [None if value is None else check(value) for value in column]
            columns[name] = column
        return columns

    def check(self, facts: Facts) -> dict[str, object]:
        """The facts this document reads, checked and normalized; a FactError names the first bad one."""
        if not isinstance(facts, Mapping):
            raise FactError(f"facts for {self.document_id} must be a mapping of names to values")
        checked = {}
        for name, check, default, required in self.inputs:
            value = facts.get(name)
            if value is not None:
                checked[name] = check(value)
            elif default is not _MISSING:
                checked[name] = default
            elif required:
                raise FactError(f"{name}: missing, and {self.document_id} gives it no default")
        return checked


def fact_checker(doc: RuleDocument) -> FactChecker:
    """The compiled FactChecker of a document (built once per document)."""
    return per_document(doc, "facts", lambda: FactChecker(doc))


def check_facts(doc: RuleDocument, facts: Facts) -> dict[str, object]:
    """Validate and normalize `facts` against `doc.inputs`; undeclared facts are ignored."""
    return fact_checker(doc).check(facts)
