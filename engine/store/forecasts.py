"""The day's weather forecast as staff record it: what a calendar's `no_shutoff.forecast` rule reads.

Ordinance has no weather feed: a person with the duty `day_forecast` (engine.duties) records the
forecast low and high (whole degrees Fahrenheit) for a city date on the day's field list page.
One row per city date (engine.field.forecasts records it, audited).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, Integer, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from engine.rules.calendar import COLDEST, FORECAST_FACTS, HOTTEST
from engine.store.models import Base

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


def forecast_on(session: Session, day: date) -> Forecast | None:
    """The forecast recorded for the city date `day`, or None."""
    row = session.get(DayForecast, day)
    return None if row is None else Forecast(row.city_date, row.low_f, row.high_f, row.recorded_by)
