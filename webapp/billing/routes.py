"""The Billing page: thin views over engine.accounts.cycle_billing and the jobs billing-run and bill-printing.

Every view is the duty `billing_run` (engine.duties): the city's settings say which page roles
may run a cycle's billing and print its bills (supervisors and administrators until it says).
"""
from __future__ import annotations

from pathlib import Path

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from engine.jobs import bill_printing, billing_run
from engine.money import reports
from engine.money.billing import BillingError
from engine.accounts.cycle_billing import RunRefused, city_cycles, outlook
from engine.rules.months import period_words
from engine.store.models import Job
from webapp import clock
from webapp.auth import duty_required
from webapp.billing import bp
from webapp.billing.forms import PrintForm, RunForm, ShowForm
from webapp.catalog import rules
from webapp.downloads import audited_download
from webapp.extensions import database
from webapp.pages import not_found, record_id

DUTY = "billing_run"


def _choices(form: ShowForm) -> tuple[str, str]:
    """The cycle and month asked (the city's first cycle and this month when none is), the form's choices set."""
    this_month = clock.today().strftime("%Y-%m")
    period = form.period.data or this_month
    cycles: list[str] = []
    for month in dict.fromkeys((period, this_month)):  # a month that does not read: this month's cycles
        try:
            cycles = city_cycles(database.session, rules(), month, clock.today())
            break
        except BillingError:
            continue
    form.cycle.choices = [(cycle, f"Cycle {cycle}") for cycle in cycles]
    cycle = (form.cycle.data or (cycles[0] if cycles else "")).strip().upper()
    form.cycle.data, form.period.data = cycle, period
    return cycle, period


@bp.route("/")
@duty_required(DUTY)
def index():
    """A cycle's month: what the run would bill, the run's progress or register, and the bills to print."""
    form = ShowForm(request.args)
    cycle, period = _choices(form)
    ahead, refused = None, None
    if form.validate():
        try:
            ahead = outlook(database.session, rules(), cycle, period, clock.today())
        except RunRefused as why:
            refused = f"{why}."
    job = billing_run.latest_run(database.session, cycle, period) if ahead else None
    printed = bill_printing.latest_print(database.session, cycle, period) if ahead and ahead.billed else None
    totals = reports.billing_totals(database.session, cycle, period) if ahead and ahead.billed else []
    working = any(j is not None and j.status in ("queued", "running") for j in (job, printed))
    return render_template("billing/index.html", form=form, cycle=cycle, period=period, ahead=ahead, refused=refused,
                           job=job, register=billing_run.register_of(job) if job else None, printed=printed,
                           totals=totals, working=working,
                           run_form=RunForm(data={"cycle": cycle, "period": period,
                                                  "ready": ahead.stamp if ahead else ""}),
                           print_form=PrintForm(data={"cycle": cycle, "period": period}))


def _back(cycle: str | None, period: str | None):
    """Back to the page of the cycle's month."""
    return redirect(url_for("billing.index", cycle=cycle or None, period=period or None))


def _refused(form):
    """Back to the page with what was wrong with the form; nothing changed."""
    flash("Not done: " + "; ".join(m for messages in form.errors.values() for m in messages), "error")
    return _back(form.cycle.data, form.period.data)


@bp.route("/run", methods=["POST"])
@duty_required(DUTY)
def run():
    """Ask the worker to bill the cycle's month from its reviewed reads (once, however often the button is pressed)."""
    form = RunForm()
    if not form.validate_on_submit():
        return _refused(form)
    cycle, period = form.cycle.data, form.period.data
    try:
        job, asked = billing_run.request_run(database.session, rules(), cycle=cycle, period=period,
                                             today=clock.today(), seen=form.ready.data,
                                             requested_by=current_user.username, now=clock.now())
    except RunRefused as why:
        database.session.rollback()
        flash(f"Not started: {why}.", "error")
        return _back(cycle, period)
    database.session.commit()
    month = f"cycle {cycle}, {period_words(period)}"
    if asked:
        flash(f"The billing of {month} has started: this page shows how far it has got.", "success")
    elif job.status == "done":
        flash(f"Those reads were billed already by the run {job.requested_by} started; its register is below. "
              "Nothing new was started.", "warn")
    else:
        flash(f"The billing of {month} is already under way (started by {job.requested_by}); nothing new was "
              "started.", "warn")
    return _back(cycle, period)


@bp.route("/print", methods=["POST"])
@duty_required(DUTY)
def print_bills():
    """Ask the worker to print the month's bills: one mailing PDF and its postal summary."""
    form = PrintForm()
    if not form.validate_on_submit():
        return _refused(form)
    cycle, period = form.cycle.data, form.period.data
    try:
        ahead = outlook(database.session, rules(), cycle, period, clock.today())
    except RunRefused as why:
        flash(f"Not printed: {why}.", "error")
        return _back(cycle, period)
    if not ahead.billed:
        flash(f"Not printed: cycle {cycle} has no bills for {period_words(period)}; run the billing first.", "error")
        return _back(cycle, period)
    folder = str(Path(current_app.config["PDF_FOLDER"]) / "statements")
    job, asked = bill_printing.request_print(database.session, cycle=cycle, period=period, folder=folder,
                                             requested_by=current_user.username, now=clock.now())
    database.session.commit()
    flash("The bills are being printed: this page shows how far it has got." if asked else
          f"These bills were printed already (asked for by {job.requested_by}); nothing new was started.",
          "success" if asked else "warn")
    return _back(cycle, period)


def _printed_file(job_id: str, which: str) -> tuple[bytes, dict]:
    """A done print's file (`pdf` or `summary`) from the PDF folder, and the print's result; 404 otherwise."""
    number = record_id(job_id, "print of bills")
    job = database.session.get(Job, number)
    if job is None or job.kind != bill_printing.KIND or job.status != "done" or not job.result:
        not_found(f"There is no finished print of bills {number}.")
    path = Path(job.result[which]).resolve()
    folder = Path(current_app.config["PDF_FOLDER"]).resolve()
    if folder not in path.parents or not path.is_file():
        not_found(f"The file of print {number} is not in this instance's PDF folder any more.")
    return path.read_bytes(), job.result


@bp.route("/prints/<job_id>/bills.pdf")
@duty_required(DUTY)
def bills_pdf(job_id: str):
    """The print's mailing PDF, every bill of the month in mailing order; the download audited."""
    data, made = _printed_file(job_id, "pdf")
    return audited_download(data, f"statements-{made['cycle']}-{made['period']}.pdf", mimetype="application/pdf",
                            what=f"Bills to mail, cycle {made['cycle']} {period_words(made['period'])}",
                            filters={"cycle": made["cycle"], "period": made["period"]}, rows=made["pieces"])


@bp.route("/prints/<job_id>/postal-summary.csv")
@duty_required(DUTY)
def postal_summary(job_id: str):
    """The print's postal summary: pieces and pages by ZIP code and language; the download audited."""
    data, made = _printed_file(job_id, "summary")
    return audited_download(data, f"postal-summary-{made['cycle']}-{made['period']}.csv",
                            what=f"Postal summary, cycle {made['cycle']} {period_words(made['period'])}",
                            filters={"cycle": made["cycle"], "period": made["period"]},
                            rows=len(made["postal"]))
