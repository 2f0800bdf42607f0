"""Sweep pages: thin views over engine.sweeps.report."""
from __future__ import annotations

import io
from pathlib import Path

from flask import current_app, render_template

from engine.notices.kept import KeptCopyError, kept_mailing_pdf
from engine.sweeps.phone_export import write_phone_export
from engine.sweeps.report import sweep_run_report, sweep_runs
from engine.workflow.shutoffs import weather_on
from webapp import clock
from webapp.auth import SUPERVISORS, role_required
from webapp.catalog import catalog
from webapp.downloads import audited_download
from webapp.extensions import database
from webapp.pages import not_found, record_id
from webapp.sweeps import bp, lookup


@bp.route("/")
@role_required(*SUPERVISORS)
def index():
    """The latest sweep runs: sweep, day, status and counts; why the weather holds today's shut-offs, if it does
    (today's phone list leaves them out)."""
    rules = catalog()
    held = weather_on(database.session, rules.rules, rules.workflows, clock.today())
    return render_template("sweeps/index.html", runs=sweep_runs(database.session, limit=100), held=held)


@bp.route("/runs/<run_id>")
@role_required(*SUPERVISORS)
def run(run_id: str):
    """One run's report: counts per step, fees, notices by type and language, exceptions, mailings."""
    number = record_id(run_id, "sweep run")
    try:
        shown = sweep_run_report(database.session, number)
    except LookupError:
        not_found(f"There is no sweep run {number}.")
    report = shown["report"]
    return render_template("sweeps/run.html", run=shown, report=report,
                           exceptions=lookup.exception_lines(database.session, report.get("exceptions", [])))


@bp.route("/runs/<run_id>/mailings/<int:batch_id>.pdf")
@role_required(*SUPERVISORS)
def mailing(run_id: str, batch_id: int):
    """A run's mailing PDF of one notice type: the bytes kept in the database when it was rendered.

    A mailing made before mailings were kept is read from its file in the PDF folder (ORDINANCE_PDF_FOLDER).
    """
    number = record_id(run_id, "sweep run")
    batch = lookup.mailing_of_run(database.session, number, batch_id)
    if batch is None:
        not_found(f"Sweep run {number} has no mailing {batch_id}.")
    name = f"{number}-{batch.notice_type}.pdf"
    try:
        kept = kept_mailing_pdf(database.session, batch.id)
    except KeptCopyError as error:
        not_found(f"The mailing PDF of batch {batch_id} cannot be served: {error}.")
    if kept is None:
        path = Path(batch.pdf_path or "/").resolve()
        folder = Path(current_app.config["PDF_FOLDER"]).resolve()
        if folder not in path.parents or path.suffix != ".pdf" or not path.is_file():
            not_found(f"The mailing PDF of batch {batch_id} is not in this instance's PDF folder.")
        kept = path.read_bytes()
    return audited_download(kept, name, what=f"Mailing of sweep run {number}: {batch.notice_type.replace('-', ' ')}", mimetype="application/pdf",
                            filters={"sweep_run": number, "mailing": batch_id}, rows=batch.count)


@bp.route("/phone-export.csv")
@role_required(*SUPERVISORS)
def phone_export():
    """The phone notification list for the calling vendor as of today, in the city's layout (as the command
    `ordinance sweep phone-export` writes it); the shut-offs the weather holds today, and those held for a notice
    never sent, are left out, and the download's audit row counts them."""
    today, out = clock.today(), io.StringIO()
    phoned = write_phone_export(database.session, catalog(), today, out)
    return audited_download(out.getvalue(), f"phone-export-{today.isoformat()}.csv", what="Phone notification list",
                            filters={"as_of": today.isoformat(), **phoned.filters()},
                            rows=phoned.listed)
