"""Forms of the customer record: mailing address, phones and contact, assistance programs, the property's owner,
occupants, notes."""
from __future__ import annotations

from wtforms import (DateField, FieldList, FormField, SelectField, StringField, SubmitField,
                     TextAreaField)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from webapp.fields import WholeNumberField, option
from webapp.form_words import PageForm, PageRow

LANGUAGE_CHOICES = [option("en", "English")]  # the city's languages are set on each form: webapp.languages
PHONE_ROWS = 4


class MailingAddressForm(PageForm):
    """A mailing address in force from a day: a correction today, or a forwarding address from the move-out."""

    street = StringField("Street", validators=[DataRequired(message="Enter the street."), Length(max=160)])
    unit = StringField("Unit, apartment or suite", validators=[Optional(), Length(max=40)])
    city = StringField("City", validators=[DataRequired(message="Enter the city."), Length(max=80)])
    state = StringField("State", validators=[DataRequired(message="Enter the state's two letters."), Length(max=2)])
    zip_code = StringField("ZIP code", validators=[DataRequired(message="Enter the ZIP code."), Length(max=10)])
    in_force_from = DateField("In force from",
                              validators=[DataRequired(message="Choose the day letters start going there.")],
                              render_kw={"type": "date"})
    reason = StringField("Why (for the history)", validators=[Optional(), Length(max=120)])
    submit = SubmitField("Save the mailing address")


class PhoneRow(PageRow):
    """One phone: its label and number (a blank row is no phone); inside ContactForm, whose token covers it."""

    label = StringField("Label", validators=[Optional(), Length(max=40)])
    number = StringField("Number", validators=[Optional(), Length(max=32)])


class ContactForm(PageForm):
    """The customer's phones (with labels), e-mail and preferred language."""

    phones = FieldList(FormField(PhoneRow), min_entries=PHONE_ROWS, max_entries=PHONE_ROWS)
    email = StringField("E-mail", validators=[Optional(), Length(max=160)])
    language = SelectField("Preferred language (letters and receipts)", choices=LANGUAGE_CHOICES)
    submit = SubmitField("Save phones, e-mail and language")


class OwnerForm(PageForm):
    """The property's owner or landlord, by customer number."""

    owner = WholeNumberField("Owner's customer number",
                         validators=[DataRequired(message="Enter the owner's customer number."),
                                     NumberRange(min=1, max=10 ** 18 - 1,  # record_id reads at most 18 digits
                                                 message="A customer number is a whole number from 1 to 18 digits long.")])
    submit = SubmitField("Save the owner")


class OccupantForm(PageForm):
    """Someone living at the property while the account is in another's (a landlord's) name."""

    name = StringField("Occupant's name", validators=[DataRequired(message="Enter the occupant's name, or Occupant."),
                                                      Length(max=160)])
    unit = StringField("Unit, apartment or suite", validators=[Optional(), Length(max=40)])
    city = StringField("City", validators=[DataRequired(message="Enter the city of the service address."),
                                           Length(max=80)])
    state = StringField("State", validators=[DataRequired(message="Enter the state's two letters."), Length(max=2)])
    zip_code = StringField("ZIP code", validators=[DataRequired(message="Enter the ZIP code of the service address."),
                                                   Length(max=10)])
    language = SelectField("Language of their notices", choices=LANGUAGE_CHOICES)
    moved_in_on = DateField("Moved in on", validators=[DataRequired(message="Choose the day they moved in.")],
                            render_kw={"type": "date"})
    submit = SubmitField("Record the occupant")


class MovedOutForm(PageForm):
    """The day an occupant moved out."""

    moved_out_on = DateField("Moved out on", validators=[DataRequired(message="Choose the day they moved out.")],
                             render_kw={"type": "date"})
    submit = SubmitField("Moved out")


class EnrolForm(PageForm):
    """Enrol the customer in one of the city's assistance programs, from a day, through a day or without end."""

    program = SelectField("Program", validate_choice=False)  # engine.accounts.assistance names one not offered
    starts_on = DateField("Enrolled from", validators=[DataRequired(message="Choose the first day enrolled.")],
                          render_kw={"type": "date"})
    ends_on = DateField("Enrolled through (re-certification due)", validators=[Optional()],
                        render_kw={"type": "date"})
    submit = SubmitField("Enrol")


class EndEnrolmentForm(PageForm):
    """The last day of one enrolment."""

    ends_on = DateField("Enrolled through", validators=[DataRequired(message="Choose the last day enrolled.")],
                        render_kw={"type": "date"})
    submit = SubmitField("Set the last day")


class NoteForm(PageForm):
    """A note on the account, or a new text of one."""

    text = TextAreaField("Note", validators=[DataRequired(message="Write the note."), Length(max=4000)],
                         render_kw={"rows": 3})
    submit = SubmitField("Save the note")
