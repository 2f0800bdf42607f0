"""Helpers the page views share: a 404 that says what was not found, ids read from the address."""
from __future__ import annotations

from datetime import date
from typing import NoReturn

from flask import abort, make_response, request
from werkzeug.routing import IntegerConverter

from engine.numerals import is_digits
from webapp import clock
from webapp.main import errors


def not_found(message: str) -> NoReturn:
    """Stop with the 404 page, telling the person exactly what does not exist."""
    abort(make_response(*errors.page(404, message)))


def is_record_number(text: object) -> bool:
    """Whether `text` is a record id as an address or a form sends one: the digits 0 to 9, at most 18 of them (so
    below the largest id a BIGINT column holds; a longer one ended in a 500, SQLite cannot bind it)."""
    return is_digits(text) and len(text) <= 18


def record_id(text: str, what: str) -> int:
    """A record id from the address, or a 404 that says ids are numbers."""
    if not is_record_number(text):
        not_found(f"“{text}” is not a {what} number: {what} numbers are whole numbers such as 1042.")
    return int(text)


def day_asked(form, field, *, download: bool) -> date:
    """The day a page or a download is asked for by its read-only form (?date=, ?as_of=), today when none is.

    A page asked for a day that is not one shows today with the field's message; a download is refused (400)
    naming the field, since its file would be today's under the day the person asked for in mind (and the GL
    export's audit row would say it was taken)."""
    if form.validate() and field.data:
        return field.data
    typed = request.args.get(field.name, "")
    if download and typed.strip():
        abort(400, f"{field.label.text}: “{typed[:40]}” is not a day (YYYY-MM-DD); nothing was downloaded.")
    return clock.today()


LARGEST_RECORD_NUMBER = 2**63 - 1  # the largest id a database column holds (BIGINT); the CLI's RECORD_ID agrees


class RecordIntegerConverter(IntegerConverter):
    """`<int:...>` in an address: a whole number up to the largest record id, so a longer one is the 404 of an
    address that names nothing (it reached the database and ended in a 500: SQLite cannot bind it)."""

    regex = r"[0-9]+"  # werkzeug's \d+ takes any script's digits: "/payments/files/١" was file 1 too

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002 (werkzeug's name)
        """An IntegerConverter with the record ids' ceiling unless a route gives its own."""
        kwargs.setdefault("max", LARGEST_RECORD_NUMBER)
        super().__init__(map, *args, **kwargs)
