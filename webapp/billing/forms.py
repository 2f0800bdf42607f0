"""The Billing page's forms: which cycle and month to show (GET), the run and the print (POST, with CSRF)."""
from __future__ import annotations

from wtforms import HiddenField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from webapp.form_words import PageForm
from webapp.reads.forms import PERIOD


class ShowForm(PageForm):
    """The cycle and month shown: read-only, so no CSRF token."""

    class Meta:
        """Showing changes nothing."""

        csrf = False

    cycle = SelectField("Billing cycle", validate_choice=False)  # the engine says which cycles the city has
    period = StringField("Billing month", validators=[DataRequired(message="Write the month as YYYY-MM, e.g. 2026-12."),
                                                      PERIOD], render_kw={"placeholder": "2026-12"})
    submit = SubmitField("Show")


class _CycleMonth(PageForm):
    """A cycle's month, carried by a button's form."""

    cycle = HiddenField(validators=[DataRequired(message="The billing cycle is missing."), Length(max=4)])
    period = HiddenField(validators=[DataRequired(message="The billing month is missing."), PERIOD])


class RunForm(_CycleMonth):
    """Bill the cycle's month: the reads ready as the page showed them ride along."""

    ready = HiddenField(validators=[DataRequired(message="The figures the run was asked on are missing."),
                                    Length(max=40)])
    run = SubmitField("Run the billing")


class PrintForm(_CycleMonth):
    """Print the month's bills: the mailing PDF and the postal summary."""

    print_bills = SubmitField("Print the bills")
