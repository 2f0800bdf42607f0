"""Sign in and sign out."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from engine import users
from webapp import clock
from webapp.auth import bp
from webapp.auth.access import STAFF, public, role_required, safe_next
from webapp.auth.forms import LoginForm
from webapp.auth.user import SignedIn
from webapp.extensions import database


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """Show the sign-in form; on success start a brand-new session."""
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        result = users.authenticate(database.session, form.username.data, form.password.data, clock.now())
        database.session.commit()  # the failure counter, or the successful login
        if result.ok:
            session.clear()  # a new session: nothing from before the sign-in carries over
            login_user(SignedIn.of(result.user))
            session.permanent = True
            flash(f"Signed in as {result.user.full_name}.", "success")
            return redirect(safe_next(request.args.get("next")) or url_for("main.dashboard"))
        flash(result.message, "error")
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@role_required(*STAFF)
def logout():
    """End the session."""
    logout_user()
    session.clear()
    flash("You are signed out.", "success")
    return redirect(url_for("auth.login"))
