"""The city's money limits as stored: its ceilings by kind of entry and its paid-on window.

They live in the city settings row (CitySettings); until the city is saved, the defaults of a
new city (engine.money.bounds.MoneyLimits) apply.
"""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import InstrumentedAttribute, Session

from engine.city import get_city
from engine.money.bounds import CEILING_NAMES, MoneyLimits
from engine.store.models import CitySettings


def ceiling_columns() -> list[InstrumentedAttribute]:
    """The city's ceiling columns in MoneyLimits' order, then the paid-on window."""
    return [*(getattr(CitySettings, f"{kind}_ceiling_cents") for kind in CEILING_NAMES),
            CitySettings.paid_on_days_back]


def limits_of_row(values: Sequence[int]) -> MoneyLimits:
    """MoneyLimits from the values of `ceiling_columns()`, in that order."""
    *ceilings, days_back = values
    return MoneyLimits(**dict(zip(CEILING_NAMES, map(int, ceilings))), paid_on_days_back=int(days_back))


def city_limits(session: Session) -> MoneyLimits:
    """The city's money ceilings and paid-on window (the defaults until the city is saved)."""
    city = get_city(session)
    return limits_of_row([getattr(city, column.key) for column in ceiling_columns()])
