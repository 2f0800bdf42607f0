"""Transfer of service at a property (an owner or tenant moves): stop for the one, start for the other.

The one leaving gets the final read and final bill (engine.accounts.service_stop); the one
arriving starts the next day on the same meter, the final reading being the start reading
(engine.accounts.service_start). Both are planned before anything is written, and posted
in the caller's one transaction. Services flush and never commit.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from engine.accounts.meters import meter_serving
from engine.accounts.service_start import StartError, StartPlan, StartRequest, Started, plan_start, start_service
from engine.accounts.service_stop import Refunds, StopError, StopPlan, StopRequest, Stopped, plan_stop, stop_service
from engine.store.models import UtilityAccount


@dataclass(frozen=True)
class TransferPlan:
    """The stop and the start, every figure worked out."""

    stop: StopPlan
    start: StartPlan


def _start_for(session: Session, stop: StopRequest, start: StartRequest) -> StartRequest:
    """The start on the stopping account's property and meter, the day after move-out, from the final reading."""
    account = session.get(UtilityAccount, stop.account_id)
    if account is None:
        raise StopError(f"account: there is no account {stop.account_id}")
    meter = meter_serving(session, account.id)
    return replace(start, property_id=account.property_id, start_on=stop.move_out_on + timedelta(days=1),
                   start_reading=stop.final_reading, meter_id=meter.id if meter else None,
                   new_meter=None if meter else start.new_meter, cycle=account.cycle)


def plan_transfer(session: Session, library, stop: StopRequest, start: StartRequest, *, now: datetime,
                  actor: str) -> TransferPlan:
    """Both plans; a StopError or StartError says what is wrong."""
    stopping = plan_stop(session, library, stop, now=now, actor=actor)
    return TransferPlan(stopping, plan_start(session, library, _start_for(session, stop, start),
                                             replacing=stop.account_id))


def transfer_service(session: Session, library, stop: StopRequest, start: StartRequest, *, refunds: Refunds,
                     now: datetime, actor: str, seen: dict[str, int] | None = None,
                     seen_deposit=None) -> tuple[Stopped, Started]:
    """Stop for the one and start for the other, as planned."""
    starting = _start_for(session, stop, start)
    plan_start(session, library, starting, replacing=stop.account_id)  # refuse before anything is posted
    stopped = stop_service(session, library, stop, refunds=refunds, now=now, actor=actor, seen=seen)
    return stopped, start_service(session, library, starting, now=now, actor=actor, seen_deposit=seen_deposit)


__all__ = ["TransferPlan", "plan_transfer", "transfer_service", "StartError", "StopError"]
