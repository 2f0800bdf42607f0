"""Meters: a new meter on a property, the meter an account is served by, a meter exchanged mid-cycle.

A meter exchange removes the old meter with its final read and installs the new one with its
first register; the billing run then charges the period's use on both meters
(engine.money.billing: the old meter's final read less the previous reading, plus the new
meter's reading less its first register). Each change writes an audit row; nothing here
posts money. Services flush and never commit.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from engine.city import today_in_city
from engine.store.meters import Meter, MeterExchange
from engine.store.models import MeterRead, UtilityAccount

METER_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,23}$")


class MeterError(ValueError):
    """A meter change that is refused, with a message a clerk can read."""


@dataclass(frozen=True)
class NewMeter:
    """A meter to install: its number, size, dials, where it is and its read route."""

    number: str
    size: str
    dials: int = 4
    location: str = ""
    route: str = ""


def check_new_meter(session: Session, meter: NewMeter, sizes: tuple[str, ...] | None = None) -> None:
    """A MeterError naming what is wrong with a new meter (its number taken or malformed, its size or dials)."""
    if not METER_NUMBER.match(meter.number or ""):
        raise MeterError(f"meter number {meter.number!r}: letters, digits and dashes, at most 24")
    if session.scalar(select(Meter.id).where(Meter.number == meter.number)) is not None:
        raise MeterError(f"meter number {meter.number} is already on file")
    if sizes is not None and meter.size not in sizes:
        raise MeterError(f"meter size {meter.size!r} is not one of {', '.join(sizes)}")
    if not 3 <= meter.dials <= 9:
        raise MeterError(f"dials {meter.dials}: a register has 3 to 9 dials")


def install_meter(session: Session, meter: NewMeter, *, property_id: int, account_id: int | None, on: date,
                  now: datetime, actor: str) -> Meter:
    """Put a new meter on a property (serving the account, if given), audited."""
    check_new_meter(session, meter)
    row = Meter(number=meter.number, size=meter.size, dials=meter.dials, location=meter.location, route=meter.route,
                installed_on=on, property_id=property_id, account_id=account_id)
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="meter.installed", subject_type="meter", subject_id=row.id, at=now,
                 detail={"number": row.number, "size": row.size, "dials": row.dials, "property_id": property_id,
                         "account_id": account_id, "on": on.isoformat()})
    return row


def meter_serving(session: Session, account_id: int) -> Meter | None:
    """The meter in service for an account now."""
    return session.scalar(select(Meter).where(Meter.account_id == account_id, Meter.removed_on.is_(None))
                          .order_by(Meter.id.desc()).limit(1))


def meters_on_property(session: Session, property_id: int) -> list[Meter]:
    """The meters in service on a property."""
    return list(session.scalars(select(Meter).where(Meter.property_id == property_id, Meter.removed_on.is_(None))
                                .order_by(Meter.id)))


def latest_read(session: Session, account_id: int) -> MeterRead | None:
    """The account's latest stored read."""
    return session.scalar(select(MeterRead).where(MeterRead.account_id == account_id)
                          .order_by(MeterRead.read_on.desc(), MeterRead.id.desc()).limit(1))


def exchange_meter(session: Session, account_id: int, *, on: date, old_final_reading: int, new_meter: NewMeter,
                   new_first_reading: int, now: datetime, actor: str) -> MeterExchange:
    """Replace the account's meter on a day: the old one's final read, the new one installed with its first register.

    The day is today or before (the city's date at `now`): the old meter's final reading is read off it when it comes
    out, so an exchange is recorded once it is done; one dated ahead (9999-12-31) took the meter out of service now.
    Nor is it before the old meter went in (0001-01-01 was taken on an account with no read yet).
    """
    account = session.get(UtilityAccount, account_id)
    if account is None or account.status != "active":
        raise MeterError("a meter is exchanged on an active account")
    old = meter_serving(session, account_id)
    if old is None:
        raise MeterError(f"account {account.number} has no meter in service to exchange")
    today = today_in_city(session, now)
    if on > today:
        raise MeterError(f"the exchange day {on} is after today ({today}); record an exchange once it is done, "
                         "with the old meter's final reading")
    if on < old.installed_on:  # also bounds the day below, where the account has no read yet
        raise MeterError(f"the exchange day {on} is before the old meter {old.number} was installed "
                         f"({old.installed_on})")
    last = latest_read(session, account_id)
    if last is not None and on <= last.read_on:
        raise MeterError(f"the exchange day {on} is not after the latest read ({last.read_on})")
    if last is not None and old_final_reading < last.reading:
        raise MeterError(f"old meter's final read {old_final_reading} is below its previous reading {last.reading}")
    if old_final_reading < 0 or new_first_reading < 0:
        raise MeterError("readings are whole CCF, 0 or more")
    check_new_meter(session, new_meter)
    old.removed_on, old.account_id = on, None
    installed = install_meter(session, new_meter, property_id=old.property_id, account_id=account_id, on=on, now=now,
                              actor=actor)
    exchange = MeterExchange(account_id=account_id, old_meter_id=old.id, new_meter_id=installed.id, exchanged_on=on,
                             old_final_reading=old_final_reading, new_first_reading=new_first_reading, actor=actor,
                             recorded_at=now)
    session.add(exchange)
    if new_meter.size != account.meter_size:
        account.meter_size = new_meter.size
    session.flush()
    audit.record(session, actor=actor, action="meter.exchanged", subject_type="utility_account", subject_id=account_id,
                 at=now, detail={"old_meter": old.number, "old_final_reading": old_final_reading,
                                 "new_meter": installed.number, "new_first_reading": new_first_reading,
                                 "size": new_meter.size, "on": on.isoformat()})
    return exchange
