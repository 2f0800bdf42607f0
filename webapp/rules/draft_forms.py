"""The forms of the draft pages: the text of a new version, and the publish button."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

TEXT_LIMIT = 200_000


class DraftForm(FlaskForm):
    """A document's whole YAML text, checked or saved as a draft."""

    text = TextAreaField("The document as YAML", validators=[
        DataRequired(message="Write the document's text."),
        Length(max=TEXT_LIMIT, message=f"The text is longer than {TEXT_LIMIT:,} characters.")],
        render_kw={"rows": 30, "cols": 100, "spellcheck": "false"})
    check = SubmitField("Check the text")
    save = SubmitField("Save draft")


class PublishForm(FlaskForm):
    """Publish a draft (the CSRF token is the whole form)."""

    publish = SubmitField("Publish this version")


class ApproveForm(PublishForm):
    """Publish a rule draft with the approver's comment for the author and the history (optional)."""

    comment = TextAreaField("Comment for the author (optional)", validators=[Length(max=2000)],
                            render_kw={"rows": 3, "cols": 80})


class SendBackForm(FlaskForm):
    """Send a draft back to its author, saying why."""

    comment = TextAreaField("Why it goes back to the author", validators=[
        DataRequired(message="Say why it is sent back: the author reads it."), Length(max=2000)],
        render_kw={"rows": 3, "cols": 80})
    send_back = SubmitField("Send back to the author")


class RetryImpactForm(FlaskForm):
    """Ask again for a draft's impact after working it out failed (the CSRF token is the whole form)."""

    retry = SubmitField("Try again")
