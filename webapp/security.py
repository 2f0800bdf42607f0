"""Security headers on every response, the cookie flags (set in Config), and no NUL character in what is sent."""
from __future__ import annotations

from flask import Flask, Response, abort, request

HEADERS = {
    # No frames, plugins or third-party anything: server-rendered HTML, one CSS file, and scripts only from the
    # app's own static folder (the YAML editor, CodeMirror vendored); the pages work without them.
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; "
                               "base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def add_headers(response: Response) -> Response:
    """Add the security headers; pages with people's data are not cached."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if response.mimetype == "text/html":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


NUL_REFUSED = ("a value sent with the request holds a NUL character (\\x00), which no field of Ordinance takes; "
               "nothing was changed")


def refuse_nul() -> None:
    """A query string, form value or JSON body holding NUL is refused with a 400 before any view reads it
    (PostgreSQL text cannot hold one, so it would otherwise end as a 500 wherever it reached the database)."""
    values = [*request.args.keys(), *request.args.values(), *request.form.keys(), *request.form.values()]
    if any("\x00" in value for value in values) or "\x00" in request.path:
        abort(400, description=NUL_REFUSED)
    if request.is_json and b"\\u0000" in request.get_data(cache=True):
        abort(400, description=NUL_REFUSED)


def init_app(app: Flask) -> None:
    """Refuse NUL before every request; add the headers to every response."""
    app.before_request(refuse_nul)
    app.after_request(add_headers)
