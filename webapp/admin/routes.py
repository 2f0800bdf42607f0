"""Users, city settings and the changes that wait for a second person: thin views over engine.users,
engine.city and engine.two_person."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from engine import city, passwords, roles, two_person, users
from webapp import clock
from webapp.admin import bp, waiting
from webapp.admin.forms import (CEILING_FIELDS, DUTY_FIELDS, AddUserForm, CityForm, DecisionForm, DisableUserForm,
                                 EnableUserForm, ResetPasswordForm, RoleForm, city_changes, city_form)
from webapp.auth import ADMINS, SUPERVISORS, role_required
from webapp.extensions import database
from webapp.languages import printable

REFUSALS = (two_person.ChangeError, city.CityError, users.UserError, ValueError)


@bp.route("/users")
@role_required(*ADMINS)
def users_page():
    """Every user, with a form to add one."""
    return _users_page(AddUserForm())


def _users_page(form: AddUserForm, status: int = 200):
    """The users page around a given add-user form."""
    return render_template("admin/users.html", users=users.list_users(database.session), form=form,
                           approval_roles=roles.held_by_user(database.session),
                           disable_form=DisableUserForm(), role_form=RoleForm(), enable_form=EnableUserForm(),
                           password_form=ResetPasswordForm(),
                           min_password_length=passwords.MIN_LENGTH, **_waiting()), status


def _waiting() -> dict[str, object]:
    """What the waiting-changes list needs: the rows for this person and the buttons' form."""
    return {"waiting": waiting.rows(database.session, current_user.username), "decision_form": DecisionForm()}


def _asked(change) -> None:
    """Tell the person that a change they asked for waits for a second person, and who may approve it."""
    flash(f"{two_person.describe(change)}: waiting for a second person (change {change.id}). "
          f"{two_person.who_can_approve(database.session, change)}", "info")


@bp.route("/users", methods=["POST"])
@role_required(*ADMINS)
def add_user():
    """Add a user from the form; on a bad form show it again with its errors."""
    form = AddUserForm()
    if not form.validate_on_submit():
        return _users_page(form, 400)
    try:
        user, change = two_person.add_staff(database.session, username=form.username.data,
                                            full_name=form.full_name.data, role=form.role.data,
                                            password=form.password.data, actor=current_user.username, now=clock.now())
    except REFUSALS as error:
        database.session.rollback()
        flash(str(error), "error")
        return _users_page(form, 400)
    database.session.commit()
    flash(f"Added {user.username} ({user.role}).", "success")
    if change is not None:
        _asked(change)
    return redirect(url_for("admin.users_page"))


@bp.route("/users/role", methods=["POST"])
@role_required(*ADMINS)
def ask_role():
    """Ask for a user's role to change: it waits for a second person."""
    form = RoleForm()
    if form.validate_on_submit():
        try:
            change = two_person.ask_role_change(database.session, form.username.data, form.role.data,
                                                actor=current_user.username, now=clock.now())
        except REFUSALS as error:
            database.session.rollback()
            flash(str(error), "error")
        else:
            database.session.commit()
            if change is None:
                flash(f"{form.username.data} is already {form.role.data}.", "info")
            else:
                _asked(change)
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


def _city_page(form: CityForm, status: int = 200):
    """The city settings page around a form, with the changes waiting for a second person."""
    return render_template("admin/city.html", form=form, ceiling_fields=CEILING_FIELDS, duty_fields=DUTY_FIELDS,
                           incomplete_languages=printable().missing, **_waiting()), status


@bp.route("/city", methods=["GET", "POST"])
@role_required(*ADMINS)
def city_settings():
    """Show and save the city's settings; a guarded one is asked for and waits for a second person."""
    settings = city.get_city(database.session)
    languages = printable()
    form = city_form(waiting.supervisors(database.session), settings, languages.names())
    if form.validate_on_submit():
        try:
            changes = city_changes(form)
            asked = two_person.save_city(database.session, actor=current_user.username, now=clock.now(),
                                         printable=languages, **changes)
        except REFUSALS as error:
            database.session.rollback()
            flash(str(error), "error")
            return _city_page(form, 400)
        database.session.commit()
        flash("City settings saved.", "success")
        for change in asked:
            _asked(change)
        return redirect(url_for("admin.city_settings"))
    return _city_page(form, 400 if form.errors else 200)


@bp.route("/changes")
@role_required(*SUPERVISORS)
def changes():
    """The changes waiting for a second person, with Approve and Refuse for those who may, and the latest decided."""
    return _changes_page()


def _changes_page(status: int = 200):
    """The waiting-changes page."""
    return render_template("admin/changes.html", decided=two_person.decided(database.session),
                           describe=two_person.describe, **_waiting()), status


@bp.route("/changes/<int:change_id>/approve", methods=["POST"])
@role_required(*SUPERVISORS)
def approve_change(change_id: int):
    """A second person approves a waiting change; it applies now."""
    return _decide(change_id, two_person.approve, "Approved and applied")


@bp.route("/changes/<int:change_id>/refuse", methods=["POST"])
@role_required(*SUPERVISORS)
def refuse_change(change_id: int):
    """A second person refuses a waiting change (the one who asked withdraws it); nothing is applied."""
    return _decide(change_id, two_person.refuse, "Refused")


def _decide(change_id: int, decision, done: str):
    """Approve or refuse one change from its button; a refusal of the decision is shown, nothing changed."""
    if not DecisionForm().validate_on_submit():
        flash("The form had expired; nothing was changed. Try again.", "error")
        return _changes_page(400)
    try:
        change = decision(database.session, change_id, actor=current_user.username, now=clock.now())
    except REFUSALS as error:
        database.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("admin.changes"))
    database.session.commit()
    flash(f"{done if change.status != two_person.WITHDRAWN else 'Withdrawn'}: {two_person.describe(change)}.",
          "success")
    return redirect(url_for("admin.changes"))
