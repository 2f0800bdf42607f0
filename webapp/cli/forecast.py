"""`ordinance forecast`: record the day's weather forecast (as on the crews' shut-off list page), and show it.

    ordinance forecast record --day 2026-07-06 --low 20 --high 41 --as sam
    ordinance forecast show --day 2026-07-06

Recording calls engine.field.forecasts as the page does (the same checks, the same audit row
`forecast.record`); who may is the city's `day_forecast` duty, asked of the user named by `--as`.
"""
from __future__ import annotations

from datetime import date

import click
from sqlalchemy import select

from engine.field.forecasts import ForecastError, forecast_refusal, record_forecast
from engine.rulebook.catalog_source import catalog_of_database
from engine.rules.errors import DocumentErrors
from engine.store.forecasts import forecast_on
from engine.store.models import User
from engine.workflow.shutoffs import weather_on
from webapp.cli.context import USAGE_ERROR, CityContext, acting_user, catalog_folders, city_date_option, fail, pass_city

OPTIONS = {"forecast_low": "--low", "forecast_high": "--high"}  # the engine's field, as the command names it


@click.group("forecast")
def command() -> None:
    """The day's weather forecast, which a calendar's `no_shutoff.forecast` rule reads before a shut-off."""


@command.command("record")
@city_date_option("--day", "day", help="The city date the forecast is for")
@click.option("--low", required=True, metavar="DEGREES", help="The forecast low, whole degrees Fahrenheit.")
@click.option("--high", required=True, metavar="DEGREES", help="The forecast high, whole degrees Fahrenheit.")
@acting_user("username", help="Who records it: an active user the city lets (its day_forecast duty).")
@pass_city
def record_command(city: CityContext, day: date, low: str, high: str, username: str) -> None:
    """Record (or correct) a day's forecast low and high; audited with the old values and the new.

    A bad value, an unknown or inactive user, or one the city does not let record the forecast is refused
    naming the option (exit 2), and nothing is recorded.
    """
    with city.transaction() as session:
        staff = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
        if staff is None:
            fail(f"--as: no active user {username!r}; the forecast is recorded by a member of staff the city lets; "
                 "nothing was recorded", USAGE_ERROR)
        refused = forecast_refusal(session, staff)
        if refused:
            fail(f"--as: {refused}; nothing was recorded", USAGE_ERROR)
        try:
            recorded = record_forecast(session, day, low, high, actor=staff.username, now=city.now())
        except ForecastError as bad:
            fail(f"{OPTIONS[bad.field]}: {bad}; nothing was recorded", USAGE_ERROR)
    click.echo(f"Forecast for {day} recorded by {recorded.recorded_by}: low {recorded.low}°F, "
               f"high {recorded.high}°F.")


@command.command("show")
@city_date_option("--day", "day", help="The city date")
@catalog_folders
@pass_city
def show_command(city: CityContext, day: date, rules_dir: str, workflows_dir: str) -> None:
    """The forecast recorded for a day, and whether the weather holds the crews' shut-offs due that day."""
    try:
        catalog = catalog_of_database(city.db.sessions, rules_dir, workflows_dir)
    except DocumentErrors as bad:
        fail(f"the rules or workflows do not load:\n{bad}")
    with city.session() as session:
        recorded = forecast_on(session, day)
        held = weather_on(session, catalog.rules, catalog.workflows, day)
    click.echo(f"Forecast for {day}: " + (f"low {recorded.low}°F, high {recorded.high}°F (recorded by "
                                          f"{recorded.recorded_by})." if recorded else "none recorded."))
    click.echo(f"Shut-offs held by the weather: {'; '.join(held)}." if held else
               "The weather holds no shut-off due that day.")
