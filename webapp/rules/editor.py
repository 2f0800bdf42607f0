"""The form editor of a rule document (supervisors and administrators): tables, months, a timeline, then a draft.

The form carries the document's text as it is being changed (a hidden field) and the
figures of its versions not yet in force as cells; each button posts the whole form, so it
works without JavaScript. "New version from a date" copies the version in force on that
date, in date order; a day of a calendar's month adds or removes a holiday or a no-shut-off
day; "Save draft" applies the cells (engine.rules.editing, the rest of the text as it was)
and stores the draft as the YAML editor does (the same check, engine.rulebook.drafting).
"""
from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import DateField, RadioField, StringField, SubmitField
from wtforms.validators import Length, Optional

from engine.rulebook import store
from engine.rules import editing, form_layout
from engine.rules.diff import document_diff
from engine.rules.editing import EditError
from engine.rules.places import placed
from engine.rules.yamlsafe import read_yaml
from webapp import clock
from webapp.auth import SUPERVISORS, role_required
from webapp.extensions import database
from webapp.fields import option
from webapp.form_words import PageForm
from webapp.rules import bp
from webapp.rules.draft_forms import SealedText, posted_text, seal_text, sentence, typed_cells
from webapp.rules.drafts import _published, checked_text

PERCENT, DAY = "percent:", "day"


class EditorForm(SealedText, PageForm):
    """The form editor's own fields; the cells are added by name (cell:PATH) and read from the request."""

    on = DateField("The new version takes effect on", validators=[Optional()], render_kw={"type": "date"})
    new_version = SubmitField("Copy the version in force then")
    mode = RadioField("A click on a day", default="holiday",
                      choices=[option("holiday", "adds or removes a holiday"),
                               option("no_shutoff", "adds or removes a day without shut-offs")])
    holiday_name = StringField("Name of a holiday added", validators=[Optional(), Length(max=80)])
    reason = StringField("Why a day without shut-offs", validators=[Optional(), Length(max=80)])
    check = SubmitField("Show what changes")
    save = SubmitField("Save draft")


def _layouts(text: str, today: date) -> tuple[dict, list[form_layout.VersionLayout]]:
    """The document read as data and each version's form (editable when it is not yet in force)."""
    data = read_yaml(text, "the form").data
    editable = [i for i, v in enumerate(data["versions"]) if v["effective"] > today]
    cells = editing.cells(text)
    return data, [form_layout.version_layout(data, i, cells, i in editable) for i in range(len(data["versions"]))]


def _extras(data: dict, layout: form_layout.VersionLayout) -> dict:
    """What a kind shows besides cells: a criteria version's decision table, a calendar version's months."""
    version = data["versions"][layout.index]
    if data["kind"] == "criteria":  # an editable version's table holds its cells; one in force reads in words
        return {"table": layout.table if layout.editable else form_layout.decision_table(version)}
    if data["kind"] == "calendar" and layout.editable:
        later = [v["effective"] for v in data["versions"] if v["effective"] > layout.effective]
        count = form_layout.months_shown(layout.effective, min(later) if later else None)
        return {"months": form_layout.month_grids(version, layout.effective, count)}
    return {}


def _page(current, form: EditorForm, text: str, *, problems: list[str] = (), errors=(), copied=None,
          changes=None, status: int = 200):
    """The form editor on a working text."""
    today = clock.today()
    seal_text(form, text)
    data, layouts = _layouts(text, today)
    return render_template("rules/editor.html", current=current, form=form, data=data, today=today,
                           layouts=[(layout, _extras(data, layout)) for layout in layouts],
                           problems=problems, errors=errors, copied=copied, changes=changes), status


@bp.route("/<document_id>/edit", methods=["GET"])
@role_required(*SUPERVISORS)
def edit(document_id: str):
    """The newest published revision in its form editor."""
    current = _published(document_id)
    return _page(current, EditorForm(formdata=None), current.yaml_text)[0]


def _percentages(text: str) -> tuple[str, list[str]]:
    """Each "change tier N by P%" asked for, applied to that tier's rate in every block of the line."""
    problems = []
    data = read_yaml(text, "the form").data
    for name, typed in request.form.items():
        if not name.startswith(PERCENT) or not typed.strip():
            continue
        line_path, _, number = name[len(PERCENT):].rpartition(":")
        try:
            percent = editing.read_percent(typed, f"tier {number[:12]}")
            tier = int(number)
            blocks = editing.data_at(data, f"{line_path}.tiers.blocks")
        except EditError as error:
            problems.append(str(error))
            continue
        except (ValueError, KeyError, IndexError, TypeError):
            problems.append(f"“{typed[:40]}” is not a percentage for tier {number[:12]}")
            continue
        groups = blocks.items() if isinstance(blocks, dict) else [(None, blocks)]
        for key, tiers in groups:
            path = f"{line_path}.tiers.blocks" + (f".{key}" if key is not None else "") + f"[{tier - 1}].rate"
            if 0 < tier <= len(tiers) and "rate" in tiers[tier - 1]:
                try:
                    text = editing.set_value(text, path, editing.changed_by_percent(tiers[tier - 1]["rate"], percent))
                except EditError as error:
                    problems.append(str(error))
    return text, problems


