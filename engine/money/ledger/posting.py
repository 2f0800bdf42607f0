"""Posting to an account's ledger: charges, fees, payments, adjustments, refunds, write-offs, reversals.

Entries are never changed or deleted (the database refuses it); a mistake is corrected by a
reversing entry. Each posting carries its actor, its day, a reference and the rule version
that produced it, writes one audit row, and keeps the account's balance
(engine.money.ledger.kept) in the same transaction. The gate books an entry dated on a closed day on
the next open day, keeping its own date as `dated_on`. Services flush and never commit: the
caller owns the transaction. Signs follow engine.money.ledger.aging (positive = the customer owes more).
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import audit
from engine.money.business_days import books
from engine.money.gate import LedgerError, Posting, Reversed, admit_all, cents_of
from engine.money.ledger.kept import keep_balances
from engine.money import format_money, from_cents, to_cents
from engine.store.models import LedgerEntry, Payment, UtilityAccount, receipt_number


def lock_account(session: Session, account_id: int) -> UtilityAccount:
    """The account, locked for this transaction on PostgreSQL (SQLite locks the whole database)."""
    account = session.scalar(select(UtilityAccount).where(UtilityAccount.id == account_id).with_for_update())
    if account is None:
        raise LedgerError(f"no utility account with id {account_id}")
    return account


def post(session: Session, *, account_id: int, kind: str, amount: Decimal, on: date, now: datetime, actor: str,
         description: str, reference: str = "", due_on: date | None = None, rule_id: str | None = None,
         rule_version: str | None = None, bill_id: int | None = None, payment_id: int | None = None,
         reverses: LedgerEntry | None = None, service: str | None = None,
         offset: tuple[str, str] | None = None) -> LedgerEntry:
    """Append one entry (signed dollars) to the account's ledger, through the posting gate, with its audit row.

    `service` is the service a debit bills (a bill's charge of one service, a fee); None is the catch-all.
    `offset` is an adjustment's own (fund, account), its reason code's; None books it where its kind goes.
    """
    undone = None if reverses is None else Reversed(reverses.id, reverses.amount_cents, reverses.fund,
                                                     reverses.gl_account)
    [admitted] = admit_all([Posting(account_id, kind, cents_of(amount), on, undone, offset)], books(session))
    entry = LedgerEntry(account_id=account_id, kind=kind, amount_cents=admitted.cents, effective_on=admitted.on,
                        dated_on=admitted.dated_on, due_on=due_on, posted_at=now, actor=actor,
                        description=description[:200], reference=reference[:120], rule_id=rule_id,
                        rule_version=rule_version, bill_id=bill_id, payment_id=payment_id,
                        reverses_id=undone.entry_id if undone else None, fund=admitted.fund,
                        gl_account=admitted.gl_account, service=service)
    session.add(entry)
    session.flush()
    audit.record(session, actor=actor, action=f"ledger.{kind}", subject_type="utility_account",
                 subject_id=account_id, at=now,
                 detail={"entry_id": entry.id, "amount": str(amount), "on": admitted.on.isoformat(),
                         **_dated(admitted.dated_on), "reference": reference, "rule_id": rule_id,
                         "rule_version": rule_version, "reverses_id": entry.reverses_id, "payment_id": payment_id,
                         "bill_id": bill_id, **service_detail(service)})
    keep_balances(session, [account_id], on=admitted.on)
    return entry


def service_detail(service: str | None) -> dict:
    """The audit detail of an entry's service, when it names one (the bulk writers write the same)."""
    return {} if service is None else {"service": service}


def _dated(dated_on: date | None) -> dict:
    """The audit detail of an entry's own date, when it was booked on a later day than it is dated."""
    return {} if dated_on is None else {"dated_on": dated_on.isoformat()}


def post_charge(session: Session, account_id: int, amount: Decimal, *, on: date, due_on: date, now: datetime,
                actor: str, description: str, reference: str = "", rule_id: str | None = None,
                rule_version: str | None = None, bill_id: int | None = None,
                service: str | None = None) -> LedgerEntry:
    """Post a service charge (a bill's, of one service) that falls due on `due_on`."""
    return post(session, account_id=account_id, kind="charge", amount=amount, on=on, due_on=due_on, now=now,
                actor=actor, description=description, reference=reference, rule_id=rule_id,
                rule_version=rule_version, bill_id=bill_id, service=service)


def post_fee(session: Session, account_id: int, amount: Decimal, *, on: date, now: datetime, actor: str,
             description: str, reference: str = "", due_on: date | None = None, rule_id: str | None = None,
             rule_version: str | None = None, service: str | None = None) -> LedgerEntry:
    """Post a fee (late fee, returned-payment fee, reconnection), due on `due_on` or at once, of its service."""
    return post(session, account_id=account_id, kind="fee", amount=amount, on=on, due_on=due_on or on, now=now,
                actor=actor, description=description, reference=reference, rule_id=rule_id,
                rule_version=rule_version, service=service)


def post_payment(session: Session, payment: Payment, *, now: datetime) -> LedgerEntry:
    """Post the ledger credit for a Payment row already added to the session."""
    tender = f"check {payment.check_number}" if payment.check_number else payment.tender.replace("_", " ")
    reference = receipt_number(payment.receipt_id) if payment.receipt_id else (payment.check_number
                                                                                or payment.idempotency_key[:120])
    return post(session, account_id=payment.account_id, kind="payment", amount=-from_cents(payment.amount_cents),
                on=payment.received_on, now=now, actor=payment.actor, payment_id=payment.id,
                description=f"Payment ({tender}, {payment.source})", reference=reference)


def post_adjustment(session: Session, account_id: int, amount: Decimal, *, on: date, now: datetime, actor: str,
                    reason: str, reference: str = "", offset: tuple[str, str] | None = None) -> LedgerEntry:
    """Post an adjustment: positive adds to what is owed, negative is a credit; `offset`: its reason's GL account."""
    return post(session, account_id=account_id, kind="adjustment", amount=amount, on=on, due_on=on, now=now,
                actor=actor, description=f"Adjustment: {reason}", reference=reference, offset=offset)


def post_write_off(session: Session, account_id: int, amount: Decimal, *, on: date, now: datetime, actor: str,
                   reason: str, reference: str = "") -> LedgerEntry:
    """Write off part or all of what is owed (amount given positive); never more than the balance."""
    lock_account(session, account_id)
    owed = balance_cents(session, account_id)
    if amount <= 0 or to_cents(amount) > owed:
        raise LedgerError(f"a write-off must be more than $0.00 and at most the balance owed ({from_cents(max(owed, 0))})")
    return post(session, account_id=account_id, kind="write_off", amount=-amount, on=on, now=now, actor=actor,
                description=f"Write-off: {reason}", reference=reference)


def post_deposit_credit(session: Session, account_id: int, amount: Decimal, *, on: date, now: datetime, actor: str,
                        description: str, reference: str = "", rule_id: str | None = None,
                        rule_version: str | None = None) -> LedgerEntry:
    """Credit a held deposit (amount given positive) to the account."""
    return post(session, account_id=account_id, kind="deposit", amount=-amount, on=on, now=now, actor=actor,
                description=description, reference=reference, rule_id=rule_id, rule_version=rule_version)


def post_refund(session: Session, account_id: int, amount: Decimal, *, on: date, now: datetime, actor: str,
                reference: str = "") -> LedgerEntry:
    """Pay a credit back to the customer (amount positive); refused beyond the credit or what was paid."""
    lock_account(session, account_id)
    refundable = refundable_cents(session, account_id)
    if amount <= 0:
        raise LedgerError(f"a refund must be more than $0.00; this one asks for {format_money(amount)}")
    if to_cents(amount) > refundable:
        raise LedgerError(f"the account's refundable credit is now {format_money(refundable)}; "
                          f"the refund asks for {format_money(amount)}")
    return post(session, account_id=account_id, kind="refund", amount=amount, on=on, due_on=on, now=now,
                actor=actor, description="Refund of credit balance", reference=reference)


def reverse(session: Session, entry_id: int, *, on: date, now: datetime, actor: str, reason: str) -> LedgerEntry:
    """Post the exact opposite of an entry, once; a reversal itself is not reversed."""
    original = session.get(LedgerEntry, entry_id)
    if original is None:
        raise LedgerError(f"no ledger entry with id {entry_id}")
    lock_account(session, original.account_id)
    if original.kind == "reversal":
        raise LedgerError(f"entry {entry_id} is itself a reversal; post a new entry instead")
    if session.scalar(select(LedgerEntry.id).where(LedgerEntry.reverses_id == entry_id)) is not None:
        raise LedgerError(f"entry {entry_id} has already been reversed")
    return post(session, account_id=original.account_id, kind="reversal",
                amount=-from_cents(original.amount_cents), on=on, due_on=original.due_on or on, now=now,
                actor=actor, description=f"Reversal of {original.kind} {entry_id}: {reason}",
                reference=original.reference, rule_id=original.rule_id, rule_version=original.rule_version,
                bill_id=original.bill_id, payment_id=original.payment_id, reverses=original,
                service=original.service)


def balance_cents(session: Session, account_id: int) -> int:
    """The account's balance in cents: the sum of every entry (negative is a credit)."""
    return session.scalar(select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0))
                          .where(LedgerEntry.account_id == account_id))


