"""Approval roles: define and edit them, ask for grants (a second person approves), revoke at once; thin views over
engine.roles and engine.two_person."""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_login import current_user

from engine import roles, two_person, users
from webapp import clock
from webapp.admin import bp
from webapp.admin.forms import ApprovalRoleForm, GrantForm, RevokeForm
from webapp.admin.routes import REFUSALS, _asked, _waiting
from webapp.auth import ADMINS, role_required
from webapp.extensions import database
from webapp.fields import option

T = TypeVar("T")


def _grant_form() -> GrantForm:
    """The grant form with the active users and the approval roles to choose from."""
    form = GrantForm()
    session = database.session
    form.username.choices = [option(u.username, f"{u.username} ({u.full_name})") for u in users.list_users(session)
                             if u.active]
    form.role_id.choices = [option(r.id, r.label) for r in roles.list_roles(session)]
    return form


def _roles_page(form: ApprovalRoleForm | None = None, status: int = 200):
    """The roles page: each approval role with its holders, the forms to define, edit, grant and revoke."""
    session = database.session
    everyone = roles.list_roles(session)
    edit_forms = {r.id: ApprovalRoleForm(formdata=None, role_id=r.id, label=r.label, description=r.description,
                                         prefix=f"edit-{r.id}") for r in everyone}
    return render_template("admin/roles.html", roles=everyone, holders=roles.holders(session),
                           form=form or ApprovalRoleForm(formdata=None), edit_forms=edit_forms,
                           grant_form=_grant_form(), revoke_form=RevokeForm(), **_waiting()), status


@bp.route("/roles")
@role_required(*ADMINS)
def roles_page():
    """Every approval role with its holders; forms to define one, edit one, grant and revoke."""
    return _roles_page()


def _saved(change: Callable[[], T], form: ApprovalRoleForm | None = None) -> T:
    """Run one change of the roles and commit it; a refusal is flashed and ends the request with the roles page shown
    again (400), nothing changed."""
    try:
        done = change()
    except REFUSALS as error:
        database.session.rollback()
        flash(str(error), "error")
        abort(make_response(*_roles_page(form, 400)))
    database.session.commit()
    return done


@bp.route("/roles", methods=["POST"])
@role_required(*ADMINS)
def define_role():
    """Define a new approval role from the form; a bad one is shown again with why."""
    form = ApprovalRoleForm()
    if not form.validate_on_submit():
        return _roles_page(form, 400)
    role = _saved(lambda: roles.define_role(database.session, form.role_id.data, label=form.label.data,
                                            description=form.description.data or "", actor=current_user.username,
                                            now=clock.now()), form)
    flash(f"Defined the approval role {role.label} ({role.id}).", "success")
    return redirect(url_for("admin.roles_page"))


@bp.route("/roles/<role_id>", methods=["POST"])
@role_required(*ADMINS)
def edit_role(role_id: str):
    """Change an approval role's label or description."""
    form = ApprovalRoleForm(prefix=f"edit-{role_id}")
    form.role_id.data = role_id  # the id in the address is the one edited
    if not form.validate_on_submit():
        flash("The role was not saved: " + "; ".join(e for errors in form.errors.values() for e in errors), "error")
        return _roles_page(status=400)
    role = _saved(lambda: roles.edit_role(database.session, role_id, label=form.label.data,
                                          description=form.description.data or "", actor=current_user.username,
                                          now=clock.now()))
    flash(f"Saved the approval role {role.label} ({role.id}).", "success")
    return redirect(url_for("admin.roles_page"))


@bp.route("/roles/grant", methods=["POST"])
@role_required(*ADMINS)
def ask_grant():
    """Ask for a user to be granted an approval role: it waits for a second person."""
    form = _grant_form()
    if form.validate_on_submit():
        change = _saved(lambda: two_person.ask_grant(database.session, form.username.data or "",
                                                     form.role_id.data or "", actor=current_user.username,
                                                     now=clock.now()))
        _asked(change)
    return redirect(url_for("admin.roles_page"))


@bp.route("/roles/revoke", methods=["POST"])
@role_required(*ADMINS)
def revoke_grant():
    """Take an approval role from a user at once."""
    form = RevokeForm()
    if form.validate_on_submit():
        _saved(lambda: roles.revoke(database.session, form.username.data, form.role_id.data,
                                    actor=current_user.username, now=clock.now()))
        flash(f"Revoked {form.role_id.data} from {form.username.data}.", "success")
    return redirect(url_for("admin.roles_page"))
