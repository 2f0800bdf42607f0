"""Forms of the business pages."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SubmitField


class OpenCaseForm(FlaskForm):
    """Start the licensing workflow for an application."""

    submit = SubmitField("Open a licensing case")
