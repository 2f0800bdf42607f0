"""Form fields shared by the pages: money typed by a person, checked with the engine's own reader and ceiling; a whole
number typed in the digits 0 to 9."""
from __future__ import annotations

from decimal import Decimal

from wtforms import IntegerField, StringField
from wtforms.validators import ValidationError

from flask import g

from engine.money.bounds import LARGEST, BoundError, Ceiling, MoneyLimits, typed_amount
from engine.money.limits import city_limits
from engine.numerals import is_digits
from webapp.extensions import database
from webapp.formatting import money

try:
    from wtforms import SelectChoice
except ImportError:  # WTForms before 3.3 takes (value, label) tuples and has no SelectChoice
    SelectChoice = None


def option(value: str, label: str):
    """One option of a select field, in the shape the installed WTForms wants (SelectChoice, or a tuple before 3.3)."""
    return SelectChoice(value=value, label=label) if SelectChoice is not None else (value, label)


def request_limits() -> MoneyLimits:
    """The city's money ceilings, read once per request."""
    if "ordinance_limits" not in g:
        g.ordinance_limits = city_limits(database.session)
    return g.ordinance_limits


class MoneyField(StringField):
    """An amount of dollars and cents ("1,234.50", "$52.03"); `.amount` is its Decimal once valid.

    `ceiling` names the city's ceiling for what the amount is ("counter_payment", "refund", ...);
    without one, the most Ordinance keeps of any amount.
    """

    amount: Decimal | None = None

    def __init__(self, *args, ceiling: str | None = None, **kwargs) -> None:
        """A money field bounded by the named city ceiling."""
        super().__init__(*args, **kwargs)
        self.ceiling_kind = ceiling

    def ceiling(self) -> Ceiling:
        """The ceiling this field's amount must keep within."""
        return request_limits().ceiling(self.ceiling_kind) if self.ceiling_kind else LARGEST

    def pre_validate(self, form) -> None:
        """Read the amount: a number with at most two decimals, within the ceiling."""
        self.amount = None
        text = (self.data or "").strip()
        if not text:
            return
        try:
            self.amount = typed_amount(text, field=self.label.text, ceiling=self.ceiling())
        except BoundError as error:
            self.amount = None
            if "two decimals" in error.reason:
                raise ValidationError("Use at most two decimals (dollars and cents), e.g. 52.03.") from None
            if "at most" in error.reason:
                raise ValidationError(f"The amount must be {error.reason}.") from None
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


class WholeNumberField(IntegerField):
    """A whole number typed in the digits 0 to 9 (a leading - or +, spaces around it): a meter reading, employees.

    WTForms' IntegerField reads with int(), which takes "١٠٠٥" (Arabic-Indic digits) and "1_005" as 1005: a final
    reading or a head count was kept from text no clerk means as a number, where every other reader of the city's
    (engine.numerals) refuses them.
    """

    def process_formdata(self, valuelist) -> None:
        """Refuse anything but ASCII digits before IntegerField reads the number."""
        text = valuelist[0].strip() if valuelist and isinstance(valuelist[0], str) else None
        if text and not is_digits(text.removeprefix("-").removeprefix("+")):
            self.data = None
            raise ValueError(self.gettext("Not a valid integer value."))
        super().process_formdata(valuelist)