def _toggle_day(text: str, form: EditorForm, pressed: str) -> str:
    """A click on a day of a calendar version: a holiday or a one-day no-shut-off period, added or removed."""
    index, _, day_text = pressed.partition(":")
    day, index = date.fromisoformat(day_text), int(index)
    version = read_yaml(text, "the form").data["versions"][index]
    where = f"versions[{index}]"
    if version["effective"] <= clock.today():
        raise EditError(f"the version of {version['effective']} is in force; add a new version from a date first")
    if form.mode.data == "no_shutoff":
        return _toggle_no_shutoff(text, where, version, day, (form.reason.data or "").strip() or "No shut-offs")
    named, yearly = form_layout.version_holidays(version, range(day.year, day.year + 1))
    if day in yearly:
        raise EditError(f"{day_text} is {named[day]} by this version's yearly holidays (yearly_holidays); "
                        "change its rule in the YAML editor")
    holidays = version.get("holidays")
    if isinstance(holidays, list):
        if day in holidays:
            return editing.remove_item(text, f"{where}.holidays", holidays.index(day))
        return editing.add_item(text, f"{where}.holidays", day)
    name = (form.holiday_name.data or "").strip() or "Holiday"
    if holidays is None:  # a version with yearly holidays only: its first holiday of a date starts the list
        return editing.add_entry(text, where, "holidays", {day_text: name})
    if day_text in {str(k) for k in holidays}:
        return editing.remove_entry(text, f"{where}.holidays", day_text)
    return editing.add_entry(text, f"{where}.holidays", day_text, name)


def _toggle_no_shutoff(text: str, where: str, version: dict, day: date, reason: str) -> str:
    """A one-day no-shut-off period (`no_shutoff.periods`) added, or removed when it is there; a version with no
    dated periods (its no-shut-off days all yearly, `every_year`, or weekdays; or none) starts the list with it, and
    the list (or `no_shutoff`, when it held nothing else) goes again with its last period."""
    rules = version.get("no_shutoff")
    periods = (rules or {}).get("periods")
    period = {"from": day, "to": day, "reason": reason}
    if rules is None:
        return editing.add_entry(text, where, "no_shutoff", {"periods": [period]})
    if periods is None:
        return editing.add_entry(text, f"{where}.no_shutoff", "periods", [period])
    single = next((i for i, p in enumerate(periods) if p.get("from") == day and p.get("to") == day), None)
    if single is not None and len(periods) == 1:
        if len(rules) == 1:
            return editing.remove_entry(text, where, "no_shutoff")
        return editing.remove_entry(text, f"{where}.no_shutoff", "periods")
    if single is not None:
        return editing.remove_item(text, f"{where}.no_shutoff.periods", single)
    return editing.add_item(text, f"{where}.no_shutoff.periods", period, order="from")


@bp.route("/<document_id>/edit", methods=["POST"])
@role_required(*SUPERVISORS)
def edit_post(document_id: str):
    """A button of the form editor: copy a version from a date, a day clicked, or save the draft."""
    current = _published(document_id)
    form = EditorForm()
    text, unsent = posted_text(form)
    if unsent:
        return _page(current, form, current.yaml_text, problems=[unsent], status=400)
    text, problems = editing.apply_cells(text, typed_cells())
    if not problems:
        text, problems = _percentages(text)
    if problems:
        return _page(current, form, text, problems=problems, status=400)
    try:
        if form.new_version.data:
            if form.on.data is None:
                return _page(current, form, text, problems=["Choose the date the new version takes effect."],
                             status=400)
            made = editing.new_version(text, form.on.data)
            return _page(current, form, made.text, copied=(made.copied, form.on.data))
        if request.form.get(DAY):
            return _page(current, form, _toggle_day(text, form, request.form[DAY]))
        if form.check.data:
            return _checked_page(current, form, text)
    except (EditError, ValueError) as error:
        return _page(current, form, text, problems=[sentence(str(error))], status=400)
    return _save(current, form, text)


def _checked_page(current, form: EditorForm, text: str):
    """The form again with what the working text changes against the published revision, and its errors."""
    check = checked_text(current.document_id, text)
    changes = document_diff(check.published, check.document) if check.ok and check.published else None
    return _page(current, form, text, errors=placed(check.errors, text), changes=changes,
                 status=200 if check.ok else 400)




def _save(current, form: EditorForm, text: str):
    """Store the working text as a draft, checked as every draft is; the form again with what stops it."""
    check = checked_text(current.document_id, text)
    if not check.ok:
        return _page(current, form, text, errors=placed(check.errors, text), status=400)
    try:
        row = store.draft(database.session, check, current_user.username, clock.now())
    except store.RuleStoreError as error:
        database.session.rollback()
        return _page(current, form, text, problems=[sentence(str(error))], status=400)
    database.session.commit()
    flash(f"Draft revision {row.revision} of {current.document_id} saved. It is not in force until it is published.",
          "success")
    return redirect(url_for("rules.draft", document_id=current.document_id, revision=row.revision))
