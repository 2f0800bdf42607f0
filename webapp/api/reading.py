"""Reading what a call sends: a JSON object's fields and query parameters, each refused by name.

Money is never a float: JSON numbers are read as Decimal and every amount goes through the
machines' reader (engine.money.bounds.machine_amount): plain digits with at most two
decimals, within the city's ceiling, so 52.031, "1e3", "$10" and "1,000.00" are refused
rather than guessed at.
"""
from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from typing import Any

from flask import request

from engine.money.billing import BillingError, check_period
from engine.money.bounds import BoundError, Ceiling, check_paid_on, machine_amount
from webapp.api.errors import ApiError

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)


def _no_constant(name: str) -> Any:
    """Refuse NaN and Infinity, which JSON does not have."""
    raise ValueError(f"{name} is not a JSON value")


def json_object(allowed: tuple[str, ...]) -> dict[str, Any]:
    """The request body as a JSON object with only the allowed fields; ApiError 400 otherwise."""
    try:
        body = json.loads(request.get_data(cache=True), parse_float=Decimal, parse_constant=_no_constant)
    except (ValueError, UnicodeDecodeError) as bad:
        raise ApiError(400, f"The request body is not valid JSON: {bad}.", field="body") from None
    except RecursionError:  # the reader recurses once per level: arrays or objects nested thousands deep
        raise ApiError(400, "The request body is not valid JSON for this API: it is nested too deep.",
                       field="body") from None
    if not isinstance(body, dict):
        raise ApiError(400, "The request body must be a JSON object.", field="body")
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise ApiError(400, f"Unknown field {unknown[0]!r}; the fields are {', '.join(allowed)}.", field=unknown[0])
    return body


def text(body: dict[str, Any], name: str, max_length: int) -> str:
    """A required, non-empty, printable string field of at most max_length characters."""
    value = body.get(name)
    if value is None:
        raise ApiError(400, f"{name} is required.", field=name)
    if not isinstance(value, str) or not value.strip():
        raise ApiError(400, f"{name} must be a non-empty string.", field=name)
    value = value.strip()
    if len(value) > max_length or not value.isprintable():
        raise ApiError(400, f"{name} must be at most {max_length} printable characters.", field=name)
    return value


def money(body: dict[str, Any], name: str, ceiling: Ceiling) -> Decimal:
    """A required amount of money more than $0.00 and within the ceiling, at most two decimals ("52.03" or 52.03)."""
    value = body.get(name)
    if value is None:
        raise ApiError(400, f"{name} is required.", field=name)
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        raise ApiError(400, f"{name} must be an amount such as \"52.03\".", field=name)
    try:
        amount = machine_amount(value, field=name, ceiling=ceiling)
    except BoundError as bad:
        raise ApiError(400, f"{bad}.", field=name) from None
    if amount <= 0:
        raise ApiError(400, f"{name} must be more than 0.00.", field=name)
    return amount


def iso_date(value: Any, name: str) -> date:
    """A required date written YYYY-MM-DD."""
    if value is None or value == "":
        raise ApiError(400, f"{name} is required (YYYY-MM-DD).", field=name)
    if not isinstance(value, str) or not ISO_DATE.match(value):
        raise ApiError(400, f"{name} {value!r} is not a date written YYYY-MM-DD.", field=name)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ApiError(400, f"{name} {value!r} is not a date on the calendar.", field=name) from None


def paid_on(value: Any, name: str, *, business_day: date, days_back: int) -> date:
    """A required paid-on date, YYYY-MM-DD, within the city's window before the business day."""
    day = iso_date(value, name)
    try:
        return check_paid_on(day, field=name, business_day=business_day, days_back=days_back)
    except BoundError as bad:
        raise ApiError(400, f"{bad}.", field=name) from None


def query_text(name: str, max_length: int) -> str:
    """A required query parameter (?name=...) of at most max_length printable characters."""
    value = (request.args.get(name) or "").strip()
    if not value:
        raise ApiError(400, f"The query parameter {name} is required.", field=name)
    if len(value) > max_length or not value.isprintable():
        raise ApiError(400, f"{name} must be at most {max_length} printable characters.", field=name)
    return value


def query_period(name: str) -> str:
    """A billing period query parameter (?name=YYYY-MM), or ApiError 400 naming it."""
    value = query_text(name, 7)
    try:
        check_period(value)
    except BillingError:
        raise ApiError(400, f"{name} must be a month written YYYY-MM, not {value!r}.", field=name) from None
    return value
