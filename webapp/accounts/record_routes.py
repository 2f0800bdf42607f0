"""The customer record's pages: the record of an account's customer and property, and the notes on the account.

Thin views over engine.accounts.customer_record and engine.accounts.notes: each form is
read, the service does the change (with its audit row), and a refusal is shown on the
form again with the service's message, nothing saved.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from engine.accounts import assistance, customer_record as record
from engine.accounts.notes import add_note, edit_note, notes_of
from engine.addresses import address_key
from webapp import clock
from webapp.accounts import bp, lookup
from webapp.accounts.record_forms import (PHONE_ROWS, ContactForm, EndEnrolmentForm, EnrolForm, MailingAddressForm,
                                          MovedOutForm, NoteForm, OccupantForm, OwnerForm)
from webapp.accounts.routes import _account
from webapp.auth import STAFF, role_required
from webapp.extensions import database
from webapp.languages import printable, with_choices

OCCUPANT = "occupant"  # the occupant form's prefix: its fields' ids differ from the mailing address form's
ENROL = "enrol"  # the enrolment form's prefix


def _blank_forms(account) -> dict:
    """The record page's forms, filled with what the record holds today."""
    session, today = database.session, clock.today()
    customer = account.customer
    address = record.mailing_address_on(session, customer, today)
    contact = ContactForm(formdata=None, email=customer.email, language=customer.language,
                          phones=[{"label": label, "number": number}
                                  for label, number in record.phones_of(session, customer)][:PHONE_ROWS])
    while len(contact.phones.entries) < PHONE_ROWS:
        contact.phones.append_entry()
    city_line = _service_city_line(account, address)
    return {
        "address_form": MailingAddressForm(formdata=None, street=address.street, unit=address.unit, city=address.city,
                                           state=address.state, zip_code=address.zip, in_force_from=today),
        "contact_form": contact,
        "owner_form": OwnerForm(formdata=None, owner=account.property.owner_id),
        "occupant_form": OccupantForm(formdata=None, prefix=OCCUPANT, name="Occupant", city=city_line[0],
                                      state=city_line[1], zip_code=city_line[2], language="en", moved_in_on=today),
        "moved_out_form": MovedOutForm(formdata=None, moved_out_on=today),
        "enrol_form": _enrol_form(EnrolForm(formdata=None, prefix=ENROL, starts_on=today)),
        "end_form": EndEnrolmentForm(formdata=None, ends_on=today),
    }


def _enrol_form(form: EnrolForm) -> EnrolForm:
    """The enrolment form with the city's programs to choose from, by their names."""
    form.program.choices = [(program.id, program.name_in()) for program in assistance.city_programs(database.session)]
    return form


def _service_city_line(account, address: record.Address) -> tuple[str, str, str]:
    """The city, state and ZIP of the service address as far as the record knows: an earlier occupant's, or the
    customer's mailing address when they get their mail there; else nothing to prefill."""
    earlier = record.occupants_of(database.session, account.property_id)
    if earlier:
        return earlier[0].city, earlier[0].state, earlier[0].zip
    if address_key(address.street) == address_key(account.property.service_address):  # "St" or "Street" alike
        return address.city, address.state, address.zip
    return "", "", ""


def _page(account, status: int = 200, **forms):
    """The customer record page, with any form given in place of its blank one."""
    session, today = database.session, clock.today()
    customer = account.customer
    shown = {**_blank_forms(account), **forms}
    with_choices(shown["contact_form"].language, shown["occupant_form"].language)
    return render_template(
        "accounts/record.html", account=account, today=today,
        address=record.mailing_address_on(session, customer, today),
        addresses=record.mailing_history(session, customer),
        phones=record.phones_of(session, customer),
        occupants=record.occupants_of(session, account.property_id),
        enrolments=assistance.enrolments_of(session, account.customer_id),
        program_names={program.id: program.name_in() for program in assistance.city_programs(session)},
        history=record.record_history(session, account, names=printable().names()), **shown), status


@bp.route("/<number>/customer")
@role_required(*STAFF)
def record_page(number: str):
    """The customer record: mailing address and its history, phones, e-mail, language, owner, occupants."""
    return _page(_account(number))


def _refused(account, error: Exception, form_name: str, form, field=None):
    """The page again with the service's message on the form that was sent, nothing saved."""
    database.session.rollback()
    message = str(error)
    (field.errors if field is not None else form.form_errors).append(message)
    flash(f"Not saved: {message}", "error")
    return _page(account, 400, **{form_name: form})


