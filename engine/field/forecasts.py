"""Recording the day's weather forecast (engine.store.forecasts keeps it): checked, kept, audited.

A person with the duty `day_forecast` (`forecast_refusal`) records the forecast low and high for
a city date, on the day's field list page or with `ordinance forecast record`; recording it
again replaces the values, and every recording writes the audit row `forecast.record` with the
old values and the new. A bad value changes nothing and names its field.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from engine import audit
from engine.city import duty_refusal
from engine.rules.calendar import COLDEST, HOTTEST
from engine.store.forecasts import DayForecast, Forecast
from engine.store.models import User

LABELS = {"forecast_low": "Forecast low", "forecast_high": "Forecast high"}


class ForecastError(ValueError):
    """A forecast that cannot be recorded; the message names the field and what is wrong, `field` which it is."""

    def __init__(self, message: str, field: str) -> None:
        """The message, and the field at fault: forecast_low or forecast_high."""
        super().__init__(message)
        self.field = field


def forecast_refusal(session: Session, user: User) -> str | None:
    """Why this person may not record the day's forecast, or None: the city's `day_forecast` duty roles
    (supervisors and administrators unless the city says otherwise, engine.duties)."""
    return duty_refusal(session, role=user.role, username=user.username, duty="day_forecast")


def _degrees(name: str, text: object) -> int:
    """A whole number of degrees Fahrenheit from COLDEST to HOTTEST, or a ForecastError naming the field."""
    raw = str(text if text is not None else "").strip()[:20]
    if not raw:
        raise ForecastError(f"{LABELS[name]}: required (degrees Fahrenheit)", name)
    try:
        value = int(raw)
    except ValueError:
        raise ForecastError(f"{LABELS[name]}: {raw!r} is not a whole number of degrees Fahrenheit", name) from None
    if not COLDEST <= value <= HOTTEST:
        raise ForecastError(f"{LABELS[name]}: {value}°F is not from {COLDEST} to {HOTTEST}°F", name)
    return value


def record_forecast(session: Session, day: date, low: object, high: object, *, actor: str,
                    now: datetime) -> Forecast:
    """Record (or correct) the day's forecast; a bad value changes nothing and names its field."""
    low_f, high_f = _degrees("forecast_low", low), _degrees("forecast_high", high)
    if low_f > high_f:
        raise ForecastError(f"{LABELS['forecast_low']}: {low_f}°F is above the forecast high ({high_f}°F)",
                            "forecast_low")
    row = session.get(DayForecast, day, with_for_update=True)
    old = None if row is None else {"low": row.low_f, "high": row.high_f, "recorded_by": row.recorded_by}
    if row is None:
        row = DayForecast(city_date=day, low_f=low_f, high_f=high_f, recorded_by=actor, recorded_at=now)
        session.add(row)
    else:
        row.low_f, row.high_f, row.recorded_by, row.recorded_at = low_f, high_f, actor, now
    session.flush()
    audit.record(session, actor=actor, action="forecast.record", subject_type="day_forecast",
                 subject_id=day.isoformat(), at=now,
                 detail={"day": day.isoformat(), "old": old, "new": {"low": low_f, "high": high_f}})
    return Forecast(day, low_f, high_f, actor)
