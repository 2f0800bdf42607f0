"""Assistance programs: the city's list, changed as YAML and approved by a second person; a thin view over
engine.city, engine.assistance_programs and engine.two_person."""
from __future__ import annotations

import yaml
from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from engine import city, two_person
from engine.assistance_programs import programs_of
from webapp import clock
from webapp.admin import bp
from webapp.admin.forms import AssistanceProgramsForm, city_yaml
from webapp.admin.routes import REFUSALS, _asked, _waiting
from webapp.auth import ADMINS, role_required
from webapp.extensions import database


def _page(form: AssistanceProgramsForm | None = None, status: int = 200):
    """The programs in force, the form to change them (filled with them), and the changes waiting."""
    in_force = city.setting_value(city.get_city(database.session), "assistance_programs")
    if form is None:
        form = AssistanceProgramsForm(formdata=None, programs=yaml.safe_dump(in_force, sort_keys=False,
                                                                             allow_unicode=True))
    return render_template("admin/assistance.html", programs=programs_of(in_force), form=form,
                           **_waiting()), status


@bp.route("/assistance-programs")
@role_required(*ADMINS)
def assistance_programs():
    """The city's assistance programs, and the form to ask for a new list."""
    return _page()


@bp.route("/assistance-programs", methods=["POST"])
@role_required(*ADMINS)
def change_assistance_programs():
    """Ask for a new list of programs: checked now, applied when a second person approves it."""
    form = AssistanceProgramsForm()
    if not form.validate_on_submit():
        flash("Not asked: write the programs as YAML.", "error")
        return _page(form, 400)
    try:
        programs = city_yaml(form.programs.data, "Programs")
    except ValueError as error:
        form.programs.errors.append(f"{error}.")
        flash("Not asked: the programs are not readable YAML.", "error")
        return _page(form, 400)
    try:
        change = two_person.ask_city_change(database.session, "assistance_programs", programs,
                                            actor=current_user.username, now=clock.now())
    except REFUSALS as error:
        database.session.rollback()
        form.programs.errors.append(str(error))
        flash(f"Not asked: {error}", "error")
        return _page(form, 400)
    database.session.commit()
    if change is None:
        flash("The programs are as they were: nothing to ask.", "info")
    else:
        _asked(change)
    return redirect(url_for("admin.assistance_programs"))
