"""Payments: at the counter into an open cash drawer, from lockbox and online files, and returns.

Every payment has an idempotency key, unique in the database: a form submitted twice, or a
file imported twice (by two processes at once, even), posts each payment once. A payment
larger than the balance leaves a credit (a negative balance). A returned payment is reversed,
charged the returned-payment fee from the rules, and may make the account cash-only.

Payment files are CSV with a header row (UTF-8, one payment per line):

    account_number,amount,paid_on,tender,check_number,transaction_id
    100-000123,52.03,2026-03-04,check,1042,LBX-20260304-0001

`account_number`, `amount` (dollars, up to cents, more than zero) and `paid_on` (YYYY-MM-DD)
are required; `tender` is check, card or ach (default: check for lockbox files, card for
online ones); `check_number` and `transaction_id` are optional. The idempotency key is the
source and the transaction id when there is one, otherwise a hash of the row's content (and
its occurrence among identical rows of the file), never of the file's name.
"""
from __future__ import annotations

import csv
import hashlib
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from engine import audit

from engine.money import ledger
from engine.money.cash import drawer_of
from engine.money.ledger.posting import lock_account
from engine.money import parse_money, to_cents
from engine.store.models import LedgerEntry, Payment, User, UtilityAccount

COUNTER_TENDERS = ("cash", "check", "card")
FILE_TENDERS = ("check", "card", "ach")
DEFAULT_TENDER = {"lockbox": "check", "online": "card"}
CHECK_TENDERS = ("check", "ach")  # what a cash-only account may not pay with
RETURNABLE = ("check", "ach", "card")


class PaymentError(ValueError):
    """A payment that is refused, with a message a clerk can read."""


def cash_only_refusal(account: UtilityAccount, tender: str) -> str | None:
    """Why this tender is refused for this account, or None when it is accepted."""
    if account.cash_only and tender in CHECK_TENDERS:
        return (f"account {account.number} is cash-only after returned payments: a {tender} is not accepted; "
                "take cash, a money order, a cashier's check or a card")
    return None


def _insert_once(session: Session, payment: Payment) -> Payment | None:
    """Insert the payment unless its idempotency key is already taken; None when it is."""
    try:
        with session.begin_nested():
            session.add(payment)
            session.flush()
    except IntegrityError:
        return None
    return payment


def post_counter_payment(session: Session, *, account_id: int, amount, tender: str, clerk: User, on: date,
                         now: datetime, check_number: str = "", idempotency_key: str | None = None) -> Payment:
    """Take a payment at the counter into the clerk's open drawer for the day; post its credit."""
    if tender not in COUNTER_TENDERS:
        raise PaymentError(f"tender {tender!r} is not taken at the counter; use {', '.join(COUNTER_TENDERS)}")
    try:
        value = parse_money(amount)
    except ValueError as bad:
        raise PaymentError(str(bad)) from None
    if value <= 0:
        raise PaymentError("a payment must be more than $0.00")
    drawer = drawer_of(session, clerk, on)
    if drawer is None:
        raise PaymentError(f"{clerk.username} has no open cash drawer for {on}; open one first")
    account = lock_account(session, account_id)
    refusal = cash_only_refusal(account, tender)
    if refusal:
        raise PaymentError(refusal)
    key = idempotency_key or f"counter:{uuid.uuid4().hex}"
    payment = Payment(account_id=account.id, amount_cents=to_cents(value), tender=tender, source="counter",
                      received_on=on, check_number=check_number.strip(), idempotency_key=key, drawer_id=drawer.id,
                      status="posted", actor=clerk.username, posted_at=now)
    if _insert_once(session, payment) is None:
        return session.scalar(select(Payment).where(Payment.idempotency_key == key))
    ledger.post_payment(session, payment, now=now)
    return payment


# --- payment files -------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentRow:
    """One good line of a payment file."""

    line: int
    account_number: str
    amount_cents: int
    paid_on: date
    tender: str
    check_number: str
    key: str


@dataclass(frozen=True)
class LineProblem:
    """A line that posted nothing, and why."""

    line: int
    message: str


@dataclass
class ImportReport:
    """What an import did: payments posted, lines already posted before, lines refused."""

    file_name: str
    posted: int = 0
    posted_cents: int = 0
    already_posted: int = 0
    problems: list[LineProblem] = field(default_factory=list)


