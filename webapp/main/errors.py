"""Error pages: 400, 403, 404, 405, 409 (someone else changed the record), 500."""
from __future__ import annotations

import logging

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from webapp.extensions import database

log = logging.getLogger("ordinance.errors")

PAGES = {
    400: ("Bad request", "The form could not be read. Go back, reload the page and try again."),
    403: ("Not allowed", "Your role does not open this page. If you need it, ask an administrator."),
    404: ("Page not found", "There is no page at this address. Check the address, or use the menu."),
    405: ("Not allowed", "This page cannot be used that way."),
    409: ("This case changed since you opened it",
          "Someone else saved a change to this record after you opened it, so your change was not "
          "saved. Open it again to see the latest version, then make your change again."),
    413: ("File too large", "The file you sent is larger than Ordinance accepts."),
    500: ("Something went wrong", "Ordinance hit an error and saved nothing from this request. "
                                  "Try again; if it happens again, tell an administrator the reference below."),
}


def page(code: int, message: str | None = None):
    """The error page for an HTTP status."""
    title, default = PAGES.get(code, PAGES[500])
    return render_template("error.html", title=title, message=message or default), code


def http_error(error: HTTPException):
    """A Flask/werkzeug HTTP error as one of our pages (with the words Ordinance gave it, if any)."""
    if error.code is None or error.code < 400:
        return error
    said = error.description if error.description != type(error).description else None  # our own words, if given
    return page(error.code if error.code in PAGES else 500 if error.code >= 500 else 400, said)


def csrf_error(error: CSRFError):
    """A form without a valid CSRF token: refused, nothing saved."""
    return page(400, "This form was missing its security token or it had expired, so nothing was saved. "
                     "Go back, reload the page and try again.")


def stale(error: StaleDataError):
    """An optimistic-lock conflict: someone saved the same record first."""
    database.rollback()
    return page(409)


def server_error(error: Exception):
    """Any other error: roll back, log it with the request's id, and say so."""
    database.rollback()
    log.error("unhandled error", exc_info=getattr(error, "original_exception", None) or error)
    return page(500)


def init_app(app: Flask) -> None:
    """Register the error pages."""
    app.register_error_handler(CSRFError, csrf_error)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(StaleDataError, stale)
    app.register_error_handler(500, server_error)
