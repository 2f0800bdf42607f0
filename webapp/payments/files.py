"""Payment files on the web: thin views over engine.money.payment_imports.

A file posts whole or not at all. A bad line refuses it (every bad line named); lines
without a transaction id that look like other payments hold it until a supervisor compares
them with the earlier payments and confirms it.
"""
from __future__ import annotations

from pathlib import Path

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from engine.money import format_money
from engine.money.payment_imports import AWAITING, POSTED, ImportReport, review_held_import
from engine.money.payments import PaymentError, confirm_held_import, import_payment_file, read_payment_file
from webapp import clock
from webapp.auth import STAFF, SUPERVISORS, role_required
from webapp.extensions import database
from webapp.payments import bp, lookup
from webapp.payments.forms import ConfirmPaymentFileForm, PaymentFileForm


def _files_page(form: PaymentFileForm, report: ImportReport | None = None, status: int = 200):
    """The payment files page: the upload form, a refused file's bad lines, the held and posted files."""
    session = database.session
    return render_template("payments/files.html", form=form, report=report,
                           waiting=lookup.payment_files(session, AWAITING),
                           posted=lookup.payment_files(session, POSTED)), status


@bp.route("/files")
@role_required(*STAFF)
def files():
    """Upload a payment file; the files waiting for a supervisor; the latest files posted."""
    return _files_page(PaymentFileForm())


@bp.route("/files", methods=["POST"])
@role_required(*STAFF)
def upload_file():
    """Check the file and post it whole; a bad line refuses it, possible duplicates hold it for a supervisor."""
    form = PaymentFileForm()
    if not form.validate_on_submit():
        return _files_page(form, status=400)
    upload = form.payment_file.data
    try:
        payment_file = read_payment_file(upload.read(), name=Path(upload.filename or "payments.csv").name,
                                         source=form.source.data)
    except PaymentError as error:
        form.payment_file.errors = [f"{error}."]
        return _files_page(form, status=400)
    database.session.commit()  # end the request's own transaction: the import runs its own
    report = import_payment_file(database.factory(), payment_file, now=clock.now(), by=current_user.username,
                                 hold=True)
    if report.refused:
        return _files_page(form, report, 400)
    flash(_outcome(report), "error" if report.awaiting_confirmation else "success")
    return redirect(url_for("payments.show_file", import_id=report.import_id))


@bp.route("/files/<int:import_id>")
@role_required(*STAFF)
def show_file(import_id: int):
    """A file of the register: what it posted, or its possible duplicates beside the earlier payments."""
    try:
        held, payment_file, check = review_held_import(database.session, import_id, today=clock.today())
    except PaymentError:
        abort(404)
    return render_template("payments/file.html", held=held, check=check,
                           rows={row.line: row for row in payment_file.rows},
                           payments=lookup.payments_of_file(database.session, import_id),
                           form=ConfirmPaymentFileForm(file_sha256=held.file_sha256))


@bp.route("/files/<int:import_id>/confirm", methods=["POST"])
@role_required(*SUPERVISORS)
def confirm_file(import_id: int):
    """A supervisor confirms a held file's possible duplicates are real payments: the file posts whole."""
    form = ConfirmPaymentFileForm()
    if not form.validate_on_submit():
        flash("The file was not confirmed: the form could not be read.", "error")
        return redirect(url_for("payments.show_file", import_id=import_id))
    database.session.commit()  # end the request's own transaction: the import runs its own
    try:
        report = confirm_held_import(database.factory(), import_id, file_sha256=form.file_sha256.data,
                                     by=current_user.username, now=clock.now())
    except PaymentError:
        abort(404)
    flash(_outcome(report), "error" if report.refused else "success")
    return redirect(url_for("payments.show_file", import_id=import_id))


def _outcome(report: ImportReport) -> str:
    """What became of the file, in a sentence for the flash."""
    if report.refused:
        return "Not posted: " + "; ".join(str(problem) for problem in report.problems[:3]) + "."
    if report.awaiting_confirmation:
        count = len(report.possible_duplicates)
        return (f"Not posted yet: {count} line{'s' if count != 1 else ''} without a transaction id "
                f"look{'s' if count == 1 else ''} like other payments. A supervisor compares them below and "
                "confirms the file, or it stays unposted.")
    confirmed = f" Possible duplicates confirmed by {report.confirmed_by}." if report.confirmed_by else ""
    return (f"Posted {report.posted:,} payments for {format_money(report.posted_cents)}; "
            f"{report.already_posted:,} posted before (skipped).{confirmed}")
