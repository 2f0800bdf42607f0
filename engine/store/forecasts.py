"""The day's weather forecast as staff record it: what a calendar's `no_shutoff.forecast` rule reads.

Ordinance has no weather feed: a person with the duty `day_forecast` (engine.duties) records the
forecast low and high (whole degrees Fahrenheit) for a city date on the day's field list page.
One row per city date; recording it again replaces the values, and every recording writes the
audit row `forecast.record` with the old values and the new.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, Integer, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from engine import audit
from engine.rules.calendar import COLDEST, FORECAST_FACTS, HOTTEST
from engine.store.models import Base

LABELS = {"forecast_low": "Forecast low", "forecast_high": "Forecast high"}
DEGREES_CHECK = f"BETWEEN {COLDEST} AND {HOTTEST}"


class DayForecast(Base):
    """The forecast low and high recorded for one city date, by whom and when."""

    __tablename__ = "day_forecasts"
    __table_args__ = (CheckConstraint(f"low_f {DEGREES_CHECK}", name="ck_day_forecasts_low_f"),
                      CheckConstraint(f"high_f {DEGREES_CHECK}", name="ck_day_forecasts_high_f"))
    city_date: Mapped[date] = mapped_column(Date, primary_key=True)
    low_f: Mapped[int] = mapped_column(Integer)
    high_f: Mapped[int] = mapped_column(Integer)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime]


class ForecastError(ValueError):
    """A forecast that cannot be recorded; the message names the field and what is wrong."""


@dataclass(frozen=True)
class Forecast:
    """A day's recorded forecast."""

    day: date
    low: int
    high: int
    recorded_by: str

    @property
    def facts(self) -> dict[str, int]:
        """As the calendar's facts name it: forecast_low, forecast_high."""
        return dict(zip(FORECAST_FACTS, (self.low, self.high)))


def _degrees(name: str, text: object) -> int:
    """A whole number of degrees Fahrenheit from COLDEST to HOTTEST, or a ForecastError naming the field."""
    raw = str(text if text is not None else "").strip()[:20]
    if not raw:
        raise ForecastError(f"{LABELS[name]}: required (degrees Fahrenheit)")
    try:
        value = int(raw)
    except ValueError:
        raise ForecastError(f"{LABELS[name]}: {raw!r} is not a whole number of degrees Fahrenheit") from None
    if not COLDEST <= value <= HOTTEST:
        raise ForecastError(f"{LABELS[name]}: {value}°F is not from {COLDEST} to {HOTTEST}°F")
    return value


def forecast_on(session: Session, day: date) -> Forecast | None:
    """The forecast recorded for the city date `day`, or None."""
    row = session.get(DayForecast, day)
    return None if row is None else Forecast(row.city_date, row.low_f, row.high_f, row.recorded_by)


def record_forecast(session: Session, day: date, low: object, high: object, *, actor: str,
                    now: datetime) -> Forecast:
    """Record (or correct) the day's forecast; a bad value changes nothing and names its field."""
    low_f, high_f = _degrees("forecast_low", low), _degrees("forecast_high", high)
    if low_f > high_f:
        raise ForecastError(f"{LABELS['forecast_low']}: {low_f}°F is above the forecast high ({high_f}°F)")
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