def _credit_and_paid_in(session: Session, account_id: int) -> tuple[int, int]:
    """The account's credit (minus its balance) and what was paid in (payments and deposit credits less refunds),
    in cents. Each kind counts net of its reversals (an entry that reverses one counts with it): one read of the
    account's entries, summed by their kind and the kind of the entry each reverses."""
    target = LedgerEntry.__table__.alias("target")
    sums = [(own, reversed_kind, int(cents)) for own, reversed_kind, cents in session.execute(
        select(LedgerEntry.kind, target.c.kind, func.sum(LedgerEntry.amount_cents))
        .outerjoin(target, target.c.id == LedgerEntry.reverses_id)
        .where(LedgerEntry.account_id == account_id)
        .group_by(LedgerEntry.kind, target.c.kind))]  # PostgreSQL sums come back as Decimal

    def net(kind: str) -> int:
        return sum(cents for own, reversed_kind, cents in sums if own == kind) + \
            sum(cents for own, reversed_kind, cents in sums if reversed_kind == kind)
    return -sum(cents for *_, cents in sums), -(net("payment") + net("deposit")) - net("refund")


def paid_in_cents(session: Session, account_id: int) -> int:
    """What the customer paid in (payments and deposit credits) less what was refunded: a refund's limit."""
    return _credit_and_paid_in(session, account_id)[1]


def refundable_cents(session: Session, account_id: int) -> int:
    """How much may be refunded: the credit balance, but never more than was paid in less refunds."""
    credit, paid_in = _credit_and_paid_in(session, account_id)
    return max(0, min(credit, paid_in))
