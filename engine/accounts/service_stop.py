"""Stop service: final read, final bill prorated by the partial-period rule, deposit applied, the rest settled.

`plan_stop` works every figure out without writing anything (the confirmation page shows
them all): the final bill's lines (engine.money.billing.bill_one_read, priced as the
billing run prices a read, its service period prorated by the rate schedule's `proration:`
block), the deposits held, and what is left: a credit refunded through the workflow of refund
cases (a refund case opened for it), or the balance — owed or in credit —
transferred to the customer's other account, or a balance owed left due on the closed
account. `stop_service` posts it: the bill's charges, the account closed, the meter freed
for the next occupant, the deposit credits, the transfer's two adjustments; every ledger
entry through the posting gate with its audit row, and an audit row for the stop itself.
Services flush and never commit.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from engine.accounts.meters import latest_read, meter_serving
from engine.money import ledger
from engine.money import from_cents, money_text
from engine.money.billing import BillLineText, OneBill, bill_one_read, due_without_calendar
from engine.money.deposits import apply_to_final_bill
from engine.money.ledger.posting import balance_cents, paid_in_cents, refundable_cents
from engine.store.models import Deposit, UtilityAccount

FINAL_READ_SOURCE = "final read"
SETTLEMENTS = ("refund", "transfer")


class StopError(ValueError):
    """A stop of service that is refused, with a message naming what and where."""


class Refunds(Protocol):
    """Opens the refund of a credit left on a closed account (engine.workflow.move_out_refunds: a case of the
    workflow of refund subjects); a StopError when it cannot."""

    def check(self, on: date) -> None:
        """Refuse (StopError) before anything is posted when no refund could be opened on the day."""

    def open_refund(self, session: Session, account_id: int, amount: Decimal, source: str, *, on: date,
                    now: datetime, actor: str) -> int:
        """Open the refund and return its case id."""


@dataclass(frozen=True)
class StopRequest:
    """What a clerk asks: the account, the move-out day and its final reading, and where a balance goes."""

    account_id: int
    move_out_on: date
    final_reading: int
    billed_on: date
    settle_by: str = "refund"  # refund a credit through the refunds workflow, or transfer to another account
    transfer_to: str = ""  # the customer's other account's number, for a transfer


@dataclass
class StopPlan:
    """Every figure stopping service will post, in cents, nothing written."""

    request: StopRequest
    account_number: str
    customer_name: str
    service_address: str
    period: str
    service_from: date
    service_to: date
    consumption_ccf: int
    previous_reading: int | None
    bill_lines: list[BillLineText]
    bill_cents: int
    due_on: date
    balance_before_cents: int
    deposits: list[tuple[int, int]] = field(default_factory=list)  # (deposit id, cents)
    transfer_account: str = ""
    transfer_cents: int = 0  # moved to the other account: positive owed, negative a credit
    refund_cents: int = 0
    meter_reads: list[dict] = field(default_factory=list)

    @property
    def deposit_cents(self) -> int:
        """The deposits applied to the final bill."""
        return sum(cents for _, cents in self.deposits)

    @property
    def balance_after_cents(self) -> int:
        """The closed account's balance once the bill, deposits and any transfer are posted (before a refund)."""
        return self.balance_before_cents + self.bill_cents - self.deposit_cents - self.transfer_cents

    @property
    def credit_left_cents(self) -> int:
        """A credit that stays on the closed account (more than can be refunded: not paid in), 0 when none."""
        return max(-self.balance_after_cents - self.refund_cents, 0)

    @property
    def owed_cents(self) -> int:
        """What the customer still owes on the closed account (0 when nothing)."""
        return max(self.balance_after_cents, 0)

    def figures(self) -> dict[str, int]:
        """The figures the confirmation showed, to check nothing changed before posting."""
        return {"bill": self.bill_cents, "deposit": self.deposit_cents, "balance": self.balance_before_cents,
                "transfer": self.transfer_cents, "refund": self.refund_cents}


@dataclass(frozen=True)
class Stopped:
    """What stop_service posted."""

    plan: StopPlan
    bill_id: int
    deposit_entry_ids: list[int]
    transfer_entry_ids: list[int]
    refund_case_id: int | None


def _other_account(session: Session, account: UtilityAccount, number: str) -> UtilityAccount:
    """The customer's other active account a balance is transferred to, or a StopError."""
    other = session.scalar(select(UtilityAccount).where(UtilityAccount.number == number.strip()))
    if other is None:
        raise StopError(f"transfer to: there is no account numbered {number!r}")
    if other.id == account.id:
        raise StopError("transfer to: the balance goes to another account, not the one being stopped")
    if other.customer_id != account.customer_id:
        raise StopError(f"transfer to: account {other.number} is not this customer's")
    if other.status != "active":
        raise StopError(f"transfer to: account {other.number} is {other.status}")
    return other


