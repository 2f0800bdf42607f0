"""The words a form says when a value cannot be read, in the city's voice: every page's form is a PageForm
(a row of its lists a PageRow).

WTForms' own messages ("Field cannot be longer than 80 characters.", "Not a valid date value.",
"Not a valid choice.") spoke of a "field" and a "value" and said nothing of what to type; a
PageForm gives them as the pages' other messages are written. A field's own message, where one
is set, still wins.
"""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import Form

WORDS = {
    "This field is required.": "Fill this in.",
    "Not a valid date value.": "Enter a day that is on the calendar, e.g. 2026-03-02.",
    "Not a valid datetime value.": "Enter a day and time that are on the calendar, e.g. 2026-03-02 14:30.",
    "Not a valid time value.": "Enter a time of day, e.g. 14:30.",
    "Not a valid integer value.": "Enter a whole number, e.g. 12.",
    "Not a valid decimal value.": "Enter a number, e.g. 12.5.",
    "Not a valid float value.": "Enter a number, e.g. 12.5.",
    "Not a valid choice.": "Choose one of the choices offered.",
    "Invalid Choice: could not coerce.": "Choose one of the choices offered.",
    "Invalid email address.": "Enter an e-mail address, e.g. name@example.org.",
    "Field cannot be longer than %(max)d character.": "Type at most %(max)d character.",
    "Field cannot be longer than %(max)d characters.": "Type at most %(max)d characters.",
    "Field must be at least %(min)d character long.": "Type at least %(min)d character.",
    "Field must be at least %(min)d characters long.": "Type at least %(min)d characters.",
    "Field must be between %(min)d and %(max)d characters long.": "Type from %(min)d to %(max)d characters.",
    "Number must be at least %(min)s.": "Enter a number of at least %(min)s.",
    "Number must be at most %(max)s.": "Enter a number of at most %(max)s.",
    "Number must be between %(min)s and %(max)s.": "Enter a number from %(min)s to %(max)s.",
    "Date must be at least %(min)s.": "Enter a day on or after %(min)s.",
    "Date must be at most %(max)s.": "Enter a day on or before %(max)s.",
    "Date must be between %(min)s and %(max)s.": "Enter a day from %(min)s to %(max)s.",
}


class CityWords:
    """WTForms' translations object: its messages in the city's words (any other as WTForms writes it)."""

    def gettext(self, string: str) -> str:
        return WORDS.get(string, string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


CITY_WORDS = CityWords()


class _CityMeta:
    """WTForms asks its Meta for the words of its messages."""

    def get_translations(self, form):
        return CITY_WORDS


class PageForm(FlaskForm):
    """A page's form: Flask-WTF's, saying what to type in the city's words."""

    Meta = _CityMeta


class PageRow(Form):
    """A row of a form's list (a receipt's line, a phone): its own form, saying what to type in the city's words."""

    Meta = _CityMeta
