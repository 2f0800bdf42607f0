"""Cancel a wrong bill and bill it again from a corrected read.

The bill's charges still standing are reversed (each by its exact opposite, through the
posting gate), the bill is marked cancelled on the day, the period's meter read is corrected
(the reading at the start of the period stays: the consumption is the corrected reading less
it), and a new bill for the same period is priced by the same rate schedule as of the old
bill's date (engine.money.billing.price) and its charges posted, one per service. The new bill
is dated the day of the rebill; it falls due as many days later as the old bill gave, or on the
old due date if that is later. Only the account's latest bill in force may be rebilled (a later
bill was worked out from the read being corrected). A Rebill row keeps both bills and both
reads; an audit row says who, when and why. Nothing here commits or reads the clock.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from engine.money import from_cents, ledger
from engine.money.billing import (bill_lines_summing_to_total, billing_policy, charge_description, charges_by_service,
                                   days_of_earlier_reads, price)
from engine.money.gate import LedgerError
from engine.money.ledger.posting import lock_account
from engine.money.limits import city_limits
from engine.numerals import is_digits
from engine.store.adjustments import Rebill
from engine.store.models import Bill, BillLine, LedgerEntry, MeterRead, UtilityAccount
from engine.money import to_cents



class RebillError(ValueError):
    """A rebill that cannot be made; the message says why, and nothing was changed."""


def standing_charges(session: Session, bill_id: int) -> list[LedgerEntry]:
    """The bill's charges that have not been reversed, in the order posted."""
    reversed_ids = select(LedgerEntry.reverses_id).where(LedgerEntry.bill_id == bill_id,
                                                         LedgerEntry.reverses_id.is_not(None))
    return list(session.scalars(select(LedgerEntry).where(LedgerEntry.bill_id == bill_id,
                                                          LedgerEntry.kind == "charge",
                                                          LedgerEntry.id.not_in(reversed_ids))
                                .order_by(LedgerEntry.id)))


def _checked(session: Session, bill_id: int, reading: object, reason: str) -> tuple[Bill, MeterRead, int, str]:
    """The bill, its read, the corrected reading and the reason, or a RebillError."""
    bill = session.get(Bill, bill_id)
    if bill is None:
        raise RebillError(f"no bill {bill_id}")
    lock_account(session, bill.account_id)
    if bill.cancelled_on is not None:
        raise RebillError(f"bill {bill_id} was already cancelled by a rebill")
    later = session.scalar(select(Bill.period).where(Bill.account_id == bill.account_id, Bill.period > bill.period,
                                                     Bill.cancelled_on.is_(None)).order_by(Bill.period).limit(1))
    if later is not None:
        raise RebillError(f"bill {bill_id} is not the account's latest: the bill for {later} came after it and was "
                          "worked out from this read; rebill that one first")
    read = session.scalar(select(MeterRead).where(MeterRead.account_id == bill.account_id,
                                                  MeterRead.period == bill.period))
    if read is None:
        raise RebillError(f"bill {bill_id} has no meter read for {bill.period} to correct")
    if isinstance(reading, bool) or not is_digits(str(reading).strip()):
        raise RebillError(f"reading: the meter's register in whole CCF (0 or more), not {reading!r}")
    corrected = int(str(reading).strip())
    start = read.reading - read.consumption_ccf
    if corrected < start:
        raise RebillError(f"reading: {corrected} is below the reading at the start of the period ({start})")
    if corrected == read.reading:
        raise RebillError(f"reading: {corrected} is the reading billed; a rebill needs the corrected one")
    reason = (reason or "").strip()
    if not reason:
        raise RebillError("reason: say why the bill is rebilled")
    return bill, read, corrected, reason


@dataclass(frozen=True)
class RebillPlan:
    """A rebill worked out and nothing written: the bill, its read, the corrected reading and the new bill's lines."""

    bill: Bill
    read: MeterRead
    reading: int
    used: int
    reason: str
    result: object
    total_cents: int
    explanation: dict
    lines: list
    reversing: list[LedgerEntry]

    @property
    def reversing_cents(self) -> int:
        """What the reversals of the old bill's standing charges come to (negative)."""
        return -sum(entry.amount_cents for entry in self.reversing)

    @property
    def change_cents(self) -> int:
        """What the account's balance moves by: the new bill less the charges reversed."""
        return self.total_cents + self.reversing_cents


