"""Helpers the page views share: a 404 that says what was not found, ids read from the address."""
from __future__ import annotations

from typing import NoReturn

from flask import abort, make_response

from webapp.main import errors


def not_found(message: str) -> NoReturn:
    """Stop with the 404 page, telling the person exactly what does not exist."""
    abort(make_response(*errors.page(404, message)))


def record_id(text: str, what: str) -> int:
    """A record id from the address, or a 404 that says ids are numbers."""
    if not text.isdigit() or len(text) > 18:
        not_found(f"“{text}” is not a {what} number: {what} numbers are whole numbers such as 1042.")
    return int(text)
