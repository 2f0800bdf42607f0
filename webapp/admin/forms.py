"""Forms for users, city settings, and the changes that wait for a second person."""
from __future__ import annotations

import yaml
from wtforms import (BooleanField, HiddenField, PasswordField, SelectField, SelectMultipleField,
                     StringField, SubmitField, TextAreaField)
from wtforms.widgets import CheckboxInput, ListWidget
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional

from engine import city
from engine.money import format_money, parse_money, to_cents
from engine.api_tokens import SCOPE_WORDS, SCOPES
from engine.money.bounds import CEILING_NAMES
from engine.duties import DUTIES
from engine.adjustment_reasons import reasons_of
from engine.receipt_categories import categories_of

from engine.money.tenders import TENDERS
from engine.store.models import LONGEST_PAID_ON_WINDOW, ROLES, CitySettings
from engine.passwords import MAX_LENGTH, MIN_LENGTH
from webapp.fields import WholeNumberField, option
from webapp.form_words import PageForm


TENDER_LABELS = {"cash": "Cash", "check": "Personal check", "card": "Card", "money_order": "Money order",
                 "ach": "Electronic check (ACH)"}
REFUSABLE_TENDERS = {tender: TENDER_LABELS[tender] for tender in TENDERS if tender != "cash"}


class AddUserForm(PageForm):
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


class DisableUserForm(PageForm):
    """The button that disables one user."""

    username = HiddenField(validators=[DataRequired()])
    submit = SubmitField("Disable")


