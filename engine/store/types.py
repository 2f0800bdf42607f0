"""Column types: integer cents for money, aware UTC timestamps."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime
from sqlalchemy.types import TypeDecorator


class Cents(TypeDecorator[int]):
    """Money at rest: a whole number of cents. Floats and fractional cents are refused."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
            raise TypeError(f"money is stored as integer cents, not {type(value).__name__}")
        if isinstance(value, Decimal):
            if value != value.to_integral_value():
                raise ValueError(f"{value} is not a whole number of cents")
            value = int(value)
        return value

    def process_result_value(self, value: Any, dialect: Any) -> int | None:
        """Whole cents back, also from sums (PostgreSQL's SUM of a BIGINT is a NUMERIC)."""
        if value is None or isinstance(value, int):
            return value
        if value != value.to_integral_value():
            raise ValueError(f"{value} read from the database is not a whole number of cents")
        return int(value)


class UTCDateTime(TypeDecorator[datetime]):
    """A moment in time: stored as UTC, always handed back time-zone aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("a naive datetime has no time zone; pass an aware one")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)