def _priced(session: Session, library, account: UtilityAccount, request: StopRequest, *, now: datetime,
            actor: str, store: bool) -> OneBill:
    """The final bill, priced (and posted when `store`); a StopError when the read cannot be billed."""
    try:
        return bill_one_read(session, library, account, read_on=request.move_out_on, reading=request.final_reading,
                             billed_on=request.billed_on, due_on=final_bill_due(library, request.billed_on), now=now,
                             actor=actor, source=FINAL_READ_SOURCE, store=store)
    except ValueError as bad:
        raise StopError(f"final read: {bad}") from None


def final_bill_due(library, billed_on: date) -> date:
    """The day a final bill falls due: as a bill without the city calendar's cycle dates (the billing document's)."""
    return due_without_calendar(library, billed_on)


def plan_stop(session: Session, library, request: StopRequest, *, now: datetime, actor: str) -> StopPlan:
    """Check a stop request and work out every figure it will post; a StopError says what is wrong."""
    account = session.get(UtilityAccount, request.account_id)
    if account is None:
        raise StopError(f"account: there is no account {request.account_id}")
    if account.status != "active":
        raise StopError(f"account {account.number} is {account.status}; only an active account's service is stopped")
    if request.settle_by not in SETTLEMENTS:
        raise StopError(f"settle by: {request.settle_by!r} is not one of {', '.join(SETTLEMENTS)}")
    if request.move_out_on > request.billed_on:
        raise StopError(f"move-out day {request.move_out_on} is after today ({request.billed_on}); "
                        "stop service on or after the day the final read is taken")
    last = latest_read(session, account.id)
    if last is None:
        raise StopError(f"final read: account {account.number} has no read on file to count the final read from; "
                        "bill its latest cycle read first")
    if request.move_out_on <= last.read_on:
        raise StopError(f"move-out day {request.move_out_on} is not after the latest read ({last.read_on})")
    other = _other_account(session, account, request.transfer_to) if request.settle_by == "transfer" else None
    priced = _priced(session, library, account, request, now=now, actor=actor, store=False)
    bill = priced.bill
    balance = balance_cents(session, account.id)
    deposits = [(d.id, d.amount_cents) for d in session.scalars(
        select(Deposit).where(Deposit.account_id == account.id, Deposit.status == "held").order_by(Deposit.id))]
    plan = StopPlan(request, account.number, account.customer.name, account.property.service_address,
                    bill["period"], bill["service_from"], bill["service_to"], bill["consumption_ccf"],
                    last.reading, priced.lines, bill["total_cents"], bill["due_on"], balance,
                    deposits, meter_reads=bill["explanation"].get("meter_reads", []))
    left = plan.balance_after_cents
    if other is not None:
        plan.transfer_account, plan.transfer_cents = other.number, left
    elif left < 0:
        plan.refund_cents = min(-left, paid_in_cents(session, account.id) + plan.deposit_cents)
    return plan


def stop_service(session: Session, library, request: StopRequest, *, refunds: Refunds, now: datetime, actor: str,
                 seen: dict[str, int] | None = None) -> Stopped:
    """Stop service as planned and post it; `seen` is the figures the confirmation showed (refused if they changed)."""
    ledger.lock_account(session, request.account_id)
    plan = plan_stop(session, library, request, now=now, actor=actor)
    if seen is not None and seen != plan.figures():
        raise StopError("the amounts changed since the confirmation was shown (something was posted to the "
                        "account meanwhile); look at the confirmation again")
    account = session.get(UtilityAccount, request.account_id)
    if plan.refund_cents:
        refunds.check(request.billed_on)
    bill = _priced(session, library, account, request, now=now, actor=actor, store=True)
    meter = meter_serving(session, account.id)
    account.status, account.closed_on = "closed", request.move_out_on
    if meter is not None:
        meter.account_id = None
    session.flush()
    audit.record(session, actor=actor, action="account.service_stopped", subject_type="utility_account",
                 subject_id=account.id, at=now,
                 detail={"move_out_on": request.move_out_on.isoformat(), "final_reading": request.final_reading,
                         "bill_id": bill.bill_id, "meter": meter.number if meter else None,
                         **{name: money_text(from_cents(cents)) for name, cents in plan.figures().items()}})
    deposit_entries = [e.id for e in apply_to_final_bill(session, account.id, on=request.billed_on, now=now,
                                                         actor=actor)]
    transfers = []
    if plan.transfer_cents:
        other = _other_account(session, account, plan.transfer_account)
        amount = from_cents(plan.transfer_cents)
        transfers.append(ledger.post_adjustment(session, account.id, -amount, on=request.billed_on, now=now,
                                                actor=actor, reason=f"balance transferred to account {other.number}",
                                                reference=f"transfer to {other.number}").id)
        transfers.append(ledger.post_adjustment(session, other.id, amount, on=request.billed_on, now=now, actor=actor,
                                                reason=f"balance transferred from account {account.number}",
                                                reference=f"transfer from {account.number}").id)
    case_id = None
    if plan.refund_cents:
        refundable = refundable_cents(session, account.id)
        case_id = refunds.open_refund(session, account.id, from_cents(min(plan.refund_cents, refundable)),
                                      "deposit" if plan.deposit_cents else "overpayment", on=request.billed_on,
                                      now=now, actor=actor)
    return Stopped(plan, bill.bill_id, deposit_entries, transfers, case_id)
