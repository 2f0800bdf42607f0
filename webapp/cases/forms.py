"""Forms of the case pages: the queue filter, and a step's form built from its spec in the workflow."""
from __future__ import annotations

from datetime import date
from typing import Any

from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from engine.notices.catalog import notice_type
from engine.rules.bounds import FIRST_DATE, LAST_DATE
from engine.rules.months import day_words
from webapp.fields import AtLeast, AtMost, MoneyField, WholeNumberField, option
from webapp.form_words import PageForm


class QueueFilterForm(PageForm):
    """Which cases to list (a GET form; it changes nothing)."""

    class Meta:
        """Filtering is read-only."""

        csrf = False

    workflow = SelectField("Workflow", choices=[option("", "Any workflow")], validate_choice=False)
    state = SelectField("State", choices=[option("", "Any state")], validate_choice=False)
    closed = BooleanField("Closed cases instead of open ones")
    submit = SubmitField("Show")


class StepForm(PageForm):
    """A step's button: the case version the person saw, and the step's own fields (added per step)."""

    version = HiddenField(validators=[InputRequired()])


def _date_window(label: str, least: Any, most: Any):
    """A validator holding a date between its limits, naming the field and the limits in the city's date style."""
    low = date.fromisoformat(least) if isinstance(least, str) else least
    high = date.fromisoformat(most) if isinstance(most, str) else most

    def check(form, field) -> None:
        """Refuse a date outside the window."""
        if field.data is None:
            return
        if low is not None and field.data < low:
            raise ValidationError(f"{label} must be on or after {day_words(low)}.")
        if high is not None and field.data > high:
            raise ValidationError(f"{label} must be on or before {day_words(high)}.")

    return check


def _field(spec: dict[str, Any]):
    """The WTForms field for one field of a step's form."""
    label, required, kind = spec.get("label") or spec["name"].replace("_", " ").capitalize(), spec["required"], spec["type"]
    needed = [DataRequired(message=f"{label} is required.")] if required else [Optional()]
    least, most = spec.get("min"), spec.get("max")
    if kind == "integer":
        needed = [InputRequired(message=f"{label} is required.")] if required else [Optional()]
        return WholeNumberField(label, validators=needed + [NumberRange(
            min=least, max=most, message=_range_message(label, least, most))], render_kw={"inputmode": "numeric"})
    if kind == "money":
        limits = ([AtLeast(str(least))] if least is not None else []) + ([AtMost(str(most))] if most is not None else [])
        return MoneyField(label, validators=needed + limits, render_kw={"inputmode": "decimal"})
    if kind == "date":
        return DateField(label, validators=needed + [_date_window(label, FIRST_DATE if least is None else least,
                                                                  LAST_DATE if most is None else most)],
                         render_kw={"type": "date"})  # a day of the years a fact holds (engine.workflow.forms)
    if kind == "time":  # HH:MM, read and checked by the step's form (engine.workflow.forms)
        return StringField(label, validators=needed + [Length(max=5)], render_kw={"type": "time"})
    if kind == "boolean":
        return BooleanField(label)
    if kind == "choice":
        return SelectField(label, choices=[option("", "Choose…")] + [option(c, c.replace("_", " ")) for c in spec["choices"]],
                           validators=needed)
    return StringField(label, validators=needed + [Length(max=500)])


def _range_message(label: str, least: Any, most: Any) -> str:
    """What an out-of-range whole number is told."""
    if least is not None and most is not None:
        return f"{label} must be from {least} to {most}."
    return f"{label} must be at least {least}." if least is not None else f"{label} must be at most {most}."


def step_form(step: Any, formdata: Any = None) -> StepForm:
    """The form of one step (a StepOption), its fields prefixed with the step's id so several fit on a page."""

    class Form(StepForm):
        """The fields this step asks for."""

    for spec in step.form:
        setattr(Form, spec["name"], _field(spec))
    setattr(Form, "submit", SubmitField(step.label))
    if step.form and step.letters:  # a step whose letter depends on what is typed: show it before taking the step
        setattr(Form, "preview", SubmitField(notice_type(step.letters[0]).preview))
    form = Form(formdata=formdata, prefix=step.id) if formdata is not None else Form(prefix=step.id)
    form.spec = step.form
    return form


def step_values(form: StepForm) -> dict[str, Any]:
    """What the person typed, as the engine reads a step's form (money as text, dates as dates)."""
    values: dict[str, Any] = {}
    for spec in form.spec:
        field = form[spec["name"]]
        value = field.data
        if spec["type"] == "money":
            value = str(field.amount) if field.amount is not None else None
        if value is not None and value != "":
            values[spec["name"]] = value
        elif spec["type"] == "boolean":
            values[spec["name"]] = False
    return values


def wants_preview(form: StepForm | None) -> bool:
    """Whether the person pressed the step's preview button rather than the step's own."""
    return form is not None and "preview" in form and bool(form.preview.data)


def hint_for(spec: dict[str, Any]) -> str | None:
    """The hint under a step's field: its limits or format."""
    least, most = spec.get("min"), spec.get("max")
    unit = "$" if spec["type"] == "money" else ""
    if least is not None and most is not None:
        return f"From {unit}{least} to {unit}{most}."
    if least is not None:
        return f"At least {unit}{least}."
    if most is not None:
        return f"At most {unit}{most}."
    return {"money": "Dollars and cents, e.g. 52.03."}.get(spec["type"])
