"""Money in the engine: Decimal dollars, integer cents at rest, one rounding function, two ways to write it.

`format_money` writes money for people ("$1,234.50", "-$30.00"): the pages and the printed
notices both show it so, through their own filters. `money_text` writes it for machines
("1234.50", "-30.00"): CSV reports, JSON, audit details, a notice's stored data.
"""
from __future__ import annotations

import re
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
LARGEST_AMOUNT_CENTS = 1_000_000_000  # $10,000,000.00: the most any one amount at rest may be (the database checks)
# half_up and half_even are the roundings a rule document may name; down (toward zero) splits an
# amount into equal shares whose remainder goes to the last one.
ROUNDINGS = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN, "down": ROUND_DOWN}


def round_money(amount: Decimal, rounding: str = "half_up") -> Decimal:
    """Round an exact amount to cents: the only place Ordinance rounds money."""
    return amount.quantize(CENT, rounding=ROUNDINGS[rounding])


def whole_cents(amount: Decimal) -> bool:
    """Whether an amount has no fraction of a cent (52.03, 52.030 and 52 do; 52.035 does not)."""
    cents = amount * 100
    return cents == cents.to_integral_value()


def to_cents(amount: Decimal) -> int:
    """Whole cents for a Decimal that is already rounded to cents; refuse anything finer."""
    if not whole_cents(amount):
        raise ValueError(f"{amount} has more than two decimals; round it first")
    return int(amount * 100)


def from_cents(cents: int) -> Decimal:
    """The Decimal dollars for integer cents."""
    return (Decimal(cents) / 100).quantize(CENT)


MOST_DIGITS = 12  # whole dollars: under a trillion, far above any ceiling, far below 64-bit cents
PLAIN_MONEY = re.compile(r"(-?)([0-9]+)(?:\.([0-9]+))?")
TYPED_MONEY = re.compile(r"(-?)\$?([0-9]{1,3}(?:,[0-9]{3})+|[0-9]*)(?:\.([0-9]+))?")


class TooMuchMoney(ValueError):
    """An amount with more whole digits than any amount Ordinance keeps."""


def _shown(text: str) -> str:
    """The text as a message quotes it: repr, cut short when long."""
    return repr(text) if len(text) <= 24 else repr(text[:20]) + "..."


def _from_parts(text: str, sign: str, whole: str, decimals: str | None) -> Decimal:
    """The Decimal of matched parts, or a ValueError for too many digits or a fraction of a cent."""
    if len(whole.lstrip("0")) > MOST_DIGITS:
        raise TooMuchMoney(f"{_shown(text)} is more than any amount of money Ordinance keeps")
    value = Decimal(f"{sign}{whole or 0}.{decimals or 0}")
    if not whole_cents(value):
        raise ValueError(f"{_shown(text)} has more than two decimals")
    return round_money(value) + 0  # + 0: -0.00 is 0.00


def _number_text(value: str | int | Decimal) -> str:
    """A JSON number or a string as text to match; anything else is not money."""
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        raise ValueError(f"{value!r} is not an amount of money")
    return value if isinstance(value, str) else str(value)


def parse_plain_money(value: str | int | Decimal) -> Decimal:
    """Read money another system sent: "52.03", "-5", 52.03: digits, at most two decimals, nothing else.

    No exponent ("1e3"), no $ or commas, no spaces, no digits of other scripts; a JSON number
    is read by its own text (Decimal), so 1E+3 is refused as "1e3" is.
    """
    text = _number_text(value)
    match = PLAIN_MONEY.fullmatch(text)
    if match is None:
        raise ValueError(f"{_shown(text)} is not an amount of money; send digits with at most two decimals, "
                         "e.g. 52.03 (no exponent, $ or commas)")
    return _from_parts(text, *match.groups())


def parse_money(value: str | int | Decimal) -> Decimal:
    """Read money a person typed ("1,234.50", "$52.03", "-25", 52); cents at most, nothing odd.

    Spaces around it are dropped; a $ and thousands commas (in threes) are allowed; an
    exponent, NaN, Infinity or digits of other scripts are not.
    """
    text = _number_text(value).strip()
    match = TYPED_MONEY.fullmatch(text)
    if match is None or not (match.group(2) or match.group(3)):
        raise ValueError(f"{_shown(text)} is not an amount of money")
    return _from_parts(text, match.group(1), match.group(2).replace(",", ""), match.group(3))


def _dollars(amount: Decimal | int | str) -> Decimal:
    """Decimal dollars, integer cents (an int) or dollars as text ("52.03"), as dollars rounded half up to cents."""
    if isinstance(amount, int):
        return from_cents(amount)
    return round_money(Decimal(amount) if isinstance(amount, str) else amount)


def format_money(amount: Decimal | int | str) -> str:
    """Money for people: '$1,234.50', a credit '-$30.00' (Decimal dollars, int cents or dollars as text)."""
    value = _dollars(amount)
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,}"


def money_text(amount: Decimal | int | str) -> str:
    """Money for machines: '1234.50', a credit '-30.00' (Decimal dollars, int cents or dollars as text)."""
    return str(_dollars(amount))
