"""Forms of the counter and payment files: a payment, a drawer, closing the day, choosing a day, a payment file."""
from __future__ import annotations

import uuid

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, HiddenField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from engine.money.payments import COUNTER_TENDERS
from webapp.fields import AtLeast, MoneyField, option

TENDER_NAMES = {"cash": "Cash", "check": "Check", "card": "Card"}


class PaymentForm(FlaskForm):
    """A payment taken at the counter into the clerk's drawer."""

    account = StringField("Account number", validators=[DataRequired(message="Enter the account number."),
                                                        Length(max=20)],
                          render_kw={"autocomplete": "off", "spellcheck": "false"})
    amount = MoneyField("Amount", validators=[DataRequired(message="Enter the amount received."),
                                              AtLeast("0.01", "The amount must be more than $0.00.")],
                        ceiling="counter_payment", render_kw={"inputmode": "decimal", "autocomplete": "off"})
    tender = SelectField("Tender", choices=[option(t, TENDER_NAMES[t]) for t in COUNTER_TENDERS])
    check_number = StringField("Check number", validators=[Length(max=32)],
                               render_kw={"autocomplete": "off"})
    key = HiddenField()  # one per form shown: the same form sent twice posts once
    submit = SubmitField("Post payment")

    def validate_check_number(self, field: StringField) -> None:
        """A check needs its number."""
        if self.tender.data == "check" and not (field.data or "").strip():
            raise ValidationError("Enter the number printed on the check.")

    @staticmethod
    def new_key() -> str:
        """A fresh idempotency key for a newly shown form."""
        return uuid.uuid4().hex


class OpenDrawerForm(FlaskForm):
    """Open my drawer for the day with its starting cash."""

    opening = MoneyField("Starting cash in the drawer", validators=[
        DataRequired(message="Enter the starting cash (0.00 if none)."),
        AtLeast("0", "The starting amount cannot be negative.")], render_kw={"inputmode": "decimal"})
    submit = SubmitField("Open my drawer")


class CountDrawerForm(FlaskForm):
    """What was counted in the drawer at close, by tender."""

    cash = MoneyField("Cash counted (with the starting cash)", validators=[
        DataRequired(message="Enter the cash counted."), AtLeast("0", "A count cannot be negative.")])
    check = MoneyField("Checks counted", validators=[
        DataRequired(message="Enter the checks total (0.00 if none)."), AtLeast("0", "A count cannot be negative.")])
    card = MoneyField("Card slips counted", validators=[
        DataRequired(message="Enter the card total (0.00 if none)."), AtLeast("0", "A count cannot be negative.")])
    submit = SubmitField("Count and close my drawer")


class CloseDayForm(FlaskForm):
    """A supervisor closes a business day."""

    business_date = HiddenField(validators=[DataRequired()])
    submit = SubmitField("Close the business day")


class DayForm(FlaskForm):
    """Which business day to look at (a GET form; it changes nothing)."""

    class Meta:
        """Choosing a day is read-only."""

        csrf = False

    date = DateField("Business day", validators=[Optional()], render_kw={"type": "date"})
    submit = SubmitField("Show")


class PaymentFileForm(FlaskForm):
    """A payment file from the bank's lockbox or the online portal, to post whole."""

    payment_file = FileField("Payment file (CSV)", validators=[FileRequired(message="Choose the payment file.")])
    source = SelectField("From", choices=[option("lockbox", "The bank's lockbox"),
                                          option("online", "The online portal")])
    submit = SubmitField("Check and post the file")


class ConfirmPaymentFileForm(FlaskForm):
    """A supervisor confirms a held file's possible duplicates by the SHA-256 shown on the page."""

    file_sha256 = HiddenField(validators=[DataRequired()])
    submit = SubmitField("Confirm: these are real payments; post the file")
