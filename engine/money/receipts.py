"""Counter receipts: one receipt pays utility accounts, license fees and miscellaneous items, with split tender.

A clerk lists what is paid (lines) and how (tenders: cash, check with its number, card,
money order). `review` reads it all without changing anything: each line's customer or
business, the amount due and the past due, the total, the change. `take_receipt` posts it
into the clerk's open drawer: a payment per account line and tender (the account's ledger
credit, through the gate), a GL line per license or miscellaneous line (through the gate,
engine.money.ledger.general). Every entry carries the receipt's one number (`R-000123`).

Tenders pay the lines in order, checks, cards and money orders first and cash last; only
cash gives change, so the tenders other than cash may not be more than the total. A
supervisor voids a receipt the same business day, while its drawer is open: every entry
is reversed through the gate and the receipt says so.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine import audit
from engine.city import get_city, offered, printed_in, zone
from engine.money import format_money, ledger, money_text, to_cents
from engine.money.bounds import BoundError, typed_amount
from engine.money.business_days import first_open_day
from engine.money.cash import SUPERVISORS, drawer_of
from engine.chart_of_accounts import chart_of
from engine.money.gate import GlPosting, LedgerError
from engine.money.ledger.general import post_gl, reverse_gl
from engine.money.limits import city_limits
from engine.numerals import is_digits
from engine.receipt_categories import Category, categories_of
from engine.money.tenders import COUNTER_TENDERS, PaymentError, cash_only_refusal, cash_only_refused
from engine.store.models import (Business, CashDrawer, Customer, GlEntry, LedgerEntry, License, Payment, Receipt,
                                 User, UtilityAccount, receipt_number)

LINE_KINDS = ("account", "license", "misc")
REFERENCE_NAMES = {"account": "account number", "license": "license number", "misc": "category"}
TENDER_NAMES = {"cash": "cash", "check": "check", "card": "card", "money_order": "money order"}


class ReceiptError(PaymentError):
    """A receipt that is refused; the message names the line or tender and what is wrong."""


@dataclass(frozen=True)
class LineAsked:
    """One thing the customer pays: an account (its number), a license (its number) or a category (its code)."""

    kind: str
    reference: str
    amount: str | Decimal
    memo: str = ""


@dataclass(frozen=True)
class TenderAsked:
    """One tender handed over: cash, a check (with its number), a card or a money order."""

    tender: str
    amount: str | Decimal
    check_number: str = ""


@dataclass(frozen=True)
class ReviewedLine:
    """A line read against the books: who or what it pays, what is due, what it pays."""

    kind: str
    reference: str
    name: str
    cents: int
    due_cents: int | None = None
    past_due_cents: int | None = None
    account_id: int | None = None
    license_id: int | None = None
    category: Category | None = None
    memo: str = ""

    def printed(self) -> dict:
        """The line as the receipt keeps and prints it."""
        return {"kind": self.kind, "reference": self.reference, "name": self.name, "cents": self.cents,
                "memo": self.memo}


@dataclass(frozen=True)
class ReviewedTender:
    """A tender as taken: its kind, whole cents and check number."""

    tender: str
    cents: int
    check_number: str = ""

    def printed(self) -> dict:
        """The tender as the receipt keeps and prints it."""
        return {"tender": self.tender, "cents": self.cents, "check_number": self.check_number}


@dataclass(frozen=True)
class Review:
    """What a receipt would post: its lines, tenders, total, what was handed over and the change due."""

    lines: list[ReviewedLine]
    tenders: list[ReviewedTender]
    total_cents: int
    tendered_cents: int
    change_cents: int
    pieces: list[tuple[int, int, int]] = field(default_factory=list)  # (line index, tender index, cents)


def _amount(value, where: str, session: Session) -> int:
    """Whole cents of an amount typed at the counter, more than $0.00 and within the counter ceiling."""
    try:
        amount = typed_amount(value, field=where, ceiling=city_limits(session).ceiling("counter_payment"))
    except BoundError as bad:
        raise ReceiptError(str(bad)) from None
    if amount <= 0:
        raise ReceiptError(f"{where}: a payment must be more than $0.00")
    return to_cents(amount)


def _line(session: Session, number: int, asked: LineAsked, on: date) -> ReviewedLine:
    """One asked line read against the books, or a ReceiptError naming it."""
    where = f"line {number}"
    reference = (asked.reference or "").strip()
    if asked.kind not in LINE_KINDS:
        raise ReceiptError(f"{where}: pay an account, a license or a miscellaneous item, not {asked.kind!r}")
    if not reference:
        raise ReceiptError(f"{where}: enter the {REFERENCE_NAMES[asked.kind]}")
    cents = _amount(asked.amount, f"{where} amount", session)
    memo = (asked.memo or "").strip()[:80]
    if asked.kind == "account":
        found = session.execute(select(UtilityAccount, Customer.name).join(Customer)
                                .where(UtilityAccount.number == reference)).first()
        if found is None:
            raise ReceiptError(f"{where}: there is no utility account numbered {reference}")
        account, name = found
        standing = ledger.standing(session, account.id, on)
        return ReviewedLine("account", reference, name, cents, standing.balance_cents, standing.past_due_cents,
                            account_id=account.id, memo=memo)
    if asked.kind == "license":
        found = session.execute(select(License, Business.name).join(Business)
                                .where(License.number == reference)).first()
        if found is None:
            raise ReceiptError(f"{where}: there is no license numbered {reference}")
        lic, name = found
        due = lic.due_cents  # the fee and any late penalty assessed, less what receipts paid
        if due <= 0:
            raise ReceiptError(f"{where}: license {reference} has no fee due")
        if cents > due:
            raise ReceiptError(f"{where}: license {reference} has {format_money(due)} due; this line pays "
                               f"{format_money(cents)}")
        return ReviewedLine("license", reference, name, cents, due, None, license_id=lic.id, memo=memo)
    category = next((c for c in categories_of(get_city(session).receipt_categories) if c.code == reference), None)
    if category is None:
        raise ReceiptError(f"{where}: there is no miscellaneous category {reference!r}")
    return ReviewedLine("misc", reference, category.label, cents, category=category, memo=memo)


def _tender(session: Session, number: int, asked: TenderAsked) -> ReviewedTender:
    """One tender checked, or a ReceiptError naming it."""
    where = f"tender {number}"
    if asked.tender not in COUNTER_TENDERS:
        raise ReceiptError(f"{where}: the counter takes {', '.join(TENDER_NAMES[t] for t in COUNTER_TENDERS)}, "
                           f"not {asked.tender!r}")
    cents = _amount(asked.amount, f"{where} amount", session)
    check_number = (asked.check_number or "").strip()
    if asked.tender == "check" and not check_number:
        raise ReceiptError(f"{where}: enter the number printed on the check")
    if len(check_number) > 32:
        raise ReceiptError(f"{where}: a check number has at most 32 characters")
    return ReviewedTender(asked.tender, cents, check_number if asked.tender == "check" else "")


def review(session: Session, lines: list[LineAsked], tenders: list[TenderAsked], *, on: date) -> Review:
    """Read a receipt against the books without changing anything; a ReceiptError names what is wrong."""
    if not lines:
        raise ReceiptError("line 1: a receipt pays at least one account, license or item")
    if not tenders:
        raise ReceiptError("tender 1: enter what the customer handed over")
    read = [_line(session, number, asked, on) for number, asked in enumerate(lines, 1)]
    taken = [_tender(session, number, asked) for number, asked in enumerate(tenders, 1)]
    total = sum(line.cents for line in read)
    tendered = sum(t.cents for t in taken)
    for number, t in enumerate(taken, 1):
        if t.tender != "cash" and t.cents > total:
            raise ReceiptError(f"tender {number}: a {TENDER_NAMES[t.tender]} of {format_money(t.cents)} is more "
                               f"than the {format_money(total)} due; only cash gives change")
    not_cash = sum(t.cents for t in taken if t.tender != "cash")
    if not_cash > total:
        raise ReceiptError(f"tenders: {format_money(not_cash)} in checks, cards and money orders is more than the "
                           f"{format_money(total)} due; only cash gives change")
    if tendered < total:
        raise ReceiptError(f"tenders: {format_money(tendered)} handed over is less than the {format_money(total)} "
                           "due")
    pieces = _pieces(read, taken)
    refused = cash_only_refused(session)
    for line_index, tender_index, _ in pieces:
        line = read[line_index]
        if line.account_id is not None:
            refusal = cash_only_refusal(session.get(UtilityAccount, line.account_id), taken[tender_index].tender,
                                        refused)
            if refusal:
                raise ReceiptError(f"line {line_index + 1}: {refusal}")
    return Review(read, taken, total, tendered, tendered - total, pieces)


def _pieces(lines: list[ReviewedLine], tenders: list[ReviewedTender]) -> list[tuple[int, int, int]]:
    """Which tender pays how much of which line: in order, tenders other than cash first, cash last."""
    order = [i for i, t in enumerate(tenders) if t.tender != "cash"] + [i for i, t in enumerate(tenders)
                                                                         if t.tender == "cash"]
    left = {i: tenders[i].cents for i in order}
    pieces = []
    for line_index, line in enumerate(lines):
        owed = line.cents
        for tender_index in order:
            paid = min(owed, left[tender_index])
            if paid:
                pieces.append((line_index, tender_index, paid))
                left[tender_index] -= paid
                owed -= paid
            if not owed:
                break
    return pieces


def _accounts_paid(session: Session, lines: list[LineAsked]) -> list[int]:
    """The ids of the accounts the receipt's lines name, in order (the order their locks are taken in). A line that
    names no account locks nothing; the review under the locks says what is wrong with it."""
    numbers = {(line.reference or "").strip() for line in lines if line.kind == "account"}
    if not numbers:
        return []
    return sorted(session.scalars(select(UtilityAccount.id).where(UtilityAccount.number.in_(numbers))))


def take_receipt(session: Session, lines: list[LineAsked], tenders: list[TenderAsked], *, clerk: User, on: date,
                 now: datetime, payer: str = "", language: str = "en",
                 idempotency_key: str | None = None) -> Receipt:
    """Post a receipt into the clerk's open drawer: payments to accounts, GL lines for licenses and items.

    Paid on `on`; when that day is already closed, it is booked on the first open day.
    Sent twice with the same key, it posts once (the first receipt is handed back).
    """
    key = idempotency_key or f"receipt:{uuid.uuid4().hex}"
    earlier = session.scalar(select(Receipt).where(Receipt.idempotency_key == key))
    if earlier is not None:
        return earlier
    day = first_open_day(session, on)
    drawer = drawer_of(session, clerk, day)
    if drawer is None:
        raise ReceiptError(_no_drawer(session, clerk, day))
    for account_id in _accounts_paid(session, lines):
        ledger.lock_account(session, account_id)
    checked = review(session, lines, tenders, on=on)  # with the accounts locked: the standings as they are now
    receipt = Receipt(drawer_id=drawer.id, business_date=day, received_on=on, payer=payer.strip()[:160],
                      language=printed_in(offered(session), language), total_cents=checked.total_cents,
                      change_cents=checked.change_cents, lines=[line.printed() for line in checked.lines],
                      tenders=[t.printed() for t in checked.tenders], idempotency_key=key, status="posted",
                      actor=clerk.username, posted_at=now, void_reason="")
    try:
        with session.begin_nested():
            session.add(receipt)
            session.flush()
    except IntegrityError:
        return session.scalar(select(Receipt).where(Receipt.idempotency_key == key))
    for line_index, tender_index, cents in checked.pieces:
        line, tender = checked.lines[line_index], checked.tenders[tender_index]
        if line.account_id is not None:
            payment = Payment(account_id=line.account_id, amount_cents=cents, tender=tender.tender, source="counter",
                              received_on=on, check_number=tender.check_number,
                              idempotency_key=f"{key}:{line_index}:{tender_index}", drawer_id=drawer.id,
                              receipt_id=receipt.id, status="posted", actor=clerk.username, posted_at=now)
            session.add(payment)
            session.flush()
            ledger.post_payment(session, payment, now=now)
    for line in checked.lines:
        if line.account_id is None:
            _post_line(session, receipt, line, on=on, now=now, actor=clerk.username)
    audit.record(session, actor=clerk.username, action="receipt.take", subject_type="receipt", subject_id=receipt.id,
                 at=now, detail={"number": receipt.number, "drawer_id": drawer.id, "total": format_money(receipt.total_cents),
                                 "change": format_money(receipt.change_cents), "lines": receipt.lines,
                                 "tenders": receipt.tenders})
    return receipt


def _no_drawer(session: Session, clerk: User, day: date) -> str:
    """Why the clerk's counter takes nothing on the day: no drawer, or it is counted or closed."""
    latest = session.scalar(select(CashDrawer).where(CashDrawer.clerk_id == clerk.id, CashDrawer.business_date == day)
                            .order_by(CashDrawer.id.desc()).limit(1))
    if latest is not None:
        return (f"{clerk.username}'s drawer {latest.id} for {day.isoformat()} is {latest.status}: it takes nothing "
                "more; open a new drawer on the drawer page")
    return f"{clerk.username} has no open cash drawer for {day.isoformat()}; open one on the drawer page first"


