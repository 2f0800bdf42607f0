"""The forms of the draft pages: the text of a new version, and the publish button; what the form editors (a rule
document's, a workflow's) read the same way from a post: the working text and the cells typed."""
from __future__ import annotations

from flask import request
from flask_wtf import FlaskForm
from wtforms import SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from engine.rules.errors import DocumentError
from engine.rules.yamlsafe import read_yaml

TEXT_LIMIT = 200_000
CELL = "cell:"  # a form editor's cell is posted as cell:PATH


def posted_text(form: FlaskForm) -> tuple[str, str | None]:
    """The working text a form editor posted (its hidden `text`, newlines as \\n), or the problem to show with the
    published text instead: the form did not come whole (CSRF, length) or its text is not readable YAML."""
    if not form.validate_on_submit() or not form.text.data:
        return "", "The form was not sent whole; start again."
    text = form.text.data.replace("\r\n", "\n")
    try:
        read_yaml(text, "the form")
    except DocumentError:
        return "", "The form's text was not readable; start again."
    return text, None


def typed_cells() -> dict[str, str]:
    """What was typed into each cell of a form editor, by the cell's path."""
    return {name[len(CELL):]: value for name, value in request.form.items() if name.startswith(CELL)}


def sentence(message: str) -> str:
    """A message as a sentence: a capital first letter and a full stop."""
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


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
