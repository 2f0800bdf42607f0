"""Forms of the business pages."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import Length


class SearchForm(FlaskForm):
    """Find a business (a GET form; it changes nothing)."""

    class Meta:
        """Search is read-only."""

        csrf = False

    q = StringField("Business name or license number", validators=[Length(max=120)],
                    render_kw={"autocomplete": "off", "spellcheck": "false"})
    submit = SubmitField("Search")


class OpenCaseForm(FlaskForm):
    """Start the licensing workflow for an application."""

    submit = SubmitField("Open a licensing case")
