"""The search box: one field, on every staff page and on the results page."""
from __future__ import annotations

from wtforms import StringField, SubmitField
from wtforms.validators import Length

from webapp.form_words import PageForm

LONGEST = 120


class FindForm(PageForm):
    """Find an account or business (a GET form: it changes nothing, so it carries no CSRF token)."""

    class Meta:
        """Search is read-only."""

        csrf = False

    q = StringField("Find anyone", validators=[Length(max=LONGEST, message=f"Type at most {LONGEST} characters.")],
                    render_kw={"autocomplete": "off", "spellcheck": "false"})
    submit = SubmitField("Search")
