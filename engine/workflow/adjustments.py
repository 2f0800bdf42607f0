"""Asking for an adjustment: posted at once within the asker's limit, else a case for another person to decide.

The limit is the adjustment-approval rule's: it gives the role that may post an adjustment of
that amount and reason (a page role is a minimum, an approval role exact, as on a workflow
step). Over it, a case of the city's adjustment approval workflow (the one tagged
`adjustment_approvals`, found by its tag, never by its id) is opened on the account with the
adjustment's number; its approval step posts it (engine.workflow.actions.adjust).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.accounts.adjustments import AdjustmentError, Plan, plan, post, record
from engine.money import from_cents
from engine.money.ledger.posting import lock_account
from engine.store.adjustments import Adjustment
from engine.store.models import Case, LedgerEntry
from engine.workflow import services
from engine.workflow.guards import Actor, may_act_as
from engine.workflow.model import ADJUSTMENT_APPROVALS, SERVICE_OFF, Workflow
from engine.workflow.runtime import CaseError


@dataclass(frozen=True)
class Requested:
    """What asking did: the adjustment, and either the entry it posted or the case it waits on."""

    adjustment: Adjustment
    entry: LedgerEntry | None
    case: Case | None


def person(session: Session, username: str) -> Actor:
    """The person asking (an active user with their roles), or an AdjustmentError."""
    try:
        return services.actor_for(session, username)
    except CaseError as error:
        raise AdjustmentError(str(error)) from None


def within_limit(session: Session, planned: Plan, username: str) -> bool:
    """Whether this person may post the planned adjustment without another's approval."""
    return may_act_as(person(session, username), planned.approver_role)


def request_adjustment(session: Session, catalog: services.Catalog, account_id: int, *, code: str, note: str,
                       actor: str, on: date, now: datetime, amount: object = None, direction: str = "credit",
                       fee_entry_id: int | None = None, request_key: str | None = None) -> Requested:
    """Ask for an adjustment: checked, recorded, then posted (within the limit) or sent for approval.

    `request_key` is the one-time key of the confirmation the person pressed: the same key again (a double click,
    a post sent twice) is what the first one did, with nothing asked or posted again.
    """
    if request_key:
        lock_account(session, account_id)  # a second click waits for the first, then finds it
        earlier = session.scalar(select(Adjustment).where(Adjustment.request_key == request_key))
        if earlier is not None:
            if earlier.account_id != account_id:
                raise AdjustmentError("this confirmation was for another account; start again")
            return Requested(earlier, session.get(LedgerEntry, earlier.entry_id) if earlier.entry_id else None,
                             session.get(Case, earlier.case_id) if earlier.case_id else None)
    planned = plan(session, catalog.rules, account_id, code=code, note=note, on=on, amount=amount,
                   direction=direction, fee_entry_id=fee_entry_id,
                   service_off=catalog.workflows.states_tagged_by_version(SERVICE_OFF))
    within = within_limit(session, planned, actor)
    workflow = None if within else _approval_workflow(session, catalog, account_id, on)
    row = record(session, planned, actor=actor, on=on, now=now, within=within, request_key=request_key)
    if workflow is None:
        return Requested(row, post(session, row, actor=actor, on=on, now=now), None)
    try:
        case = services.open_case(session, catalog, workflow.id, account_id, actor=actor, on=on, now=now, fields={
            "amount": str(from_cents(abs(planned.cents))), "direction": planned.direction,
            "reason_code": planned.reason.code, "note": planned.note, "adjustment_id": row.id})
    except CaseError as error:
        raise AdjustmentError(f"it needs approval, and no approval case could be opened: {error}") from None
    row.case_id = case.id
    session.flush()
    return Requested(row, None, case)


def _approval_workflow(session: Session, catalog: services.Catalog, account_id: int, on: date) -> Workflow:
    """The approval workflow in force, when the account has no case of it waiting; else an AdjustmentError."""
    try:
        workflow = catalog.workflows.the_one_tagged(ADJUSTMENT_APPROVALS, on)
    except LookupError as error:
        raise AdjustmentError(f"it needs approval, and there is no approval workflow: {error}") from None
    waiting = session.scalar(select(Case.id).where(Case.workflow_id == workflow.id, Case.subject_id == account_id,
                                                   Case.subject_type == workflow.subject,
                                                   Case.closed_at.is_(None)).limit(1))
    if waiting is not None:
        raise AdjustmentError(f"it needs approval, and the account already has an open {workflow.id} case "
                              f"({waiting}): decide that one first")
    return workflow
