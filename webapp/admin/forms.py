"""Forms for users and city settings."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from engine.store.models import ROLES
from engine.passwords import MAX_LENGTH, MIN_LENGTH


class AddUserForm(FlaskForm):
    """A new member of staff."""

    username = StringField("Username", validators=[DataRequired(), Length(min=2, max=64)],
                           render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"})
    full_name = StringField("Full name", validators=[DataRequired(), Length(max=120)])
    role = SelectField("Role", choices=list(ROLES))
    password = PasswordField("Password", validators=[DataRequired(), Length(
                             min=MIN_LENGTH, max=MAX_LENGTH,
                             message=f"A password needs {MIN_LENGTH} to {MAX_LENGTH} characters.")],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("Password again", validators=[DataRequired(), EqualTo("password",
                            message="The two passwords differ.")], render_kw={"autocomplete": "new-password"})
    submit = SubmitField("Add user")


class DisableUserForm(FlaskForm):
    """The button that disables one user."""

    username = HiddenField(validators=[DataRequired()])
    submit = SubmitField("Disable")


class CityForm(FlaskForm):
    """The city's name, time zone, languages and contacts."""

    name = StringField("City name", validators=[DataRequired(), Length(max=120)])
    timezone = StringField("Time zone", validators=[DataRequired(), Length(max=64)])
    spanish = BooleanField("Send notices in Spanish to customers who prefer it (English is always used)")
    payment_address = TextAreaField("Address for payments by mail", validators=[Optional(), Length(max=500)])
    phone = StringField("Customer service phone", validators=[Optional(), Length(max=32)])
    website = StringField("Website", validators=[Optional(), Length(max=120)])
    rules_need_second_approver = BooleanField("Rule versions need a second person to approve them")
    submit = SubmitField("Save settings")