def plan_rebill(session: Session, library, bill_id: int, *, reading: object, reason: str) -> RebillPlan:
    """The rebill worked out (the new bill priced, the charges to reverse found), or a RebillError; nothing written."""
    bill, read, corrected, reason = _checked(session, bill_id, reading, reason)
    account = session.get(UtilityAccount, bill.account_id)
    used = corrected - (read.reading - read.consumption_ccf)
    earlier = [(r.read_on, r.consumption_ccf) for r in session.execute(
        select(MeterRead.read_on, MeterRead.consumption_ccf).where(
            MeterRead.account_id == account.id, MeterRead.period != bill.period, MeterRead.read_on < read.read_on,
            MeterRead.read_on >= read.read_on - timedelta(days=days_of_earlier_reads(
                billing_policy(library, bill.billed_on)))).order_by(MeterRead.read_on))]
    try:
        result, total, explanation = price(library, bill.rule_id, account, used, earlier, bill.billed_on,
                                           (bill.service_from, bill.service_to),
                                           city_limits(session).ceiling("rule_amount"))
    except ValueError as bad:
        raise RebillError(str(bad)) from None
    return RebillPlan(bill, read, corrected, used, reason, result, total, explanation,
                      bill_lines_summing_to_total(result), standing_charges(session, bill.id))


def rebill(session: Session, library, bill_id: int, *, reading: object, reason: str, on: date, now: datetime,
           actor: str) -> Rebill:
    """Reverse the bill's charges, cancel it, correct its read, and post the new bill's charges; audited."""
    planned = plan_rebill(session, library, bill_id, reading=reading, reason=reason)
    bill, read, corrected, used, reason = planned.bill, planned.read, planned.reading, planned.used, planned.reason
    result, total, explanation, lines = planned.result, planned.total_cents, planned.explanation, planned.lines
    account = session.get(UtilityAccount, bill.account_id)
    words = f"rebill of bill {bill.id}: {reason}"
    try:
        reversals = [ledger.reverse(session, charge.id, on=on, now=now, actor=actor, reason=words)
                     for charge in planned.reversing]
    except LedgerError as refused:
        raise RebillError(str(refused)) from None
    bill.cancelled_on = on
    session.flush()  # the old bill is out of force before the new one takes its period
    due_on = max(bill.due_on, on + (bill.due_on - bill.billed_on))
    new = Bill(account_id=account.id, cycle=bill.cycle, period=bill.period, service_from=bill.service_from,
               service_to=bill.service_to, billed_on=on, due_on=due_on, consumption_ccf=used, total_cents=total,
               rule_id=bill.rule_id, rule_version=result.version.isoformat(),
               explanation={**explanation, "rebill_of": bill.id})
    session.add(new)
    session.flush()
    session.add_all(BillLine(bill_id=new.id, position=n, name=name, amount_cents=to_cents(amount), detail=detail,
                             service=service) for n, (name, amount, detail, service) in enumerate(lines, start=1))
    for service, cents in charges_by_service(lines):
        ledger.post_charge(session, account.id, from_cents(cents), on=on, due_on=due_on, now=now, actor=actor,
                           description=charge_description(service, bill.service_from, bill.service_to),
                           reference=f"bill {new.id}", rule_id=new.rule_id, rule_version=new.rule_version,
                           bill_id=new.id, service=service)
    old_reading, old_used = read.reading, read.consumption_ccf
    read.reading, read.consumption_ccf, read.source = corrected, used, "rebill"
    row = Rebill(account_id=account.id, cancelled_bill_id=bill.id, new_bill_id=new.id, period=bill.period,
                 old_reading=old_reading, old_consumption_ccf=old_used, reading=corrected, consumption_ccf=used,
                 reversed_cents=sum(r.amount_cents for r in reversals), billed_cents=total, reason=reason,
                 actor=actor, rebilled_on=on, rebilled_at=now)
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="bill.rebill", subject_type="utility_account", subject_id=account.id,
                 at=now, detail={"rebill_id": row.id, "cancelled_bill_id": bill.id, "new_bill_id": new.id,
                                 "period": bill.period, "old_reading": old_reading, "reading": corrected,
                                 "old_consumption_ccf": old_used, "consumption_ccf": used,
                                 "reversed": str(from_cents(row.reversed_cents)), "billed": str(from_cents(total)),
                                 "reversal_ids": [r.id for r in reversals], "reason": reason})
    return row


def rebill_of(session: Session, bill_id: int) -> Rebill | None:
    """The rebill that cancelled this bill or made it, if any."""
    return session.scalar(select(Rebill).where((Rebill.cancelled_bill_id == bill_id) | (Rebill.new_bill_id == bill_id)))
