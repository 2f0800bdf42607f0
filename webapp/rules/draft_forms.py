"""The forms of the draft pages: the text of a new version, and the publish button; what the form editors (a rule
document's, a workflow's) read the same way from a post: the working text and the cells typed."""
from __future__ import annotations

import hashlib
import hmac

from flask import current_app, request
from wtforms import HiddenField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from engine.rules.errors import DocumentError
from engine.rules.yamlsafe import read_yaml

from webapp.form_words import PageForm

TEXT_LIMIT = 200_000
CELL = "cell:"  # a form editor's cell is posted as cell:PATH


def _seal_of(text: str) -> str:
    """The app's signature of a working text the form editor wrote (its secret key, this purpose only)."""
    key = hashlib.sha256(b"form-editor-text:" + current_app.secret_key.encode()).digest()
    return hmac.new(key, text.replace("\r\n", "\n").encode(), hashlib.sha256).hexdigest()


def seal_text(form: PageForm, text: str) -> None:
    """Put the working text in the form's hidden `text`, with its seal in `seal`."""
    form.text.data = text
    form.seal.data = _seal_of(text)


def posted_text(form: PageForm) -> tuple[str, str | None]:
    """The working text a form editor posted (its hidden `text`, newlines as \\n), or the problem to show with the
    published text instead: the form did not come whole (CSRF, length), its text is not one the form editor wrote
    (its seal does not match: the editors lay out only the shapes they make), or it is not readable YAML."""
    if not form.validate_on_submit() or not form.text.data:
        typed = [(form[name], problems[0]) for name, problems in form.errors.items()
                 if name not in ("csrf_token", "text", "seal") and problems]
        if typed:  # a field a person types into (the new version's day): named with what was typed
            field, problem = typed[0]
            shown = (field.raw_data or [""])[0][:40]
            return "", f"{field.label.text}: “{shown}”: {problem[:1].lower() + problem[1:]}"
        return "", "The form was not sent whole; start again."
    text = form.text.data.replace("\r\n", "\n")
    # compared as bytes: compare_digest refuses a str with any character outside ASCII (a TypeError, a 500)
    if not hmac.compare_digest((form.seal.data or "").encode(), _seal_of(text).encode()):
        return "", "The form's text is not the one this editor showed; start again."
    try:
        read_yaml(text, "the form")
    except DocumentError:
        return "", "The form's text was not readable; start again."
    return text, None


class SealedText:
    """A form editor's hidden fields: the working text and its seal (see seal_text)."""

    text = HiddenField(validators=[Length(max=TEXT_LIMIT)])
    seal = HiddenField()


def typed_cells() -> dict[str, str]:
    """What was typed into each cell of a form editor, by the cell's path."""
    return {name[len(CELL):]: value for name, value in request.form.items() if name.startswith(CELL)}


def sentence(message: str) -> str:
    """A message as a sentence: a capital first letter and a full stop."""
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


class DraftForm(PageForm):
    """A document's whole YAML text, checked or saved as a draft."""

    text = TextAreaField("The document as YAML", validators=[
        DataRequired(message="Write the document's text."),
        Length(max=TEXT_LIMIT, message=f"The text is longer than {TEXT_LIMIT:,} characters.")],
        render_kw={"rows": 30, "cols": 100, "spellcheck": "false"})
    check = SubmitField("Check the text")
    save = SubmitField("Save draft")


class PublishForm(PageForm):
    """Publish a draft (the CSRF token is the whole form)."""

    publish = SubmitField("Publish this version")


class ApproveForm(PublishForm):
    """Publish a rule draft with the approver's comment for the author and the history (optional)."""

    comment = TextAreaField("Comment for the author (optional)", validators=[Length(max=2000)],
                            render_kw={"rows": 3, "cols": 80})


class SendBackForm(PageForm):
    """Send a draft back to its author, saying why."""

    comment = TextAreaField("Why it goes back to the author", validators=[
        DataRequired(message="Say why it is sent back: the author reads it."), Length(max=2000)],
        render_kw={"rows": 3, "cols": 80})
    send_back = SubmitField("Send back to the author")


class RetryImpactForm(PageForm):
    """Ask again for a draft's impact after working it out failed (the CSRF token is the whole form)."""

    retry = SubmitField("Try again")
