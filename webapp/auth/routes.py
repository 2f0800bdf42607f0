"""Sign in and sign out."""
from __future__ import annotations

import math

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from engine import passwords, staff_sessions, users
from webapp import clock
from webapp.auth import bp
from webapp.auth.access import STAFF, public, role_required, safe_next
from webapp.auth.forms import LoginForm, OwnPasswordForm
from webapp.auth.user import SignedIn
from webapp.extensions import database


def client_address() -> str:
    """The address a request comes from, as the WSGI server reports it (see webapp/config.py on proxies)."""
    return request.remote_addr or "unknown"


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """Show the sign-in form; on success start a brand-new session, in the database and the cookie."""
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        now = clock.now()
        with database.reading() as reading:  # the password is hashed before the write lock is taken
            ahead = users.check_ahead(reading, form.username.data, form.password.data, now,
                                      address=client_address())
        result = users.sign_in(database.session, form.username.data, form.password.data, now,
                               address=client_address(), user_agent=request.user_agent.string,
                               lifetime=current_app.config["PERMANENT_SESSION_LIFETIME"],
                               rules=current_app.config["SIGN_IN_THROTTLE"], ahead=ahead)
        database.session.commit()  # the new session, or the failure counted
        if result.ok:
            session.clear()  # a new cookie session: nothing from before the sign-in carries over
            login_user(SignedIn.of(result.user, result.session_id))
            session.permanent = True
            flash(f"Signed in as {result.user.full_name}.", "success")
            return redirect(safe_next(request.args.get("next")) or url_for("main.dashboard"))
        flash(result.message, "error")
        if result.wait:
            retry_after = str(math.ceil(result.wait.total_seconds()))
            return render_template("auth/login.html", form=form), 429, {"Retry-After": retry_after}
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@role_required(*STAFF)
def logout():
    """End the session in the database (a copy of the cookie is refused from now on) and in the browser."""
    staff_sessions.end(database.session, current_user.get_id(), now=clock.now())
    database.session.commit()
    logout_user()
    session.clear()
    flash("You are signed out.", "success")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@role_required(*STAFF)
def own_password():
    """The signed-in person changes their own password; every session of theirs ends, this one too."""
    form = OwnPasswordForm()
    if form.validate_on_submit():
        try:
            users.change_own_password(database.session, current_user.username, form.current.data,
                                      form.password.data, now=clock.now())
        except users.UserError as error:
            database.session.rollback()
            flash(str(error), "error")
            return render_template("auth/password.html", form=form, min_length=passwords.MIN_LENGTH), 400
        database.session.commit()
        logout_user()
        session.clear()
        flash("Your password is changed. Sign in with the new one.", "success")
        return redirect(url_for("auth.login"))
    return (render_template("auth/password.html", form=form, min_length=passwords.MIN_LENGTH),
            400 if form.errors else 200)
