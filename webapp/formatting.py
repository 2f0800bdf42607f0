"""How pages show values: money as $1,234.50, moments in the city's time zone, the city's words."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation

from flask import Blueprint, Flask
from jinja2 import pass_context

from engine.city import zone
from engine.money import format_money
from engine.rules.months import day_words, period_words
from webapp import clock
from webapp.auth.access import may_open
from webapp.catalog import rule_title, signatures_in_words, sweep_label
from webapp.people import who


def money(value: int | Decimal | str | None) -> str:
    """Money on a page: integer cents, Decimal dollars or dollars as text ("52.03") as $52.03; empty for None.

    Every page shows money through this (the `money` filter, flashes, form messages); a credit
    shows as -$30.00. Notices print it through engine.notices.formats.money, CSV files through
    engine.money.money_text.
    """
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = Decimal(value)
        except InvalidOperation:
            return value
    return format_money(value)


def local_time(moment: datetime | str | None) -> str:
    """An aware moment (or ISO text) in the city's time zone, in the date style of `day`: Mar 2, 2026, 9:05 AM."""
    if moment is None or moment == "":
        return ""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:  # a moment the database kept without its zone is UTC
        moment = moment.replace(tzinfo=timezone.utc)
    here = moment.astimezone(zone(clock.city_timezone()))
    hour = here.hour % 12 or 12
    return f"{day(here.date())}, {hour}:{here.minute:02d} {'AM' if here.hour < 12 else 'PM'}"


def day(value: date | str | None) -> str:
    """A calendar date as the city writes it on screen: Mar 2, 2026."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    return day_words(value)


ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
# What comes before a day given as an example of what to type ("enter a day like 2026-03-02", "e.g. 2026-03-02"):
# that day stays as it is typed.
AS_TYPED = re.compile(r"(?:\be\.g\.|\bfor example|\blike|\bsuch as)[,:]?\s+[“\"']?\Z")
LEAD = 20  # room for the longest of those leads ("for example, “")


def dates(text: object) -> str:
    """A sentence the engine wrote, with each date in it in the city's style: "due 2026-04-08" -> "due Apr 8, 2026".

    A day given as an example of what to type ("e.g. 2026-03-02", "a day like 2026-03-02") is left as typed."""
    def spelled(found: re.Match) -> str:
        if AS_TYPED.search(found.string, max(0, found.start() - LEAD), found.start()):
            return found[0]
        try:
            return day(date(int(found[1]), int(found[2]), int(found[3])))
        except ValueError:
            return found[0]
    return ISO_DATE.sub(spelled, "" if text is None else str(text))


def month_name(period: object) -> str:
    """A billing period (YYYY-MM) as people say it: Mar 2026 (engine.rules.months.period_words)."""
    return period_words(str(period))


def words(name: str | None) -> str:
    """An identifier in words: past_due -> past due."""
    return (name or "").replace("_", " ")


def init_app(app: Flask) -> None:
    """Register the filters."""
    app.add_template_filter(money)
    app.add_template_filter(local_time)
    app.add_template_filter(day)
    app.add_template_filter(words)
    app.add_template_filter(dates)
    app.add_template_filter(month_name)
    app.add_template_filter(rule_title)
    app.add_template_filter(sweep_label)
    app.add_template_filter(signatures_in_words)
    app.add_template_filter(who)
    app.jinja_env.tests["endpoint_open"] = endpoint_open


@pass_context
def endpoint_open(_context: object, endpoint: str) -> bool:
    """`'payments.close_day' is endpoint_open`: whether the signed-in person may open it, asked at every render.

    Taking the context keeps Jinja from folding the test on a constant endpoint name into the compiled template
    (which would keep the first reader's answer for everyone after).
    """
    return may_open(endpoint)


def attach(blueprint: Blueprint) -> None:
    """Register the filters on the app when this blueprint is registered (once per app)."""
    blueprint.record_once(lambda state: init_app(state.app))