def _post_line(session: Session, receipt: Receipt, line: ReviewedLine, *, on: date, now: datetime,
               actor: str) -> GlEntry:
    """The GL line of a license fee or miscellaneous item: credit its revenue account, debit its fund's cash."""
    chart = chart_of(get_city(session).chart_of_accounts)
    if line.license_id is not None:
        (fund, account), kind = chart.license_fees, "license_fee"
        lic = session.get(License, line.license_id)
        lic.fee_paid_cents += line.cents
        description = f"License fee {line.reference} ({line.name})"
    else:
        fund, account, kind = line.category.fund, line.category.account, "misc"
        description = f"{line.category.label}" + (f": {line.memo}" if line.memo else "")
    offset_fund, offset_account = chart.cash_of(fund)
    return post_gl(session, GlPosting(kind, fund, account, offset_fund, offset_account, -line.cents, on),
                   now=now, actor=actor, description=description, reference=receipt.number, receipt_id=receipt.id,
                   drawer_id=receipt.drawer_id, license_id=line.license_id)


def post_counter_payment(session: Session, *, account_id: int, amount, tender: str, clerk: User, on: date,
                         now: datetime, check_number: str = "", idempotency_key: str | None = None) -> Payment:
    """One account paid with one tender: a receipt of one line; its payment."""
    account = session.get(UtilityAccount, account_id)
    if account is None:
        raise ReceiptError(f"no utility account with id {account_id}")
    receipt = take_receipt(session, [LineAsked("account", account.number, amount)],
                           [TenderAsked(tender, amount, check_number)], clerk=clerk, on=on, now=now,
                           idempotency_key=idempotency_key)
    return session.scalars(select(Payment).where(Payment.receipt_id == receipt.id).order_by(Payment.id)).first()