def _row_key(source: str, record: dict, content: tuple, seen: Counter) -> str:
    """The idempotency key: source + transaction id, or a hash of the row's content and occurrence."""
    transaction_id = record.get("transaction_id", "").strip()
    if transaction_id:
        return f"{source}:{transaction_id}"[:128]
    seen[content] += 1
    digest = hashlib.sha256("\x1f".join(map(str, (source, *content, seen[content]))).encode()).hexdigest()
    return f"{source}:sha256:{digest}"


def parse_payment_file(lines: Iterable[str], source: str) -> tuple[list[PaymentRow], list[LineProblem]]:
    """The payments of a CSV file, and a problem for each line that cannot be read."""
    if source not in DEFAULT_TENDER:
        raise PaymentError(f"source {source!r} is not lockbox or online")
    reader = csv.DictReader(lines)
    columns = {(name or "").strip() for name in reader.fieldnames or []}
    missing = {"account_number", "amount", "paid_on"} - columns
    if missing:
        raise PaymentError(f"the payment file's header lacks {', '.join(sorted(missing))}")
    rows, problems, seen = [], [], Counter()
    for record in reader:
        record = {(k or "").strip(): (v or "").strip() for k, v in record.items()}
        line = reader.line_num
        try:
            number = record["account_number"]
            if not number:
                raise ValueError("account_number is empty")
            amount = parse_money(record["amount"])
            if amount <= 0:
                raise ValueError(f"amount {record['amount']} is not more than $0.00")
            try:
                paid_on = date.fromisoformat(record["paid_on"])
            except ValueError:
                raise ValueError(f"paid_on {record['paid_on']!r} is not a date (YYYY-MM-DD)") from None
            tender = record.get("tender") or DEFAULT_TENDER[source]
            if tender not in FILE_TENDERS:
                raise ValueError(f"tender {tender!r} is not one of {', '.join(FILE_TENDERS)}")
        except ValueError as bad:
            problems.append(LineProblem(line, str(bad)))
            continue
        check_number = record.get("check_number", "")
        content = (number, to_cents(amount), paid_on.isoformat(), tender, check_number)
        rows.append(PaymentRow(line, number, to_cents(amount), paid_on, tender, check_number,
                               _row_key(source, record, content, seen)))
    return rows, problems


def import_payments(sessions: sessionmaker[Session], rows: list[PaymentRow], *, source: str, file_name: str,
                    now: datetime, chunk: int = 500) -> ImportReport:
    """Post each good row once (by idempotency key), one transaction per chunk; refused rows post nothing."""
    report = ImportReport(file_name)
    actor = f"import:{file_name}"[:64]
    for start in range(0, len(rows), chunk):
        part = rows[start:start + chunk]
        for attempt in (1, 2, 3):
            try:
                with sessions() as session, session.begin():
                    done = _import_chunk(session, part, source=source, actor=actor, now=now)
                break
            except OperationalError:  # a deadlock or serialization failure between importers: try again
                if attempt == 3:
                    raise
        report.posted += done.posted
        report.posted_cents += done.posted_cents
        report.already_posted += done.already_posted
        report.problems.extend(done.problems)
    report.problems.sort(key=lambda p: p.line)
    return report


def _import_chunk(session: Session, part: list[PaymentRow], *, source: str, actor: str, now: datetime) -> ImportReport:
    """Post one chunk of payment rows in the session's transaction."""
    done = ImportReport(actor)
    accounts = {a.number: a for a in session.scalars(
        select(UtilityAccount).where(UtilityAccount.number.in_([r.account_number for r in part])))}
    for row in part:
        account = accounts.get(row.account_number)
        if account is None:
            done.problems.append(LineProblem(row.line, f"unknown account {row.account_number}"))
            continue
        if session.scalar(select(Payment.id).where(Payment.idempotency_key == row.key)) is not None:
            done.already_posted += 1
            continue
        refusal = cash_only_refusal(account, row.tender)
        if refusal:
            done.problems.append(LineProblem(row.line, refusal))
            continue
        payment = Payment(account_id=account.id, amount_cents=row.amount_cents, tender=row.tender, source=source,
                          received_on=row.paid_on, check_number=row.check_number, idempotency_key=row.key,
                          status="posted", actor=actor, posted_at=now)
        if _insert_once(session, payment) is None:
            done.already_posted += 1
            continue
        ledger.post_payment(session, payment, now=now)
        done.posted += 1
        done.posted_cents += row.amount_cents
    return done


