"""Forms of the account pages: return a payment, request a refund."""
from __future__ import annotations

from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from webapp.fields import AtLeast, MoneyField, option
from webapp.form_words import PageForm


class ReturnPaymentForm(PageForm):
    """A supervisor records a payment the bank returned."""

    reason = StringField("Reason", validators=[DataRequired(message="Say why the bank returned it."),
                                               Length(max=120)])
    submit = SubmitField("Return payment")


REFUND_SOURCES = [option("overpayment", "Overpayment (credit balance)"), option("deposit", "Deposit"),
                  option("license_overpayment", "License overpayment")]


class RefundRequestForm(PageForm):
    """A clerk asks for a credit to be refunded: opens a refund case."""

    amount = MoneyField("Amount to refund", validators=[DataRequired(message="Enter the amount to refund."),
                                                        AtLeast("0.01", "The amount must be more than $0.00.")],
                        ceiling="refund")
    source = SelectField("Where the credit comes from", choices=REFUND_SOURCES)
    submit = SubmitField("Request the refund")