# --- voids -----------------------------------------------------------------------------------


def void_receipt(session: Session, receipt_id: int, *, user: User, reason: str, today: date,
                 now: datetime) -> Receipt:
    """A supervisor voids a receipt the same business day, its drawer still open: every entry is reversed."""
    receipt = session.get(Receipt, receipt_id, with_for_update=True)
    if receipt is None:
        raise ReceiptError(f"there is no receipt {receipt_number(receipt_id)}")
    if user.role not in SUPERVISORS:
        raise ReceiptError(f"only a supervisor may void a receipt; {user.username} is a {user.role}")
    reason = (reason or "").strip()
    if not reason:
        raise ReceiptError("reason: say why the receipt is voided")
    if receipt.status == "voided":
        raise ReceiptError(f"receipt {receipt.number} was already voided by {receipt.voided_by}")
    day = first_open_day(session, today)
    if receipt.business_date != day:
        raise ReceiptError(f"receipt {receipt.number} is of {receipt.business_date.isoformat()}; a receipt is voided "
                           f"only on its own business day ({day.isoformat()} now)")
    drawer = session.get(CashDrawer, receipt.drawer_id)
    if drawer.status != "open":
        raise ReceiptError(f"receipt {receipt.number}: drawer {drawer.id} is already {drawer.status}; "
                           "a receipt is voided before its drawer is counted")
    payments = list(session.scalars(select(Payment).where(Payment.receipt_id == receipt.id).order_by(Payment.id)))
    returned = [p.id for p in payments if p.status != "posted"]
    if returned:
        raise ReceiptError(f"receipt {receipt.number}: payment {returned[0]} was returned; it cannot be voided")
    why = f"void of receipt {receipt.number}: {reason}"
    try:
        for payment in payments:
            entry = session.scalar(select(LedgerEntry).where(LedgerEntry.payment_id == payment.id,
                                                             LedgerEntry.kind == "payment"))
            ledger.reverse(session, entry.id, on=receipt.received_on, now=now, actor=user.username, reason=why)
            payment.status = "voided"
        for entry in session.scalars(select(GlEntry).where(GlEntry.receipt_id == receipt.id,
                                                           GlEntry.kind != "reversal").order_by(GlEntry.id)):
            reverse_gl(session, entry, on=receipt.received_on, now=now, actor=user.username, reason=why)
            if entry.license_id is not None:
                session.get(License, entry.license_id).fee_paid_cents -= -entry.amount_cents
    except LedgerError as bad:
        raise ReceiptError(str(bad)) from None
    receipt.status, receipt.voided_by, receipt.voided_at, receipt.void_reason = "voided", user.username, now, reason[:200]
    session.flush()
    audit.record(session, actor=user.username, action="receipt.void", subject_type="receipt", subject_id=receipt.id,
                 at=now, detail={"number": receipt.number, "reason": reason, "total": format_money(receipt.total_cents)})
    return receipt