# --- returned payments -----------------------------------------------------------------------


@dataclass(frozen=True)
class ReturnedPayment:
    """What returning a payment posted: the reversal, the fee, and whether the account became cash-only."""

    payment: Payment
    reversal: LedgerEntry
    fee: LedgerEntry | None
    returned_payments_12m: int
    cash_only: bool
    became_cash_only: bool


RETURNS_LOOK_BACK = timedelta(days=365)  # "the last 12 months": returned after on - 365 days, up to and on `on`
RETURNS_CHUNK = 1000  # account ids per query


# Built once: the count of returned payments by account, for ids, after `since`, up to and on `on`.
RETURNED_BY_ACCOUNT = (select(Payment.account_id, func.count(Payment.id))
                       .where(Payment.account_id.in_(bindparam("ids", expanding=True)), Payment.status == "returned",
                              Payment.returned_on > bindparam("since"), Payment.returned_on <= bindparam("on"))
                       .group_by(Payment.account_id))


def returned_payments_12m(session: Session, account_id: int, on: date) -> int:
    """How many of the account's payments were returned in the 12 months up to and including `on`."""
    return returned_payments_12m_by_account(session, [account_id], on)[account_id]


def returned_payments_12m_by_account(session: Session, account_ids: Iterable[int], on: date) -> dict[int, int]:
    """Payments returned in the 12 months up to and including `on`, by account (0 for one with none)."""
    wanted = sorted(set(account_ids))
    counts = dict.fromkeys(wanted, 0)
    for start in range(0, len(wanted), RETURNS_CHUNK):
        counts.update(session.execute(RETURNED_BY_ACCOUNT, {"ids": wanted[start:start + RETURNS_CHUNK],
                                                            "since": on - RETURNS_LOOK_BACK, "on": on}).all())
    return counts


def return_payment(session: Session, payment_id: int, *, reason: str, on: date, actor: str, now: datetime,
                   library) -> ReturnedPayment:
    """Reverse a returned payment, charge the returned-payment fee, and apply the cash-only rule."""
    payment = session.get(Payment, payment_id, with_for_update=True)
    if payment is None:
        raise PaymentError(f"no payment {payment_id}")
    if payment.status == "returned":
        raise PaymentError(f"payment {payment_id} was already returned on {payment.returned_on}")
    if payment.tender not in RETURNABLE:
        raise PaymentError(f"a {payment.tender} payment cannot be returned by the bank")
    account = lock_account(session, payment.account_id)
    entry = session.scalar(select(LedgerEntry).where(LedgerEntry.payment_id == payment.id,
                                                     LedgerEntry.kind == "payment"))
    reversal = ledger.reverse(session, entry.id, on=on, now=now, actor=actor, reason=f"returned: {reason}")
    payment.status, payment.returned_on, payment.return_reason = "returned", on, reason[:120]
    session.flush()
    count = returned_payments_12m(session, account.id, on)
    facts = {"returned_payments_12m": count}
    fee_result = library.evaluate("returned-payment-fee", facts, on)
    fee = None
    if fee_result.total > 0:
        fee = ledger.post_fee(session, account.id, fee_result.total, on=on, now=now, actor=actor,
                              description=fee_result.lines[0]["name"], reference=f"payment {payment.id}",
                              rule_id="returned-payment-fee", rule_version=fee_result.version.isoformat())
    status = library.evaluate("cash-only-status", facts, on).to_json()
    cash_only = bool(status["outcome"].get("cash_only"))
    became = cash_only and not account.cash_only
    if became:
        account.cash_only = True
        session.flush()
        audit.record(session, actor=actor, action="account.cash_only", subject_type="utility_account",
                     subject_id=account.id, at=now,
                     detail={"cash_only": True, "returned_payments_12m": count, "rule_id": "cash-only-status",
                             "rule_version": status.get("version"), "payment_id": payment.id})
    return ReturnedPayment(payment, reversal, fee, count, account.cash_only, became)
