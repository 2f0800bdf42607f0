"""The one place the web layer reads the clock: `now()` in UTC and `today()` in the city.

The clock is app.config["CLOCK"] (the real one by default), so a test can fix the time.
Views pass these values into services; the engine never reads a clock itself.
"""
from __future__ import annotations

from datetime import date, datetime

from flask import current_app, g

from engine.city import get_city, local_today
from webapp.extensions import database


def now() -> datetime:
    """The moment of this request, aware, in UTC (the same value throughout one request)."""
    if "ordinance_now" not in g:
        moment = current_app.config["CLOCK"]()
        if moment.tzinfo is None:
            raise RuntimeError("the app's CLOCK must return an aware datetime")
        g.ordinance_now = moment
    return g.ordinance_now


def city_timezone() -> str:
    """The city's time zone name, read once per request."""
    if "ordinance_timezone" not in g:
        g.ordinance_timezone = get_city(database.session).timezone
    return g.ordinance_timezone


def today() -> date:
    """The city's calendar date now."""
    return local_today(now(), city_timezone())
