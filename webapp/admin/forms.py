"""Forms for users, city settings, and the changes that wait for a second person."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from engine.store.models import ROLES
from engine.passwords import MAX_LENGTH, MIN_LENGTH
from webapp.fields import option


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
    second_approver = SelectField("Second approver (a supervisor), for a city with a single administrator",
                                  validate_choice=False)  # engine.city checks the name
    submit = SubmitField("Save settings")


def city_form(supervisors: list[str], **values: object) -> CityForm:
    """The city form, its second-approver choices the active supervisors (or nobody)."""
    form = CityForm(**values)
    form.second_approver.choices = [option("", "Nobody named")] + [option(name, name) for name in supervisors]
    return form


class RoleForm(FlaskForm):
    """Ask for one user's role to change (it waits for a second person)."""

    username = HiddenField(validators=[DataRequired()])
    role = SelectField("Role", choices=list(ROLES))
    submit = SubmitField("Ask for this role")


class DecisionForm(FlaskForm):
    """The Approve or Refuse button of a waiting change (its CSRF token)."""

    submit = SubmitField("Decide")
