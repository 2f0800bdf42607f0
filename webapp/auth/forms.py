"""The sign-in and sign-out forms."""
from __future__ import annotations

from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from webapp.form_words import PageForm


class LoginForm(PageForm):
    """Username and password."""

    username = StringField("Username", validators=[DataRequired(), Length(max=64)],
                           render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"})
    password = PasswordField("Password", validators=[DataRequired(), Length(max=256)],
                             render_kw={"autocomplete": "current-password"})
    submit = SubmitField("Sign in")


class LogoutForm(PageForm):
    """A button that signs out (a POST, so it carries the CSRF token)."""

    submit = SubmitField("Sign out")


class OwnPasswordForm(PageForm):
    """A signed-in person's new password, with the current one as proof."""

    current = PasswordField("Current password", validators=[DataRequired(), Length(max=256)],
                            render_kw={"autocomplete": "current-password"})
    password = PasswordField("New password", validators=[DataRequired(), Length(max=256)],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("New password again", validators=[DataRequired(), EqualTo("password",
                            message="The two new passwords differ.")], render_kw={"autocomplete": "new-password"})
    submit = SubmitField("Change my password")
