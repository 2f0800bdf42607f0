"""Forms of the counter and payment files: a receipt, a void, a drawer and its blind count, closing the day, a file."""
from __future__ import annotations

import uuid

from decimal import Decimal

from flask_wtf.file import FileField, FileRequired
from wtforms import (DateField, FieldList, FormField, HiddenField, SelectField, StringField,
                     SubmitField)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from engine.money.cash import DENOMINATIONS, MOST_PIECES, BlindCount
from engine.money.payments import COUNTER_TENDERS
from engine.money.receipts import LineAsked, TenderAsked
from webapp.fields import AtLeast, MoneyField, WholeNumberField, option
from webapp.form_words import PageForm, PageRow
from webapp.languages import with_choices

TENDER_NAMES = {"cash": "Cash", "check": "Check", "card": "Card", "money_order": "Money order"}
LINE_ROWS, TENDER_ROWS, CHECK_ROWS = 4, 3, 8  # rows the counter form shows (no JavaScript adds more)


class LineRow(PageRow):
    """One thing paid on a receipt: a utility account, a license fee or a miscellaneous item."""

    what = SelectField("What is paid", choices=[], validate_choice=False, default="account")
    number = StringField("Account or license number", validators=[Optional(), Length(max=20)],
                         render_kw={"autocomplete": "off", "spellcheck": "false"})
    amount = MoneyField("Amount", validators=[Optional(), AtLeast("0.01", "The amount must be more than $0.00.")],
                        ceiling="counter_payment", render_kw={"inputmode": "decimal", "autocomplete": "off"})
    memo = StringField("Note", validators=[Optional(), Length(max=80)])

    def validate(self, extra_validators=None) -> bool:
        """A line with an account or license number needs the amount it pays."""
        valid = super().validate(extra_validators)
        if (self.number.data or "").strip() and not (self.amount.data or "").strip():
            self.amount.errors = [*self.amount.errors, "Enter the amount received."]
            return False
        return valid


class TenderRow(PageRow):
    """One tender handed over: cash, a check with its number, a card or a money order."""

    tender = SelectField("Tender", choices=[option(t, TENDER_NAMES[t]) for t in COUNTER_TENDERS], default="cash")
    amount = MoneyField("Amount handed over", validators=[
        Optional(), AtLeast("0.01", "The amount must be more than $0.00.")], ceiling="counter_payment",
        render_kw={"inputmode": "decimal", "autocomplete": "off"})
    check_number = StringField("Check number", validators=[Length(max=32)],
                               render_kw={"autocomplete": "off"})

    def validate_check_number(self, field: StringField) -> None:
        """A check needs its number."""
        if self.tender.data == "check" and self.amount.data and not (field.data or "").strip():
            raise ValidationError("Enter the number printed on the check.")


class ReceiptForm(PageForm):
    """A receipt at the counter: what is paid (lines) and how (tenders); reviewed, then posted."""

    payer = StringField("Paid by (optional)", validators=[Optional(), Length(max=160)])
    language = SelectField("Receipt language", choices=[option("en", "English")],  # the city's: with_choices
                           default="en")
    lines = FieldList(FormField(LineRow), min_entries=LINE_ROWS, max_entries=8)
    tenders = FieldList(FormField(TenderRow), min_entries=TENDER_ROWS, max_entries=6)
    key = HiddenField()  # one per form shown: the same receipt sent twice posts once
    review = SubmitField("Review the receipt")
    post = SubmitField("Post the receipt")
    edit = SubmitField("Change it")

    def with_choices(self, categories) -> "ReceiptForm":
        """Offer accounts, licenses and the city's miscellaneous categories on every line."""
        choices = [option("account", "Utility account"), option("license", "License fee"),
                   *(option(f"misc:{c.code}", f"Miscellaneous: {c.label}") for c in categories)]
        for row in self.lines:
            row.form.what.choices = choices
        with_choices(self.language)
        return self

    def asked(self) -> tuple[list[LineAsked], list[TenderAsked]]:
        """The filled rows as the engine reads them (rows without an amount are left out)."""
        lines = []
        for row in self.lines:
            line = row.form
            if not (line.amount.data or "").strip():
                continue
            what = line.what.data or "account"
            kind, _, code = what.partition(":")
            lines.append(LineAsked(kind, code if kind == "misc" else (line.number.data or ""), line.amount.amount,
                                   line.memo.data or ""))
        tenders = [TenderAsked(row.form.tender.data, row.form.amount.amount, row.form.check_number.data or "")
                   for row in self.tenders if (row.form.amount.data or "").strip()]
        return lines, tenders

    def errors_in_words(self) -> list[str]:
        """Each row's field errors, named by row: 'Line 2 amount: ...'."""
        said = [f"{self[name].label.text}: {' '.join(self[name].errors)}" for name in ("payer", "language")
                if self[name].errors]
        for label, rows in (("Line", self.lines), ("Tender", self.tenders)):
            for number, row in enumerate(rows, 1):
                for name, messages in row.form.errors.items():
                    said.append(f"{label} {number} {row.form[name].label.text.lower()}: {' '.join(messages)}")
        return said

    @staticmethod
    def new_key() -> str:
        """A fresh idempotency key for a newly shown form."""
        return uuid.uuid4().hex


