"""The read review's forms: which month and cycle to show (GET), and one decision on a read (POST, with CSRF)."""
from __future__ import annotations

from wtforms import HiddenField, StringField, SubmitField
from wtforms.validators import AnyOf, DataRequired, Length, Optional, Regexp

from webapp.form_words import PageForm

PERIOD = Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", message="Write the month as YYYY-MM, e.g. 2026-03.")
DECISIONS = ("accept", "reread", "estimate")


class ShowForm(PageForm):
    """The month (and cycle) whose reads are shown: read-only, so no CSRF token."""

    class Meta:
        """Showing changes nothing."""

        csrf = False

    period = StringField("Billing month", validators=[Optional(), PERIOD], render_kw={"placeholder": "2026-03"})
    cycle = StringField("Billing cycle", validators=[Optional(), Length(max=4)], render_kw={"placeholder": "all"})
    submit = SubmitField("Show")


class DecisionForm(PageForm):
    """A clerk's decision on a waiting read: accept it, send it to reread, or estimate it."""

    decision = HiddenField(validators=[DataRequired(message="Choose accept, reread or estimate."),
                                       AnyOf(DECISIONS, message="Choose accept, reread or estimate.")])
    period = HiddenField(validators=[Optional(), PERIOD])
    cycle = HiddenField(validators=[Optional(), Length(max=4)])


class EstimateMissingForm(PageForm):
    """Estimate the missing read of one account for a month."""

    period = HiddenField(validators=[DataRequired(message="The month is missing."), PERIOD])
    cycle = HiddenField(validators=[Optional(), Length(max=4)])
