"""Errors of the JSON API: `ApiError` for what a view refuses, and JSON instead of HTML pages under /api/."""
from __future__ import annotations

from typing import Callable

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from webapp.extensions import database
from webapp.main import errors as pages

PREFIX = "/api/"


class ApiError(Exception):
    """A refused API call: the HTTP status, a message for the calling system, and the field at fault."""

    def __init__(self, status: int, message: str, field: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        """Hold the status, message, field and extra headers (WWW-Authenticate)."""
        super().__init__(message)
        self.status, self.message, self.field, self.headers = status, message, field, headers or {}


def problem(status: int, message: str, field: str | None = None, headers: dict[str, str] | None = None) -> Response:
    """A JSON error answer: {"error": message} and the field at fault when there is one."""
    body: dict[str, str] = {"error": message}
    if field:
        body["field"] = field
    response = jsonify(body)
    response.status_code = status
    response.headers.update(headers or {})
    return response


def api_error(error: ApiError) -> Response:
    """An ApiError as JSON; nothing the call did is kept."""
    database.rollback()
    return problem(error.status, error.message, error.field, error.headers)


def _http_message(error: HTTPException) -> str:
    """A message for a werkzeug HTTP error that names the path, and the methods allowed on a 405."""
    if error.code == 404:
        return f"There is no API endpoint at {request.path}."
    if isinstance(error, MethodNotAllowed):
        allowed = ", ".join(m for m in error.valid_methods or () if m not in ("HEAD", "OPTIONS"))
        return f"{request.method} is not accepted at {request.path}; use {allowed}."
    if error.code == 413:
        return "The request body is larger than Ordinance accepts."
    return error.description or error.name


def _json_under_api(page: Callable) -> Callable:
    """An error handler that answers JSON for paths under /api/ and the HTML page `page` elsewhere."""

    def handle(error: Exception):
        """JSON for the API, the page for everyone else."""
        if not request.path.startswith(PREFIX):
            return page(error)
        database.rollback()
        if isinstance(error, HTTPException) and error.code is not None and error.code < 500:
            return problem(error.code, _http_message(error))
        return problem(500, "Ordinance hit an error and saved nothing from this call. Try again; if it happens "
                            "again, tell the city the time it happened.")

    handle.__doc__ = f"{page.__doc__} (JSON under /api/)"
    return handle


def init_app(app: Flask) -> None:
    """Answer the app's HTTP errors in JSON under /api/ (call after webapp.main.errors.init_app)."""
    app.register_error_handler(HTTPException, _json_under_api(pages.http_error))
    app.register_error_handler(500, _json_under_api(pages.server_error))
