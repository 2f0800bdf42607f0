"""Forms of the business pages."""
from __future__ import annotations

from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from webapp.fields import WholeNumberField, option
from webapp.form_words import PageForm


class OpenCaseForm(PageForm):
    """Start the licensing workflow for an application."""

    submit = SubmitField("Open a licensing case")


class NewBusinessForm(PageForm):
    """A new business and the license it applies for; the owner by utility account, or a new owner."""

    business_name = StringField("Business name", validators=[DataRequired("Give the name the business trades under."),
                                                              Length(max=160)])
    address = StringField("Business location (street address)",
                          validators=[DataRequired("Give the street address where the business operates."),
                                      Length(max=160)])
    category = SelectField("Category", choices=[], validate_choice=False)
    employees = WholeNumberField("Employees (full-time equivalents, owners included)", default=1,
                             validators=[InputRequired("How many people work there?"),
                                         NumberRange(0, 100_000, "A whole number from 0 to 100,000.")])
    gross_receipts = StringField("Gross receipts last year, if the fee needs them (dollars)",
                                 validators=[Optional(), Length(max=20)])
    # the licenses the city's deadline documents define (intake); a type none defines is refused by name there
    license_type = SelectField("License", choices=[], validate_choice=False)
    owner_account = StringField("Owner's utility account number (if the owner has one)",
                                validators=[Optional(), Length(max=20)])
    owner_name = StringField("Or a new owner: name", validators=[Optional(), Length(max=160)])
    owner_street = StringField("Mailing street", validators=[Optional(), Length(max=160)])
    owner_city = StringField("City", validators=[Optional(), Length(max=80)])
    owner_state = StringField("State", validators=[Optional(), Length(min=2, max=2, message="Two letters, e.g. CA.")])
    owner_zip = StringField("ZIP code", validators=[Optional(), Length(max=10)])
    owner_phone = StringField("Phone", validators=[Optional(), Length(max=32)])
    owner_email = StringField("E-mail", validators=[Optional(), Length(max=160)])
    owner_language = SelectField("Letters in", choices=[option("en", "English")])  # the city's: with_choices
    review = SubmitField("Review the application")
    confirm = SubmitField("Take the application")
    edit = SubmitField("Change it")


class VerifyForm(PageForm):
    """A certificate's verification code, typed by anyone."""

    class Meta:
        csrf = False  # a lookup that changes nothing, open to the public (a GET form)

    code = StringField("Verification code on the certificate", validators=[Optional(), Length(max=40)])