@bp.route("/<number>/customer/address", methods=["POST"])
@role_required(*STAFF)
def change_address(number: str):
    """Record a mailing address in force from a day (today's correction, or a forwarding address)."""
    account = _account(number)
    form = MailingAddressForm()
    if not form.validate_on_submit():
        flash("Not saved: see the mailing address form.", "error")
        return _page(account, 400, address_form=form)
    try:
        record.change_mailing_address(
            database.session, account.customer_id, street=form.street.data, unit=form.unit.data or "",
            city=form.city.data, state=form.state.data, zip_code=form.zip_code.data,
            in_force_from=form.in_force_from.data, reason=form.reason.data or "", actor=current_user.username,
            today=clock.today(), now=clock.now())
    except record.RecordError as error:
        return _refused(account, error, "address_form", form)
    database.session.commit()
    when = "from today" if form.in_force_from.data == clock.today() else "from " + form.in_force_from.data.isoformat()
    flash(f"Mailing address saved: letters go there {when}.", "success")
    return redirect(url_for("accounts.record_page", number=number))


@bp.route("/<number>/customer/contact", methods=["POST"])
@role_required(*STAFF)
def change_contact(number: str):
    """Replace the customer's phones, e-mail and preferred language."""
    account = _account(number)
    form = ContactForm()
    with_choices(form.language)
    if not form.validate_on_submit():
        flash("Not saved: see the phones, e-mail and language form.", "error")
        return _page(account, 400, contact_form=form)
    try:
        record.change_contact(database.session, account.customer_id,
                              phones=[(row.form.label.data, row.form.number.data) for row in form.phones],
                              email=form.email.data or "", language=form.language.data,
                              actor=current_user.username, now=clock.now())
    except record.RecordError as error:
        return _refused(account, error, "contact_form", form)
    database.session.commit()
    flash("Phones, e-mail and language saved.", "success")
    return redirect(url_for("accounts.record_page", number=number))


@bp.route("/<number>/property/owner", methods=["POST"])
@role_required(*STAFF)
def change_owner(number: str):
    """Make another customer the owner (or landlord) of the account's property."""
    account = _account(number)
    form = OwnerForm()
    if not form.validate_on_submit():
        flash("Not saved: see the owner form.", "error")
        return _page(account, 400, owner_form=form)
    try:
        record.change_owner(database.session, account.property_id, form.owner.data, actor=current_user.username,
                            now=clock.now())
    except record.RecordError as error:
        return _refused(account, error, "owner_form", form, form.owner)
    database.session.commit()
    flash("Owner saved.", "success")
    return redirect(url_for("accounts.record_page", number=number))


@bp.route("/<number>/property/occupants", methods=["POST"])
@role_required(*STAFF)
def add_occupant(number: str):
    """Record someone living at the property while the account is in another's name."""
    account = _account(number)
    form = OccupantForm(prefix=OCCUPANT)
    with_choices(form.language)
    if not form.validate_on_submit():
        flash("Not saved: see the occupant form.", "error")
        return _page(account, 400, occupant_form=form)
    try:
        record.add_occupant(database.session, account.property_id, name=form.name.data, unit=form.unit.data or "",
                            city=form.city.data, state=form.state.data, zip_code=form.zip_code.data,
                            language=form.language.data, moved_in_on=form.moved_in_on.data,
                            actor=current_user.username, now=clock.now())
    except record.RecordError as error:
        return _refused(account, error, "occupant_form", form)
    database.session.commit()
    flash("Occupant recorded: they get the notices the city's workflows send to occupants.", "success")
    return redirect(url_for("accounts.record_page", number=number, _anchor="occupants"))


@bp.route("/<number>/property/occupants/<int:occupant_id>/out", methods=["POST"])
@role_required(*STAFF)
def occupant_out(number: str, occupant_id: int):
    """Record the day an occupant moved out."""
    account = _account(number)
    form = MovedOutForm()
    if not form.validate_on_submit():
        flash("Not saved: choose the day they moved out.", "error")
        return _page(account, 400, moved_out_form=form)
    occupant = database.session.get(record.Occupant, occupant_id)
    if occupant is None or occupant.property_id != account.property_id:
        flash(f"Not saved: the property has no occupant {occupant_id}.", "error")
        return _page(account, 404)
    try:
        record.occupant_moved_out(database.session, occupant_id, on=form.moved_out_on.data,
                                  actor=current_user.username, now=clock.now())
    except record.RecordError as error:
        return _refused(account, error, "moved_out_form", form)
    database.session.commit()
    flash("Moved out saved.", "success")
    return redirect(url_for("accounts.record_page", number=number, _anchor="occupants"))