class VoidReceiptForm(PageForm):
    """A supervisor voids a receipt the same day, saying why."""

    reason = StringField("Why it is voided", validators=[DataRequired(message="Say why the receipt is voided."),
                                                         Length(max=200)])
    submit = SubmitField("Void this receipt")


class OpenDrawerForm(PageForm):
    """Open my drawer for the day with its starting cash."""

    opening = MoneyField("Starting cash in the drawer", validators=[
        DataRequired(message="Enter the starting cash (0.00 if none)."),
        AtLeast("0", "The starting amount cannot be negative.")], render_kw={"inputmode": "decimal"})
    submit = SubmitField("Open my drawer")


class CheckRow(PageRow):
    """One check in the drawer: its number and amount."""

    number = StringField("Check number", validators=[Optional(), Length(max=32)])
    amount = MoneyField("Check amount", validators=[Optional(), AtLeast("0.01", "A check is more than $0.00.")])


class CountDrawerForm(PageForm):
    """The blind count: bills and coins by piece, each check, the card slips and money orders (no expected totals).

    One whole-number field per denomination, named by its key (bill_20, coin_25, ...), added below.
    """

    checks = FieldList(FormField(CheckRow), min_entries=CHECK_ROWS, max_entries=40)
    card = MoneyField("Card slips counted", validators=[Optional(), AtLeast("0", "A count cannot be negative.")])
    money_order = MoneyField("Money orders counted", validators=[Optional(),
                                                                 AtLeast("0", "A count cannot be negative.")])
    submit = SubmitField("Count and close my drawer")

    @property
    def pieces(self) -> list:
        """The denominations' fields, largest first."""
        return [self[key] for key, _, _ in DENOMINATIONS]

    def blind_count(self) -> BlindCount:
        """The count as the engine takes it."""
        return BlindCount(denominations={key: self[key].data or 0 for key, _, _ in DENOMINATIONS},
                          checks=[((row.form.number.data or "").strip(), row.form.amount.amount or Decimal(0))
                                  for row in self.checks
                                  if (row.form.number.data or "").strip() or (row.form.amount.data or "").strip()],
                          card=self.card.amount or Decimal(0), money_order=self.money_order.amount or Decimal(0))

    def errors_in_words(self) -> list[str]:
        """Each error named by its denomination, check row or tender."""
        said = [f"{entry.label.text}: {' '.join(entry.errors)}" for entry in self.pieces if entry.errors]
        for number, row in enumerate(self.checks, 1):
            said += [f"Check {number} {row.form[name].label.text.lower()}: {' '.join(messages)}"
                     for name, messages in row.form.errors.items()]
        said += [f"{self[name].label.text}: {' '.join(self[name].errors)}" for name in ("card", "money_order")
                 if self[name].errors]
        return said


for _key, _cents, _name in DENOMINATIONS:
    setattr(CountDrawerForm, _key, WholeNumberField(_name, validators=[
        Optional(), NumberRange(0, MOST_PIECES, f"From 0 to {MOST_PIECES:,} pieces.")],
        render_kw={"inputmode": "numeric"}))


class CloseDayForm(PageForm):
    """A supervisor closes a business day."""

    business_date = HiddenField(validators=[DataRequired()])
    submit = SubmitField("Close the business day")


class DayForm(PageForm):
    """Which business day to look at (a GET form; it changes nothing)."""

    class Meta:
        """Choosing a day is read-only."""

        csrf = False

    date = DateField("Business day", validators=[Optional()], render_kw={"type": "date"})
    submit = SubmitField("Show")


class PaymentFileForm(PageForm):
    """A payment file from the bank's lockbox or the online portal, to post whole."""

    payment_file = FileField("Payment file (CSV)", validators=[FileRequired(message="Choose the payment file.")])
    source = SelectField("From", choices=[option("lockbox", "The bank's lockbox"),
                                          option("online", "The online portal")])
    submit = SubmitField("Check and post the file")


class ConfirmPaymentFileForm(PageForm):
    """A supervisor confirms a held file's possible duplicates by the SHA-256 shown on the page."""

    file_sha256 = HiddenField(validators=[DataRequired()])
    submit = SubmitField("Confirm: these are real payments; post the file")
