"""The sane ranges of what a rule document and its facts hold: one place for every limit.

The schema (`engine.rules.schema_blocks`) declares, key by key, which of these ranges a number
or date takes; the safe reader (`engine.rules.yamlsafe`) bounds the YAML itself; the fact
checker (`engine.rules.facts`) bounds the facts an evaluation is given. A number is measured
here from its digits alone (`Decimal.as_tuple`), never with decimal arithmetic, so that
measuring `1e999999999` neither overflows nor takes time. The effective-date window needs
"today", which comes in as an argument (nothing here reads the clock).
"""
from __future__ import annotations

from collections.abc import Collection
from datetime import date
from decimal import Decimal

from engine.money.amounts import LARGEST_AMOUNT_CENTS
from engine.rules.document import RuleDocument
from engine.rules.errors import DocumentError

MAX_DIGITS = 12  # significant digits of any number in a rule document
MONEY_LIMIT = Decimal(LARGEST_AMOUNT_CENTS // 100)  # $10,000,000.00 either way, as the ledger keeps
RATE_LIMIT = Decimal("1000000")  # a price per unit
UNITS_LIMIT = Decimal("1000000000")  # units of use: tier limits, over, max_units, multiply_by max
NUMBER_LIMIT = Decimal("1000000000000")  # any other number: condition literals, input limits, outcomes
MONEY_PLACES, RATE_PLACES, PERCENT_PLACES, NUMBER_PLACES = 2, 6, 4, 6
MAX_DAYS = 3650  # day counts: timeline steps, grace, reminders, lapse
MAX_MONTHS = 120  # a term of months; a measure's window of months
MAX_YEARS = 10  # a measure's window of years
MAX_TAKE = 1000  # a measure's take: the newest or oldest N events
MAX_NTH = 100  # a measure's nth earliest or latest event
MAX_EVENTS = 100000  # events of one stream given to one evaluation (rules eval --facts)
FIRST_DATE, LAST_DATE = date(1900, 1, 1), date(2199, 12, 31)  # any date a document or a fact holds
YEARS_AROUND = 10  # how far from today a version's effective date may be

FACT_WHOLE_DIGITS = 12  # a numeric fact is below 10^12 either way ...
FACT_PLACES = 12  # ... with at most 12 decimals
FACT_INTEGER_LIMIT = 10 ** FACT_WHOLE_DIGITS


def significant_digits(value: Decimal) -> int:
    """How many significant digits a finite number has, trailing zeros left out (75.00 has 2)."""
    digits = value.as_tuple().digits
    trailing = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return max(len(digits) - trailing, 1)


def decimals(value: Decimal) -> int:
    """How many decimals a finite number needs, trailing zeros left out (75.00 needs 0, 75.001 needs 3)."""
    sign, digits, exponent = value.as_tuple()
    trailing = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    if not isinstance(exponent, int) or trailing == len(digits):
        return 0
    return max(-(exponent + trailing), 0)


def whole_digits(value: Decimal) -> int:
    """How many digits a finite number has before the decimal point (0 for 0.5)."""
    return max(value.adjusted() + 1, 0) if value else 0


def years_from(day: date, years: int) -> date:
    """The same day `years` later (or earlier, for negative years); 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def effective_window_errors(doc: RuleDocument, today: date, settled: Collection[date] | None = None) -> list[DocumentError]:
    """Versions dated more than 10 years after `today`, or more than 10 years before it.

    The lower limit holds for the versions a check adds: `settled` are the effective dates
    already the city's (the published revision's), which stay as they are; None (files, where
    nothing says which versions are new) holds every version to the upper limit only.
    """
    latest, earliest = years_from(today, YEARS_AROUND), years_from(today, -YEARS_AROUND)
    errors = []
    for version in doc.versions:
        path = f"versions[{version.index}].effective"
        if version.effective > latest:
            errors.append(DocumentError(doc.source, doc.line_of(path), path,
                                        f"at most {YEARS_AROUND} years after {today.isoformat()} "
                                        f"(found {version.effective.isoformat()})"))
        elif version.effective < earliest and settled is not None and version.effective not in settled:
            errors.append(DocumentError(doc.source, doc.line_of(path), path,
                                        f"at most {YEARS_AROUND} years before {today.isoformat()} "
                                        f"(found {version.effective.isoformat()})"))
    return errors
