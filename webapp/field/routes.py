"""Thin views over engine.field.lists: the lists, one list by route, its door hangers, its results."""
from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import StringField
from wtforms.validators import Length

from engine.notices.kept import city_details
from engine.field.lists import door_letters, enter_results, field_list, field_lists, routes, rows, weather
from engine.notices import NoticeDataError, PdfRenderError
from engine.field.forecasts import ForecastError, forecast_refusal, record_forecast
from engine.notices.render import NoticeRenderer
from engine.numerals import is_digits
from webapp import clock
from webapp.auth import STAFF, duty_required, role_required
from webapp.catalog import catalog, notice_templates
from webapp.downloads import audited_download
from webapp.extensions import database
from webapp.field import bp
from webapp.form_words import PageForm
from webapp.pages import is_record_number


class ResultsForm(PageForm):
    """The CSRF token of the results form (its rows are read from the request by name)."""


class ForecastForm(PageForm):
    """The day's forecast low and high, degrees Fahrenheit (engine.field.forecasts checks them)."""

    forecast_low = StringField("Forecast low (°F)", validators=[Length(max=20)])
    forecast_high = StringField("Forecast high (°F)", validators=[Length(max=20)])


def _list_or_404(key: str):
    """The list named in the address, or a 404 page that says so."""
    found = field_list(catalog(), key, clock.today())
    if found is None:
        abort(404)
    return found


@bp.route("/")
@role_required(*STAFF)
def index():
    """Today's lists with how many stops each has."""
    today = clock.today()
    lists = [(fl, len(rows(database.session, catalog(), fl, user=current_user.username, on=today)))
             for fl in field_lists(catalog(), today)]
    return render_template("field/index.html", lists=lists, today=today)


@bp.route("/<key>")
@role_required(*STAFF)
def show(key: str):
    """One list's stops, by route, with the step's fields on each row and a tick to say it was done."""
    the_list, today = _list_or_404(key), clock.today()
    route = request.args.get("route") or None
    every = rows(database.session, catalog(), the_list, user=current_user.username, on=today, held=True)
    stops = [r for r in every if (route is None or r.route == route) and not r.held]
    held = [r for r in every if (route is None or r.route == route) and r.held]
    may_record = forecast_refusal(database.session, current_user) is None
    return render_template("field/list.html", the_list=the_list, stops=stops, held=held, routes=routes(every),
                           route=route, today=today, form=ResultsForm(),
                           weather=weather(database.session, catalog(), the_list, today),
                           forecast_form=ForecastForm() if may_record else None)


@bp.route("/<key>/forecast", methods=["POST"])
@duty_required("day_forecast")
def forecast(key: str):
    """Record (or correct) today's forecast low and high; a bad value is refused naming its field."""
    _list_or_404(key)
    form = ForecastForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        recorded = record_forecast(database.session, clock.today(), form.forecast_low.data, form.forecast_high.data,
                                   actor=current_user.username, now=clock.now())
    except ForecastError as bad:
        database.session.rollback()
        flash(f"Not recorded: {bad}.", "error")
        return redirect(url_for("field.show", key=key))
    database.session.commit()
    flash(f"Today's forecast recorded: low {recorded.low}°F, high {recorded.high}°F.", "success")
    return redirect(url_for("field.show", key=key))


@bp.route("/<key>.pdf")
@role_required(*STAFF)
def letters(key: str):
    """The notices the list's step leaves at each stop (the day's door hangers), in one PDF to print."""
    the_list, today = _list_or_404(key), clock.today()
    route = request.args.get("route") or None
    stops = rows(database.session, catalog(), the_list, user=current_user.username, on=today, route=route)
    printed = door_letters(database.session, catalog(), the_list, stops, user=current_user.username, on=today,
                           now=clock.now())
    if not printed:
        flash("Nothing to print: the stops of this list leave no notice.", "error")
        return redirect(url_for("field.show", key=key, route=route))
    try:
        pdf = NoticeRenderer(notice_templates(), city_details(database.session)).render_batch(printed, printed_on=today)
    except (NoticeDataError, PdfRenderError) as error:
        flash(f"The door notices could not be printed: {error}", "error")
        return redirect(url_for("field.show", key=key, route=route))
    name = f"{the_list.step.id}-{today.isoformat()}{'-route-' + route if route else ''}.pdf"
    return audited_download(pdf, name, what=f"Door notices of the field list {the_list.title}", mimetype="application/pdf",
                            filters={"day": today.isoformat(), "route": route}, rows=len(printed))


def _value(spec, text: str):
    """A row's typed value as the step's form reads it; ValueError when it cannot be one."""
    text = text.strip()
    if not text:
        if spec.required:
            raise ValueError(f"{spec.label}: required")
        return None
    if spec.type == "integer":
        if not is_digits(text):
            raise ValueError(f"{spec.label}: a whole number")
        return int(text)
    if spec.type == "date":
        return date.fromisoformat(text)
    if spec.type == "boolean":
        return text in ("yes", "on", "true")
    return text


@bp.route("/<key>", methods=["POST"])
@role_required(*STAFF)
def results(key: str):
    """Each ticked row becomes its case's step (or the other result chosen on its row), with its row's values;
    refused rows are named, the others kept."""
    the_list, today = _list_or_404(key), clock.today()
    if not ResultsForm().validate_on_submit():
        abort(400)
    entered, problems = [], []
    for case_id in request.form.getlist("done"):
        if not is_record_number(case_id):  # the page ticks case numbers; a longer one was a 500 (no such row, ever)
            abort(400)
        step = the_list.result(request.form.get(f"c{case_id}-result") or the_list.step.id)
        if step is None:
            abort(400)
        try:
            values = {spec.name: _value(spec, request.form.get(f"c{case_id}-{spec.name}", ""))
                      for spec in step.form}
        except ValueError as bad:
            problems.append(f"Case {case_id}: {bad}.")
            continue
        version = request.form.get(f"c{case_id}-version", "0")
        entered.append((int(case_id), int(version) if is_record_number(version) else 0,
                        {k: v for k, v in values.items() if v is not None}, step.id))
    done = enter_results(database.session, catalog(), the_list, entered, user=current_user.username, on=today,
                         now=clock.now())
    database.session.commit()
    chosen = {case_id: step_id for case_id, _, _, step_id in entered}
    for step in the_list.results:
        moved = [c for c in done.taken if chosen.get(c) == step.id]
        if moved:
            flash(f"{step.label or the_list.title}: {len(moved)} case(s) moved on "
                  f"({', '.join(str(c) for c in moved)}).", "success")
    for case_id, reasons in done.refused:
        problems.append(f"Case {case_id}: {'; '.join(reasons)}.")
    for problem in problems:
        flash(problem, "error")
    return redirect(url_for("field.show", key=key, route=request.form.get("route") or None))
