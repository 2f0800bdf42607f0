"""The forms of the service pages: find a property, start service, stop service, transfer service."""
from __future__ import annotations

from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from webapp.fields import WholeNumberField, option
from webapp.form_words import PageForm

WHOLE_CCF = [InputRequired(message="Enter the meter's reading in whole CCF."),
             NumberRange(min=0, max=999_999_999, message="A reading is a whole number of CCF, 0 or more.")]
SETTLE = [option("refund", "Refund a credit to the customer (opens a refund case)"),
          option("transfer", "Move the balance to the customer's other account")]


class FindPropertyForm(PageForm):
    """Where service starts: a parcel number or a service address."""

    class Meta:
        csrf = False  # a search (GET), nothing changes

    where = StringField("Parcel number or service address",
                        validators=[DataRequired(message="Enter a parcel number or a service address."),
                                    Length(max=160)])
    find = SubmitField("Find the property")


class StopForm(PageForm):
    """A move-out: the day and the final reading, and where a balance goes."""

    move_out_on = DateField("Move-out day (the day of the final read)", render_kw={"type": "date"},
                            validators=[InputRequired(message="Enter the move-out day.")])
    final_reading = WholeNumberField("Final reading (whole CCF)", validators=WHOLE_CCF)
    settle_by = SelectField("A balance left over", choices=SETTLE)
    transfer_to = SelectField("The customer's other account (for a transfer)", choices=[], validate_choice=False)
    seen = HiddenField()  # the figures the confirmation showed, checked again when posting
    review = SubmitField("Review the final bill")
    post = SubmitField("Post the final bill and stop service")
    edit = SubmitField("Change it")


class StartForm(PageForm):
    """A move-in at a property: who, which meter, how billed, from when, and the deposit."""

    customer_account = StringField("An account number of theirs", validators=[Optional(), Length(max=20)])
    name = StringField("Name", validators=[Optional(), Length(max=160)])
    mailing_street = StringField("Mailing street", validators=[Optional(), Length(max=160)])
    mailing_unit = StringField("Unit", validators=[Optional(), Length(max=40)])
    mailing_city = StringField("City", validators=[Optional(), Length(max=80)])
    mailing_state = StringField("State", validators=[Optional(), Length(max=2)])
    mailing_zip = StringField("ZIP", validators=[Optional(), Length(max=10)])
    phone = StringField("Phone", validators=[Optional(), Length(max=32)])
    email = StringField("Email", validators=[Optional(), Length(max=160)])
    language = SelectField("Language for notices", choices=[option("en", "English")])  # the city's: webapp.languages
    meter = SelectField("Meter", choices=[], validate_choice=False)
    new_meter_number = StringField("New meter's number", validators=[Optional(), Length(max=24)])
    new_meter_size = SelectField("New meter's size", choices=[], validate_choice=False)
    new_meter_dials = WholeNumberField("Dials", default=4, validators=[Optional(), NumberRange(min=3, max=9)])
    new_meter_location = StringField("Where it is", validators=[Optional(), Length(max=120)])
    new_meter_route = StringField("Read route", validators=[Optional(), Length(max=16)])
    rate_class = SelectField("Rate class", choices=[], validate_choice=False)
    sewer = BooleanField("Sewer service too", default=True)
    start_on = DateField("Service starts on", render_kw={"type": "date"},
                         validators=[InputRequired(message="Enter the day service starts.")])
    start_reading = WholeNumberField("Meter reading that day (whole CCF)", validators=WHOLE_CCF)
    take_deposit = BooleanField("Take the deposit the deposit rule asks", default=True)
    seen_deposit = HiddenField()
    review = SubmitField("Review the start of service")
    post = SubmitField("Start service")
    edit = SubmitField("Change it")


class TransferForm(StopForm):
    """A move at one address: the stop of the one leaving, and who arrives the next day on the same meter."""

    customer_account = StartForm.customer_account
    name = StartForm.name
    mailing_street = StartForm.mailing_street
    mailing_unit = StartForm.mailing_unit
    mailing_city = StartForm.mailing_city
    mailing_state = StartForm.mailing_state
    mailing_zip = StartForm.mailing_zip
    phone = StartForm.phone
    email = StartForm.email
    language = StartForm.language
    rate_class = StartForm.rate_class
    sewer = StartForm.sewer
    take_deposit = StartForm.take_deposit
    seen_deposit = HiddenField()
    review = SubmitField("Review the transfer")
    post = SubmitField("Post the transfer")


class ExchangeForm(PageForm):
    """A meter replaced mid-cycle: the old meter's final read and the new meter with its first register."""

    exchanged_on = DateField("Day of the exchange", render_kw={"type": "date"},
                             validators=[InputRequired(message="Enter the day the meter was exchanged.")])
    old_final_reading = WholeNumberField("Old meter's final reading (whole CCF)", validators=WHOLE_CCF)
    new_meter_number = StringField("New meter's number",
                                   validators=[DataRequired(message="Enter the new meter's number."), Length(max=24)])
    new_meter_size = SelectField("New meter's size", choices=[], validate_choice=False)
    new_meter_dials = WholeNumberField("Dials", default=4, validators=[InputRequired(), NumberRange(min=3, max=9)])
    new_meter_location = StringField("Where it is", validators=[Optional(), Length(max=120)])
    new_meter_route = StringField("Read route", validators=[Optional(), Length(max=16)])
    new_first_reading = WholeNumberField("New meter's first reading (whole CCF)", default=0, validators=WHOLE_CCF)
    post = SubmitField("Record the exchange")
