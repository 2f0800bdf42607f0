"""Meters as records of their own, and meter exchanges (issue 14, item 1).

A meter belongs to a property (it stays there when the people move); `account_id` is the
account it serves now (none between a move-out and the next move-in). A meter read names
the meter it was read from (`meter_reads.meter_id`, nullable for reads stored before meters
were records). A meter exchange keeps the old meter's final read and the new meter's first
register, so the bill of the period it falls in charges the use of both meters.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.store.models import Base, Property, UtilityAccount


class Meter(Base):
    """A water meter: its number, size and dials, where it is, its route, and what it serves."""

    __tablename__ = "meters"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True, index=True)
    size: Mapped[str] = mapped_column(String(8))
    dials: Mapped[int] = mapped_column(Integer, default=4)  # the register's digits: it rolls over at 10**dials
    location: Mapped[str] = mapped_column(String(120), default="")  # e.g. "front yard, left of driveway"
    route: Mapped[str] = mapped_column(String(16), default="", index=True)
    installed_on: Mapped[date] = mapped_column(Date)
    removed_on: Mapped[date | None] = mapped_column(Date)
    property_id: Mapped[int] = mapped_column(ForeignKey("properties.id"), index=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("utility_accounts.id"), index=True)
    property: Mapped[Property] = relationship()
    account: Mapped[UtilityAccount | None] = relationship()


class MeterExchange(Base):
    """One meter replaced by another on an account: the old meter's final read, the new one's first register."""

    __tablename__ = "meter_exchanges"
    __table_args__ = (UniqueConstraint("old_meter_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("utility_accounts.id"), index=True)
    old_meter_id: Mapped[int] = mapped_column(ForeignKey("meters.id"))
    new_meter_id: Mapped[int] = mapped_column(ForeignKey("meters.id"))
    exchanged_on: Mapped[date] = mapped_column(Date)
    old_final_reading: Mapped[int] = mapped_column(Integer)
    new_first_reading: Mapped[int] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime]
    old_meter: Mapped[Meter] = relationship(foreign_keys=[old_meter_id])
    new_meter: Mapped[Meter] = relationship(foreign_keys=[new_meter_id])