class CityForm(PageForm):
    """The city's name, time zone, languages and contacts."""

    name = StringField("City name", validators=[DataRequired(), Length(max=120)])
    timezone = StringField("Time zone", validators=[DataRequired(), Length(max=64)])
    languages = SelectMultipleField(
        "Languages notices, bills and receipts are printed in (English is always one)", validate_choice=False,
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())  # engine.city checks them
    languages_shown = HiddenField()  # "yes": the boxes were on the page
    payment_address = TextAreaField("Address for payments by mail", validators=[Optional(), Length(max=500)])
    phone = StringField("Customer service phone", validators=[Optional(), Length(max=32)])
    website = StringField("Website", validators=[Optional(), Length(max=120)])
    rules_need_second_approver = BooleanField("Rule versions need a second person to approve them")
    second_approver = SelectField("Second approver (a supervisor), for a city with a single administrator",
                                  validate_choice=False)  # engine.city checks the name
    paid_on_days_back = WholeNumberField("Days a paid-on date may lie before the business day",
                                     validators=[Optional(), NumberRange(0, LONGEST_PAID_ON_WINDOW)])
    dashboard_figures_seconds = WholeNumberField("Dashboard figures worked out every (seconds; 0: at every view)",
                                             validators=[Optional()])  # engine.city checks the range
    duty_roles_shown = HiddenField()  # "yes": the duty boxes were on the page
    cash_only_refused_tenders = SelectMultipleField(
        "A cash-only account may not pay with", validate_choice=False,  # engine.city checks the tenders
        choices=[option(tender, REFUSABLE_TENDERS[tender]) for tender in REFUSABLE_TENDERS],
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    cash_only_tenders_shown = HiddenField()  # "yes": the boxes were on the page, so none ticked means none refused
    receipt_categories = TextAreaField(
        "Miscellaneous receipt categories (YAML: a list of code, label, fund, account)",
        validators=[Optional(), Length(max=20000)], render_kw={"rows": 8, "spellcheck": "false"})
    adjustment_reasons = TextAreaField(
        "Adjustment reasons (YAML: a list of code, label, and fund and account, or the fee schedule it waives)",
        validators=[Optional(), Length(max=20000)], render_kw={"rows": 8, "spellcheck": "false"})
    phone_export_layout = TextAreaField(
        "Phone notification export layout (YAML: columns, each field and heading; dates; phone)",
        validators=[Optional(), Length(max=5000)], render_kw={"rows": 10, "spellcheck": "false"})
    chart_of_accounts = TextAreaField(
        "Chart of accounts (YAML: the GL fund and account each kind of money is booked to, and the accounts' names)",
        validators=[Optional(), Length(max=20000)], render_kw={"rows": 16, "spellcheck": "false"})
    submit = SubmitField("Save settings")


for _kind, _what in CEILING_NAMES.items():  # one money field per ceiling, in dollars as people type them
    setattr(CityForm, f"{_kind}_ceiling", StringField(f"At most, {_what}", validators=[Optional(), Length(max=20)]))
CEILING_FIELDS = {f"{kind}_ceiling": f"{kind}_ceiling_cents" for kind in CEILING_NAMES}  # form field -> setting
ROLE_LABELS = {"clerk": "Clerks", "supervisor": "Supervisors", "admin": "Administrators"}
for _duty, _what in DUTIES.items():  # one row of page-role boxes per counter duty (engine.duties)
    setattr(CityForm, f"duty_{_duty}", SelectMultipleField(
        f"Who may {_what}", validate_choice=False,  # engine.city checks the roles
        choices=[option(role, ROLE_LABELS[role]) for role in ROLES],
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput()))
DUTY_FIELDS = {f"duty_{duty}": duty for duty in DUTIES}  # form field -> duty


def city_form(supervisors: list[str], settings: CitySettings, languages: dict[str, str],
              **values: object) -> CityForm:
    """The city form filled from the settings, the ceilings in dollars, the second-approver choices the supervisors,
    the languages to choose from those the notice templates print (code -> name)."""
    form = CityForm(obj=settings, **values)
    form.languages.choices = [option(code, name) for code, name in languages.items()]
    if not form.is_submitted():
        for name, setting in CEILING_FIELDS.items():
            form[name].data = format_money(getattr(settings, setting))
    form.second_approver.choices = [option("", "Nobody named")] + [option(name, name) for name in supervisors]
    if not form.is_submitted():
        form.cash_only_refused_tenders.data = city.setting_value(settings, "cash_only_refused_tenders")
        form.cash_only_tenders_shown.data = "yes"
        form.languages_shown.data = "yes"
        in_force = city.setting_value(settings, "duty_roles")
        for name, duty in DUTY_FIELDS.items():
            form[name].data = in_force[duty]
        form.duty_roles_shown.data = "yes"
        form.receipt_categories.data = yaml.safe_dump(
            [vars(category) for category in categories_of(settings.receipt_categories)], sort_keys=False,
            allow_unicode=True)
        form.adjustment_reasons.data = yaml.safe_dump(
            [{k: v for k, v in vars(reason).items() if v} for reason in reasons_of(settings.adjustment_reasons)],
            sort_keys=False, allow_unicode=True)
        for name in ("phone_export_layout", "chart_of_accounts"):
            form[name].data = yaml.safe_dump(city.setting_value(settings, name), sort_keys=False, allow_unicode=True)
    return form


def city_changes(form: CityForm) -> dict[str, object]:
    """The settings the form asks for, a ceiling left empty unchanged; a ValueError names a ceiling that is no amount."""
    changes: dict[str, object] = {name: form[name].data for name in city.EDITABLE
                                  if name in form and name not in city.CEILINGS}
    for name in ("paid_on_days_back", "dashboard_figures_seconds"):  # left empty: unchanged
        if changes.get(name) is None:
            changes.pop(name, None)
    if form.languages_shown.data != "yes":  # a form without the boxes leaves the setting as it is
        changes.pop("languages", None)
    if form.cash_only_tenders_shown.data != "yes":  # a form without the boxes leaves the setting as it is
        changes.pop("cash_only_refused_tenders", None)
    if form.duty_roles_shown.data == "yes":  # a form without the boxes leaves the setting as it is
        changes["duty_roles"] = {duty: form[name].data or [] for name, duty in DUTY_FIELDS.items()}
    for name in ("receipt_categories", "adjustment_reasons", "phone_export_layout", "chart_of_accounts"):  # as YAML
        changes.pop(name, None)
        if (form[name].data or "").strip():
            changes[name] = city_yaml(form[name].data, form[name].label.text)
    for name, setting in CEILING_FIELDS.items():
        if form[name].data:
            try:
                changes[setting] = to_cents(parse_money(form[name].data))
            except ValueError as error:
                raise ValueError(f"{form[name].label.text}: {error}") from None
    return changes


class AssistanceProgramsForm(PageForm):
    """The city's assistance programs, as YAML: each with id, name by language and counts_as_low_income."""

    programs = TextAreaField("Assistance programs (YAML: a list of id, name by language, counts_as_low_income)",
                             validators=[DataRequired(message="Write the programs as YAML."), Length(max=20000)],
                             render_kw={"rows": 14, "spellcheck": "false"})
    submit = SubmitField("Ask for these programs")


class RoleForm(PageForm):
    """Ask for one user's role to change (it waits for a second person)."""

    username = HiddenField(validators=[DataRequired()])
    role = SelectField("Role", choices=list(ROLES))
    submit = SubmitField("Ask for this role")


class DecisionForm(PageForm):
    """The Approve or Refuse button of a waiting change (its CSRF token)."""

    submit = SubmitField("Decide")


class EnableUserForm(PageForm):
    """The button that lets a disabled user sign in again."""

    username = HiddenField(validators=[DataRequired()])
    submit = SubmitField("Enable")


class ResetPasswordForm(PageForm):
    """A new password an administrator gives a clerk or supervisor."""

    username = HiddenField(validators=[DataRequired()])
    password = PasswordField("New password", validators=[DataRequired(), Length(
                             min=MIN_LENGTH, max=MAX_LENGTH,
                             message=f"A password needs {MIN_LENGTH} to {MAX_LENGTH} characters.")],
                             render_kw={"autocomplete": "new-password"})
    submit = SubmitField("Set password")


class AddTokenForm(PageForm):
    """A new API token for another system: its name and what it may do."""

    name = StringField("Name (the system that will use it)", validators=[DataRequired(), Length(min=2, max=64)],
                       render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"})
    scopes = SelectMultipleField("What it may do", choices=[option(scope, SCOPE_WORDS[scope]) for scope in SCOPES],
                                 validators=[DataRequired(message="Choose at least one thing the token may do.")],
                                 widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    submit = SubmitField("Add token")


class RevokeTokenForm(PageForm):
    """The button that revokes one token."""

    name = HiddenField(validators=[DataRequired()])
    submit = SubmitField("Revoke")


class ApprovalRoleForm(PageForm):
    """Define an approval role, or edit one's words (its id never changes)."""

    role_id = StringField("Role id", validators=[DataRequired(), Length(min=2, max=40)],
                          render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"})
    label = StringField("Label", validators=[DataRequired(), Length(max=80)])
    description = TextAreaField("What the role approves", validators=[Optional(), Length(max=2000)])
    submit = SubmitField("Save the role")


class GrantForm(PageForm):
    """Ask for a user to be granted an approval role (it waits for a second person)."""

    username = SelectField("User", validate_choice=False)  # engine.roles names a user who is not there
    role_id = SelectField("Approval role", validate_choice=False)
    submit = SubmitField("Ask for this grant")


class RevokeForm(PageForm):
    """The button that takes one approval role from one user."""

    username = HiddenField(validators=[DataRequired()])
    role_id = HiddenField(validators=[DataRequired()])
    submit = SubmitField("Revoke")


def city_yaml(text: str, what: str) -> object:
    """City data typed as YAML on an admin page, or a ValueError that names the field and the line.

    PyYAML reads a date-shaped value as a date, and a date that does not exist (2026-02-30) raises a
    plain ValueError, not a YAMLError: both are the typist's to correct.
    """
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        raise ValueError(f"{what}: not YAML" + (f" (line {where.line + 1})" if where else "")) from None
    except ValueError as error:
        raise ValueError(f"{what}: not readable ({error})") from None
