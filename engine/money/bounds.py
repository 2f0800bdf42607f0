"""Bounds on money and dates where they enter: the city's ceilings by kind, the paid-on window.

Two readers of amounts, one per kind of input, both in engine.money.amounts:
`parse_plain_money` for machines (the API, payment files: "52.03", no $, commas or
exponents) and `parse_money` for people (the counter and other forms: "$1,234.50" too).
`machine_amount` and `typed_amount` add the field's name and the ceiling of what it is, so
every refusal reads like "amount: at most $100,000.00 for an API payment".

The ceilings are city data (CitySettings); none may be more than LARGEST_AMOUNT_CENTS, which
the database itself enforces on every money column (migration 0009). docs/money.md works out
why sums of such amounts cannot overflow.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, timedelta
from decimal import Decimal

from engine.money.amounts import (LARGEST_AMOUNT_CENTS, TooMuchMoney, format_money, parse_money, parse_plain_money,
                                  to_cents)

LONGEST_PAID_ON_WINDOW = 3650  # days: the most a city may let a paid-on date lie before the business day
PAYMENT_CEILINGS = ("counter_payment", "import_payment", "api_payment")


class BoundError(ValueError):
    """An amount or date refused where it enters; the message names the field and the limit."""

    def __init__(self, field: str, message: str) -> None:
        """Keep the field, and say `field: message`."""
        super().__init__(f"{field}: {message}")
        self.field = field
        self.reason = message


@dataclass(frozen=True)
class Ceiling:
    """The most one entry of a kind may be: what it is, in the city's words, and its cents."""

    what: str
    cents: int

    def refusal(self) -> str:
        """'at most $100,000.00 for an API payment'."""
        return f"at most {format_money(self.cents)} for {self.what}"


CEILING_NAMES = {
    "counter_payment": "a counter payment",
    "import_payment": "a payment in a payment file",
    "api_payment": "an API payment",
    "refund": "a refund",
    "adjustment": "an adjustment",
    "rule_amount": "an amount from the rules (a bill, fee or deposit)",
}


@dataclass(frozen=True)
class MoneyLimits:
    """The city's ceilings in cents by kind of entry, and how many days back a paid-on date may lie.

    The defaults are a new city's, the same as CitySettings' column defaults (a test holds them equal).
    """

    counter_payment: int = 10_000_000       # $100,000.00
    import_payment: int = 10_000_000
    api_payment: int = 10_000_000
    refund: int = 10_000_000
    adjustment: int = 10_000_000
    rule_amount: int = 100_000_000           # $1,000,000.00: a large commercial bill, a lien payoff
    paid_on_days_back: int = 90

    def ceiling(self, kind: str) -> Ceiling:
        """The ceiling of one kind of entry (a key of CEILING_NAMES)."""
        return Ceiling(CEILING_NAMES[kind], getattr(self, kind))

    def largest(self) -> Ceiling:
        """The highest of the city's ceilings: what nothing posted may exceed, whatever its kind."""
        return Ceiling("any entry", max(getattr(self, kind) for kind in CEILING_NAMES))

    def payments(self) -> Ceiling:
        """The highest payment ceiling: the gate cannot tell a counter payment from an imported one."""
        return Ceiling("a payment", max(getattr(self, kind) for kind in PAYMENT_CEILINGS))


LIMIT_FIELDS = tuple(f.name for f in fields(MoneyLimits))
LARGEST = Ceiling("any amount Ordinance keeps", LARGEST_AMOUNT_CENTS)


def check_limits(limits: MoneyLimits) -> MoneyLimits:
    """The limits, or a BoundError naming the first that is out of range."""
    for kind in CEILING_NAMES:
        cents = getattr(limits, kind)
        if type(cents) is not int or not 0 < cents <= LARGEST_AMOUNT_CENTS:
            raise BoundError(kind, f"a ceiling is more than $0.00 and at most {format_money(LARGEST_AMOUNT_CENTS)}")
    days = limits.paid_on_days_back
    if type(days) is not int or not 0 <= days <= LONGEST_PAID_ON_WINDOW:
        raise BoundError("paid_on_days_back", f"from 0 to {LONGEST_PAID_ON_WINDOW} days")
    return limits


def _within(amount: Decimal, field: str, ceiling: Ceiling) -> Decimal:
    """The amount, or a BoundError when it is beyond the ceiling either way."""
    if abs(to_cents(amount)) > ceiling.cents:
        raise BoundError(field, ceiling.refusal())
    return amount


def machine_amount(value: object, *, field: str, ceiling: Ceiling) -> Decimal:
    """An amount another system sent (plain digits, at most two decimals), within the ceiling."""
    try:
        amount = parse_plain_money(value)
    except TooMuchMoney:
        raise BoundError(field, ceiling.refusal()) from None
    except ValueError as bad:
        raise BoundError(field, str(bad)) from None
    return _within(amount, field, ceiling)


def typed_amount(value: object, *, field: str, ceiling: Ceiling) -> Decimal:
    """An amount a person typed ("$1,234.50" too), within the ceiling."""
    try:
        amount = parse_money(value)
    except TooMuchMoney:
        raise BoundError(field, ceiling.refusal()) from None
    except ValueError as bad:
        raise BoundError(field, str(bad)) from None
    return _within(amount, field, ceiling)


def paid_on_window(business_day: date, days_back: int) -> tuple[date, date]:
    """The first and last day a payment may be dated, for the business day."""
    return business_day - timedelta(days=days_back), business_day


def check_paid_on(paid_on: date, *, field: str, business_day: date, days_back: int) -> date:
    """The paid-on date, or a BoundError when it is after the business day or too far before it."""
    earliest, latest = paid_on_window(business_day, days_back)
    if paid_on > latest:
        raise BoundError(field, f"{paid_on} is after today ({latest}); a payment is dated on or before "
                                "the business day")
    if paid_on < earliest:
        raise BoundError(field, f"{paid_on} is more than {days_back} days before the business day {latest} "
                                f"(the earliest is {earliest})")
    return paid_on
