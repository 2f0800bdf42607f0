"""The small forms of the reports: a day, or a billing cycle and period (GET forms; they change nothing)."""
from __future__ import annotations

from wtforms import DateField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from webapp.form_words import PageForm

PERIOD = Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", message="Write the period as YYYY-MM, e.g. 2026-03.")


class _ReadOnly(PageForm):
    """A report's form: read-only, so no CSRF token."""

    class Meta:
        """Reports change nothing."""

        csrf = False

    submit = SubmitField("Show")


class AsOfForm(_ReadOnly):
    """A report as of a day."""

    as_of = DateField("As of", validators=[Optional()], render_kw={"type": "date"})


class DayForm(_ReadOnly):
    """A report of one day."""

    date = DateField("Day", validators=[Optional()], render_kw={"type": "date"})


class RegisterForm(_ReadOnly):
    """The billing register of one cycle's period."""

    cycle = StringField("Billing cycle", validators=[DataRequired(message="Enter the billing cycle, e.g. A."),
                                                     Length(max=4)])
    period = StringField("Period", validators=[DataRequired(message="Enter the period, e.g. 2026-03."), PERIOD])


class RateSummaryForm(_ReadOnly):
    """Bills of a period by rate code, optionally one cycle's."""

    period = StringField("Period", validators=[DataRequired(message="Enter the period, e.g. 2026-03."), PERIOD])
    cycle = StringField("Billing cycle (optional)", validators=[Optional(), Length(max=4)])