def receipt_by_number(session: Session, number: str) -> Receipt | None:
    """The receipt with this number ('R-000123', or its digits), or None."""
    digits = number.strip().upper().removeprefix("R-").removeprefix("R")
    return session.get(Receipt, int(digits)) if is_digits(digits) and len(digits) <= 12 else None


def receipt_data(receipt: Receipt, *, city: dict, clerk: str, timezone: str) -> dict:
    """What a printed receipt shows, as text (amounts as dollars, dates ISO, the time in the city's zone)."""
    posted = receipt.posted_at.astimezone(zone(timezone))
    tendered = sum(t["cents"] for t in receipt.tenders)
    return {"number": receipt.number, "city": city, "received_on": receipt.received_on.isoformat(),
            "posted_time": posted.strftime("%I:%M %p").lstrip("0"), "drawer_id": receipt.drawer_id, "clerk": clerk,
            "payer": receipt.payer,
            "lines": [{**line, "amount": money_text(line["cents"])} for line in receipt.lines],
            "tenders": [{**t, "amount": money_text(t["cents"])} for t in receipt.tenders],
            "total": money_text(receipt.total_cents), "tendered": money_text(tendered),
            "change": money_text(receipt.change_cents), "voided": receipt.status == "voided",
            "voided_by": receipt.voided_by or "", "void_reason": receipt.void_reason}