@bp.route("/<number>/customer/assistance", methods=["POST"])
@role_required(*STAFF)
def enrol(number: str):
    """Enrol the customer in an assistance program from a day, through a day (re-certification due) or without end."""
    account = _account(number)
    form = _enrol_form(EnrolForm(prefix=ENROL))
    if not form.validate_on_submit():
        flash("Not saved: see the assistance programs form.", "error")
        return _page(account, 400, enrol_form=form)
    try:
        assistance.enrol(database.session, account.customer_id, form.program.data or "", starts_on=form.starts_on.data,
                         ends_on=form.ends_on.data, actor=current_user.username, now=clock.now())
    except assistance.AssistanceError as error:
        return _refused(account, error, "enrol_form", form)
    database.session.commit()
    flash("Enrolment saved.", "success")
    return redirect(url_for("accounts.record_page", number=number, _anchor="assistance"))


@bp.route("/<number>/customer/assistance/<int:enrolment_id>/end", methods=["POST"])
@role_required(*STAFF)
def end_enrolment(number: str, enrolment_id: int):
    """Set the last day of one of the customer's enrolments (it ended, or re-certification is due then)."""
    account = _account(number)
    form = EndEnrolmentForm()
    if not form.validate_on_submit():
        flash("Not saved: choose the last day enrolled.", "error")
        return _page(account, 400, end_form=form)
    try:
        assistance.end_enrolment(database.session, account.customer_id, enrolment_id, ends_on=form.ends_on.data,
                                 actor=current_user.username, now=clock.now())
    except assistance.AssistanceError as error:
        status = 404 if "has no enrolment" in str(error) else 400
        database.session.rollback()
        flash(f"Not saved: {error}", "error")
        return _page(account, status, end_form=form)
    database.session.commit()
    flash("Last day of the enrolment saved.", "success")
    return redirect(url_for("accounts.record_page", number=number, _anchor="assistance"))


# --- notes -----------------------------------------------------------------------------------


def _notes_page(account, status: int = 200, form=None, editing: int | None = None, edit_form=None):
    """The notes page: the new-note form, and each note with its edit form (the one sent back, with its errors)."""
    shown = notes_of(database.session, account.id)
    edit_forms = {note.id: NoteForm(formdata=None, prefix=f"note{note.id}", text=note.current.text) for note in shown}
    if editing in edit_forms and edit_form is not None:
        edit_forms[editing] = edit_form
    return render_template("accounts/notes.html", account=account, notes=shown, form=form or NoteForm(formdata=None),
                           editing=editing, edit_forms=edit_forms), status


@bp.route("/<number>/notes")
@role_required(*STAFF)
def notes(number: str):
    """The notes on the account, newest first, each with its earlier texts."""
    return _notes_page(_account(number))


@bp.route("/<number>/notes", methods=["POST"])
@role_required(*STAFF)
def write_note(number: str):
    """Write a note on the account."""
    account = _account(number)
    form = NoteForm()
    if not form.validate_on_submit():
        flash("Note not saved: write the note.", "error")
        return _notes_page(account, 400, form=form)
    try:
        add_note(database.session, account.id, form.text.data, actor=current_user.username, now=clock.now())
    except record.RecordError as error:
        database.session.rollback()
        form.text.errors.append(str(error))
        return _notes_page(account, 400, form=form)
    database.session.commit()
    flash("Note saved.", "success")
    return redirect(url_for("accounts.notes", number=number))


@bp.route("/<number>/notes/<int:note_id>", methods=["POST"])
@role_required(*STAFF)
def change_note(number: str, note_id: int):
    """A new text of a note; the earlier texts stay with it."""
    account = _account(number)
    form = NoteForm(prefix=f"note{note_id}")
    if not form.validate_on_submit():
        flash("Note not saved: write the note.", "error")
        return _notes_page(account, 400, editing=note_id, edit_form=form)
    try:
        edit_note(database.session, account.id, note_id, form.text.data, actor=current_user.username,
                  now=clock.now())
    except record.RecordError as error:
        database.session.rollback()
        form.text.errors.append(str(error))
        return _notes_page(account, 404 if "has no note" in str(error) else 400, editing=note_id, edit_form=form)
    database.session.commit()
    flash("Note saved; its earlier text is kept with it.", "success")
    return redirect(url_for("accounts.notes", number=number))
