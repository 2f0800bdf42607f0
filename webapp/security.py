"""Security headers on every response, and the cookie flags (set in Config)."""
from __future__ import annotations

from flask import Flask, Response

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


def init_app(app: Flask) -> None:
    """Add the headers to every response."""
    app.after_request(add_headers)
