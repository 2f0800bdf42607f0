"""The evaluate form of a schedule, built from the document's declared inputs."""
from __future__ import annotations

from typing import Any

from wtforms import BooleanField, DateField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from engine.rules.document import RuleDocument
from engine.rules.wording import input_words
from webapp.fields import WholeNumberField, option
from webapp.form_words import PageForm

FIELD_PREFIX = "fact_"


class EvaluateForm(PageForm):
    """The day to evaluate on; the facts are added per document."""

    as_of = DateField("Evaluate as of", validators=[DataRequired(message="Choose the day to evaluate on.")],
                      render_kw={"type": "date"})


def _hint(spec: Any) -> str:
    """What a fact's field accepts: its type, limits and default, in the words a version's inputs read in."""
    if spec.values:
        return "One of the choices" + (f"; left empty: {spec.default}." if spec.has_default else ".")
    return input_words(spec).capitalize() + "."


def _field(spec: Any):
    """The field for one declared input."""
    label = spec.name.replace("_", " ").capitalize()
    needed = [InputRequired(message=f"{label} is required.")] if spec.required and not spec.has_default \
        else [Optional()]
    if spec.type == "boolean":
        return BooleanField(label, default=bool(spec.default) if spec.has_default else False)
    if spec.values:
        choices = ([] if spec.required and not spec.has_default else [option("", "—")]) + [option(v, v) for v in spec.values]
        return SelectField(label, choices=choices, validators=needed,
                           default=spec.default if spec.has_default else None)
    if spec.type == "integer":
        return WholeNumberField(label, validators=needed)
    if spec.type == "date":
        return DateField(label, validators=needed, render_kw={"type": "date"})
    return StringField(label, validators=needed + [Length(max=60)],
                       render_kw={"inputmode": "decimal"} if spec.type in ("number", "money") else {})


def evaluate_form(doc: RuleDocument, formdata: Any = None) -> EvaluateForm:
    """The evaluate form of a document: the day, then one field per declared input."""

    class Form(EvaluateForm):
        """This document's facts."""

    for spec in doc.inputs.values():
        setattr(Form, FIELD_PREFIX + spec.name, _field(spec))
    Form.submit = SubmitField("Evaluate")
    form = Form(formdata=formdata) if formdata is not None else Form()
    form.hints = {FIELD_PREFIX + spec.name: _hint(spec) for spec in doc.inputs.values()}
    form.fact_names = [FIELD_PREFIX + spec.name for spec in doc.inputs.values()]
    return form


def facts_of(form: EvaluateForm, doc: RuleDocument) -> dict[str, Any]:
    """The facts typed in, as the engine takes them (empty optional ones left out)."""
    facts = {}
    for spec in doc.inputs.values():
        value = form[FIELD_PREFIX + spec.name].data
        if value is None or value == "":
            continue
        if spec.type == "list":  # ids separated by commas: medical_baseline, senior
            facts[spec.name] = [item.strip() for item in str(value).split(",") if item.strip()]
            continue
        facts[spec.name] = value.strip() if isinstance(value, str) else value
    return facts
