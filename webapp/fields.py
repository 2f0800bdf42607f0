"""Form fields shared by the pages: money typed by a person, checked with the engine's own reader."""
from __future__ import annotations

from decimal import Decimal

from wtforms import StringField
from wtforms.validators import ValidationError

from engine.money import parse_money
from webapp.formatting import money

try:
    from wtforms import SelectChoice
except ImportError:  # WTForms before 3.3 takes (value, label) tuples and has no SelectChoice
    SelectChoice = None


def option(value: str, label: str):
    """One option of a select field, in the shape the installed WTForms wants (SelectChoice, or a tuple before 3.3)."""
    return SelectChoice(value=value, label=label) if SelectChoice is not None else (value, label)


class MoneyField(StringField):
    """An amount of dollars and cents ("1,234.50", "$52.03"); `.amount` is its Decimal once valid."""

    amount: Decimal | None = None

    def pre_validate(self, form) -> None:
        """Read the amount: a number with at most two decimals."""
        self.amount = None
        text = (self.data or "").strip()
        if not text:
            return
        try:
            self.amount = parse_money(text)
        except ValueError as error:
            self.amount = None
            if "two decimals" in str(error):
                raise ValidationError("Use at most two decimals (dollars and cents), e.g. 52.03.") from None
            raise ValidationError("Enter an amount of money, e.g. 52.03.") from None


class AtLeast:
    """The amount is at least `least` (dollars), e.g. AtLeast("0.01") for 'more than zero'."""

    def __init__(self, least: str | Decimal, message: str | None = None) -> None:
        """Keep the limit and the message."""
        self.least = Decimal(least)
        self.message = message

    def __call__(self, form, field: MoneyField) -> None:
        """Refuse an amount below the limit."""
        if field.amount is not None and field.amount < self.least:
            raise ValidationError(self.message or f"The amount must be at least {money(self.least)}.")


class AtMost:
    """The amount is at most `most` (dollars)."""

    def __init__(self, most: str | Decimal) -> None:
        """Keep the limit."""
        self.most = Decimal(most)

    def __call__(self, form, field: MoneyField) -> None:
        """Refuse an amount above the limit."""
        if field.amount is not None and field.amount > self.most:
            raise ValidationError(f"The amount must be at most {money(self.most)}.")
