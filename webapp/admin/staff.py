"""Users' access beyond adding them: enable again, a new password from an administrator, and API tokens.

Thin views over engine.two_person (who may do what to whom) and engine.api_tokens. A new
token is shown once, on the page that answers the form (never in a redirect or a flashed
message, which would put it in the cookie), with a no-store header.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from engine import api_tokens, two_person, users
from webapp import clock
from webapp.admin import bp
from webapp.admin.forms import AddTokenForm, EnableUserForm, ResetPasswordForm, RevokeTokenForm
from webapp.auth import ADMINS, role_required
from webapp.extensions import database

REFUSALS = (two_person.ChangeError, users.UserError, api_tokens.TokenError)
T = TypeVar("T")


def _saved(act: Callable[[], T]) -> T | None:
    """Do one change in the request's transaction: committed and its result returned, or rolled back with the
    refusal shown (None)."""
    try:
        done = act()
    except REFUSALS as error:
        database.session.rollback()
        flash(str(error), "error")
        return None
    database.session.commit()
    return done


@bp.route("/users/enable", methods=["POST"])
@role_required(*ADMINS)
def enable_user():
    """Let a disabled user sign in again: as a clerk now; a higher role waits for a second person."""
    form = EnableUserForm()
    done = form.validate_on_submit() and _saved(lambda: two_person.enable_staff(
        database.session, form.username.data, actor=current_user.username, now=clock.now()))
    if done:
        user, change = done
        flash(f"{user.username} can sign in again, as a clerk.", "success")
        if change is not None:
            flash(f"{two_person.describe(change)}: waiting for a second person (change {change.id}). "
                  f"{two_person.who_can_approve(database.session, change)}", "info")
    return redirect(url_for("admin.users_page"))


@bp.route("/users/password", methods=["POST"])
@role_required(*ADMINS)
def reset_password():
    """Give a clerk or supervisor a new password; their sessions end."""
    form = ResetPasswordForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
    elif _saved(lambda: two_person.reset_password(database.session, form.username.data, form.password.data,
                                                  actor=current_user.username, now=clock.now())):
        flash(f"New password set for {form.username.data}; they are signed out everywhere. Give it to them in "
              "person, and ask them to change it on My password.", "success")
    return redirect(url_for("admin.users_page"))


def _tokens_page(form: AddTokenForm, *, new_token: str | None = None, status: int = 200):
    """The tokens page around an add form, with a new token shown once when one was just added."""
    page = render_template("admin/tokens.html", tokens=api_tokens.list_tokens(database.session), form=form,
                           revoke_form=RevokeTokenForm(), new_token=new_token, scope_words=api_tokens.SCOPE_WORDS)
    return page, status, {"Cache-Control": "no-store"}


@bp.route("/tokens")
@role_required(*ADMINS)
def tokens():
    """Every API token, revoked ones too, with a form to add one."""
    return _tokens_page(AddTokenForm())


@bp.route("/tokens", methods=["POST"])
@role_required(*ADMINS)
def add_token():
    """Add a token; the page that answers shows it once."""
    form = AddTokenForm()
    if not form.validate_on_submit():
        return _tokens_page(form, status=400)
    try:
        row, token = api_tokens.add_token(database.session, name=form.name.data, scopes=form.scopes.data,
                                          actor=current_user.username, now=clock.now())
    except REFUSALS as error:
        database.session.rollback()
        flash(str(error), "error")
        return _tokens_page(form, status=400)
    database.session.commit()
    return _tokens_page(AddTokenForm(formdata=None), new_token=token)


@bp.route("/tokens/revoke", methods=["POST"])
@role_required(*ADMINS)
def revoke_token():
    """Revoke the token named in the form: it is refused from now on."""
    form = RevokeTokenForm()
    if form.validate_on_submit() and _saved(lambda: api_tokens.revoke_token(
            database.session, form.name.data, actor=current_user.username, now=clock.now())):
        flash(f"Revoked the token {form.name.data}; calls with it are refused from now on.", "success")
    return redirect(url_for("admin.tokens"))
