"""Money in the engine: Decimal dollars, integer cents at rest, one rounding function, two ways to write it.

`format_money` writes money for people ("$1,234.50", "-$30.00"): the pages and the printed
notices both show it so, through their own filters. `money_text` writes it for machines
("1234.50", "-30.00"): CSV reports, JSON, audit details, a notice's stored data.
"""
from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
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


def parse_money(text: str | int | Decimal) -> Decimal:
    """Read a money value typed by a person or a file ("1,234.50", "$52.03", 52); cents at most."""
    if isinstance(text, Decimal):
        value = text
    elif isinstance(text, int) and not isinstance(text, bool):
        value = Decimal(text)
    elif isinstance(text, str):
        cleaned = text.strip().replace(",", "").replace("$", "")
        try:
            value = Decimal(cleaned)
        except InvalidOperation:
            raise ValueError(f"{text!r} is not an amount of money") from None
    else:
        raise ValueError(f"{text!r} is not an amount of money")
    if not value.is_finite():
        raise ValueError(f"{text!r} is not an amount of money")
    if not whole_cents(value):
        raise ValueError(f"{text!r} has more than two decimals")
    return round_money(value)


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
