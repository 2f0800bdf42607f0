"""Users and city settings: thin views over engine.users and engine.city."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from engine import city, passwords, users
from engine.money import format_money
from engine.money.bounds import CEILING_NAMES
from engine.money.limits import city_limits
from webapp import clock
from webapp.admin import bp
from webapp.admin.forms import AddUserForm, CityForm, DisableUserForm
from webapp.auth import ADMINS, role_required
from webapp.extensions import database


@bp.route("/users")
@role_required(*ADMINS)
def users_page():
    """Every user, with a form to add one."""
    return _users_page(AddUserForm())


def _users_page(form: AddUserForm, status: int = 200):
    """The users page around a given add-user form."""
    return render_template("admin/users.html", users=users.list_users(database.session), form=form,
                           disable_form=DisableUserForm(), min_password_length=passwords.MIN_LENGTH), status


@bp.route("/users", methods=["POST"])
@role_required(*ADMINS)
def add_user():
    """Add a user from the form; on a bad form show it again with its errors."""
    form = AddUserForm()
    if not form.validate_on_submit():
        return _users_page(form, 400)
    try:
        user = users.add_user(database.session, username=form.username.data, full_name=form.full_name.data,
                              role=form.role.data, password=form.password.data, actor=current_user.username,
                              now=clock.now())
    except users.UserError as error:
        database.session.rollback()
        flash(str(error), "error")
        return _users_page(form, 400)
    database.session.commit()
    flash(f"Added {user.username} ({user.role}).", "success")
    return redirect(url_for("admin.users_page"))


@bp.route("/users/disable", methods=["POST"])
@role_required(*ADMINS)
def disable_user():
    """Disable the user named in the form."""
    form = DisableUserForm()
    if form.validate_on_submit():
        try:
            users.disable_user(database.session, form.username.data, actor=current_user.username, now=clock.now())
        except users.UserError as error:
            database.session.rollback()
            flash(str(error), "error")
        else:
            database.session.commit()
            flash(f"Disabled {form.username.data}; they can no longer sign in.", "success")
    return redirect(url_for("admin.users_page"))


def _limits_shown() -> list[tuple[str, str]]:
    """The city's money ceilings and paid-on window as the city page lists them (read only)."""
    limits = city_limits(database.session)
    rows = [(f"At most, {what}", format_money(getattr(limits, kind))) for kind, what in CEILING_NAMES.items()]
    return rows + [("A payment's paid-on date", f"on or before the business day, at most "
                                                 f"{limits.paid_on_days_back} days before it")]


def _city_page(form: CityForm, status: int = 200):
    """The city settings page around a form, with the money limits beside it."""
    return render_template("admin/city.html", form=form, limits=_limits_shown()), status


@bp.route("/city", methods=["GET", "POST"])
@role_required(*ADMINS)
def city_settings():
    """Show and save the city's settings."""
    settings = city.get_city(database.session)
    form = CityForm(obj=settings, spanish="es" in settings.languages)
    if form.validate_on_submit():
        changes = {name: getattr(form, name).data for name in city.EDITABLE if name != "languages"}
        changes["languages"] = ["en", "es"] if form.spanish.data else ["en"]
        try:
            city.update_city(database.session, actor=current_user.username, now=clock.now(), **changes)
        except city.CityError as error:
            database.session.rollback()
            flash(str(error), "error")
            return _city_page(form, 400)
        database.session.commit()
        flash("City settings saved.", "success")
        return redirect(url_for("admin.city_settings"))
    return _city_page(form, 400 if form.errors else 200)
