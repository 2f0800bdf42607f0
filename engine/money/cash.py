"""Cash drawers and the business day: open with a float, count by tender, balance, close; GL export.

A clerk opens one drawer per business day with a starting amount of cash; counter payments
post into it. At the end of the day the clerk counts each tender; the balancing report puts
the expected amount (the float plus the cash taken, the checks, the card slips) beside the
counted one. A supervisor closes the day once every drawer is counted, and days close in
order (engine.money.business_days); the day's GL export and daily receipts are kept as they
are at the close and never change after. The general-ledger export for a day turns each of
the day's ledger entries (and deposits taken) into balanced debit and credit lines by fund
and account code (engine.chart_of_accounts: the city's chart of accounts).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import audit
from engine.audit_checkpoints import CheckpointWriter
from engine.city import duty_refusal, get_city
from engine.money import business_days, closing, reports
from engine.money import money_text, to_cents
from engine.chart_of_accounts import chart_of
from engine.money.gate import GlPosting
from engine.money.ledger.general import post_gl
from engine.money.ledger.journal import COUNTER_JOURNAL_COLUMNS, counter_journal
from engine.store.models import CashDrawer, Payment, Receipt, User

COUNTED_TENDERS = ("cash", "check", "card", "money_order")
SUPERVISORS = ("supervisor", "admin")
# The blind count's bills and coins: (key, cents, what the count form calls it).
DENOMINATIONS = (("bill_100", 10000, "$100 bills"), ("bill_50", 5000, "$50 bills"), ("bill_20", 2000, "$20 bills"),
                 ("bill_10", 1000, "$10 bills"), ("bill_5", 500, "$5 bills"), ("bill_2", 200, "$2 bills"),
                 ("bill_1", 100, "$1 bills"), ("coin_100", 100, "Dollar coins"), ("coin_50", 50, "Half dollars"),
                 ("coin_25", 25, "Quarters"), ("coin_10", 10, "Dimes"), ("coin_5", 5, "Nickels"),
                 ("coin_1", 1, "Pennies"))
MOST_PIECES = 100_000  # of one denomination in one drawer


class CashError(ValueError):
    """A drawer or day action that is refused, with a message a clerk can read."""


def open_drawer(session: Session, *, clerk: User, business_date: date, opening: Decimal, now: datetime) -> CashDrawer:
    """Open the clerk's drawer for the day with a starting amount of cash."""
    if opening < 0:
        raise CashError("the starting amount cannot be negative")
    if day_is_closed(session, business_date):
        raise CashError(f"the business day {business_date} is closed")
    if drawer_of(session, clerk, business_date) is not None:
        raise CashError(f"{clerk.username} already has an open drawer for {business_date}")
    drawer = CashDrawer(clerk_id=clerk.id, business_date=business_date, opening_cents=to_cents(opening),
                        opened_at=now, status="open")
    session.add(drawer)
    session.flush()
    audit.record(session, actor=clerk.username, action="cash.drawer_open", subject_type="cash_drawer",
                 subject_id=drawer.id, detail={"business_date": business_date, "opening": str(opening)}, at=now)
    return drawer


def drawer_of(session: Session, clerk: User, business_date: date) -> CashDrawer | None:
    """The clerk's open drawer for the day, if any."""
    return session.scalar(select(CashDrawer).where(CashDrawer.clerk_id == clerk.id,
                                                   CashDrawer.business_date == business_date,
                                                   CashDrawer.status == "open"))


def day_is_closed(session: Session, business_date: date) -> bool:
    """True once a supervisor has closed the business day (or a later one: days close in order)."""
    return business_days.is_closed(session, business_date)


def counter_day(session: Session, today: date) -> date:
    """The business day the counter works in: today, or the first open day when today is already closed."""
    return business_days.first_open_day(session, today)


@dataclass(frozen=True)
class BlindCount:
    """A drawer counted without its expected totals: bills and coins by piece, each check, card and money orders."""

    denominations: dict[str, int]
    checks: list[tuple[str, Decimal]]
    card: Decimal = Decimal(0)
    money_order: Decimal = Decimal(0)

    def counted(self) -> dict[str, Decimal]:
        """The amounts counted by tender."""
        worth = {key: cents for key, cents, _ in DENOMINATIONS}
        cash = sum(worth[key] * pieces for key, pieces in self.denominations.items())
        return {"cash": Decimal(cash) / 100, "check": sum((amount for _, amount in self.checks), Decimal(0)),
                "card": self.card, "money_order": self.money_order}

    def detail(self) -> dict:
        """The count as entered, as the drawer keeps it."""
        return {"denominations": {key: self.denominations.get(key, 0) for key, _, _ in DENOMINATIONS},
                "checks": [{"number": number, "cents": to_cents(amount)} for number, amount in self.checks]}


def check_blind_count(count: BlindCount) -> None:
    """Refuse a count with an unknown denomination, a negative or impossible number of pieces, or a bad check."""
    known = {key for key, _, _ in DENOMINATIONS}
    for key, pieces in count.denominations.items():
        if key not in known:
            raise CashError(f"unknown denomination {key!r}")
        if type(pieces) is not int or not 0 <= pieces <= MOST_PIECES:
            label = next(name for k, _, name in DENOMINATIONS if k == key)
            raise CashError(f"{label}: a number of pieces from 0 to {MOST_PIECES:,}, not {pieces!r}")
    for number, (check_number, amount) in enumerate(count.checks, 1):
        if not check_number.strip() or len(check_number) > 32:
            raise CashError(f"check {number}: enter its number (at most 32 characters)")
        if amount <= 0:
            raise CashError(f"check {number} ({check_number}): an amount more than $0.00")


def count_blind(session: Session, drawer_id: int, count: BlindCount, *, user: User, now: datetime) -> CashDrawer:
    """Record a blind count (denominations, each check); the variance posts to over/short."""
    check_blind_count(count)
    return count_drawer(session, drawer_id, count.counted(), user=user, now=now, detail=count.detail())


def count_drawer(session: Session, drawer_id: int, counted: dict[str, Decimal], *, user: User,
                 now: datetime, detail: dict | None = None) -> CashDrawer:
    """Record the amounts counted by tender; the drawer takes no more payments after this.

    The drawer's variance (counted less expected, every tender) posts to the over/short GL
    account on the drawer's day, as a GL line through the gate.
    """
    drawer = session.get(CashDrawer, drawer_id, with_for_update=True)
    if drawer is None:
        raise CashError(f"no cash drawer {drawer_id}")
    if drawer.status != "open":
        raise CashError(f"drawer {drawer_id} is already {drawer.status}")
    if user.id != drawer.clerk_id and user.role not in SUPERVISORS:
        raise CashError("only the drawer's clerk or a supervisor may count it")
    unknown = set(counted) - set(COUNTED_TENDERS)
    if unknown:
        raise CashError(f"unknown tender {sorted(unknown)[0]!r}; count {', '.join(COUNTED_TENDERS)}")
    if any(amount < 0 for amount in counted.values()):
        raise CashError("a counted amount cannot be negative")
    drawer.counted = {tender: to_cents(counted.get(tender, Decimal(0))) for tender in COUNTED_TENDERS}
    drawer.count_detail = detail
    drawer.counted_at, drawer.status = now, "counted"
    session.flush()
    expected = expected_by_tender(session, drawer)
    variance = sum(drawer.counted[t] - expected[t] for t in COUNTED_TENDERS)
    audit.record(session, actor=user.username, action="cash.drawer_count", subject_type="cash_drawer",
                 subject_id=drawer.id, detail={"counted": drawer.counted, **({"count": detail} if detail else {}),
                                               "variance": money_text(variance)}, at=now)
    if variance:
        chart = chart_of(get_city(session).chart_of_accounts)
        fund, account = chart.over_short
        post_gl(session, GlPosting("over_short", fund, account, *chart.cash_of(fund), -variance, drawer.business_date),
                now=now, actor=user.username, reference=f"drawer {drawer.id}", drawer_id=drawer.id,
                description=f"Cash {'over' if variance > 0 else 'short'}: drawer {drawer.id} of {user.username}")
    return drawer


@dataclass(frozen=True)
class TenderBalance:
    """One line of a balancing report: what should be in the drawer, what was counted, the variance."""

    drawer_id: int
    tender: str
    expected_cents: int
    counted_cents: int | None

    @property
    def variance_cents(self) -> int | None:
        """Counted less expected: negative when the drawer is short, positive when over."""
        return None if self.counted_cents is None else self.counted_cents - self.expected_cents

    def row(self) -> dict:
        """The line as the report prints it (dollars)."""
        counted = "" if self.counted_cents is None else money_text(self.counted_cents)
        variance = "" if self.variance_cents is None else money_text(self.variance_cents)
        return {"drawer": self.drawer_id, "tender": self.tender, "expected": money_text(self.expected_cents),
                "counted": counted, "variance": variance}


def expected_by_tender(session: Session, drawer: CashDrawer) -> dict[str, int]:
    """What the drawer should hold: the float plus cash kept (change given back), and each other tender's total.

    Receipts count by the tenders handed over (a voided receipt's were handed back); a
    payment taken before receipts (none has a receipt) counts by its own tender.
    """
    before_receipts = dict(session.execute(select(Payment.tender, func.sum(Payment.amount_cents))
                                           .where(Payment.drawer_id == drawer.id, Payment.receipt_id.is_(None))
                                           .group_by(Payment.tender)).all())
    expected = {tender: int(before_receipts.get(tender, 0)) for tender in COUNTED_TENDERS}
    for tenders, change in session.execute(select(Receipt.tenders, Receipt.change_cents)
                                           .where(Receipt.drawer_id == drawer.id, Receipt.status == "posted")):
        for tender in tenders:
            expected[tender["tender"]] += tender["cents"]
        expected["cash"] -= change
    expected["cash"] += drawer.opening_cents
    return expected


def balancing(session: Session, business_date: date) -> list[TenderBalance]:
    """The day's balancing report: every drawer's tenders, expected against counted."""
    lines = []
    for drawer in session.scalars(select(CashDrawer).where(CashDrawer.business_date == business_date)
                                  .order_by(CashDrawer.id)):
        expected = expected_by_tender(session, drawer)
        for tender in COUNTED_TENDERS:
            counted = drawer.counted.get(tender) if drawer.counted else None
            lines.append(TenderBalance(drawer.id, tender, expected[tender], counted))
    return lines


def close_day(session: Session, business_date: date, *, user: User, now: datetime,
              checkpoint: CheckpointWriter | None = None) -> list[CashDrawer]:
    """Whom the city lets (`day_close` duty roles; supervisors by default) closes the business day: in order,
    every drawer counted; its export and receipts are kept.

    The audit log is sealed after (a checkpoint), when a checkpoint writer is given.
    """
    refused = duty_refusal(session, role=user.role, username=user.username, duty="day_close")
    if refused:
        raise CashError(refused)
    business_days.hold_books_for_close(session)
    refusal = business_days.refusal_to_close(session, business_date)
    if refusal:
        raise CashError(refusal)
    drawers = list(session.scalars(select(CashDrawer).where(CashDrawer.business_date == business_date)
                                   .with_for_update()))
    still_open = [d.id for d in drawers if d.status == "open"]
    if still_open:
        raise CashError(f"drawers {', '.join(map(str, still_open))} are still open; count them before closing the day")
    variance = sum(line.variance_cents or 0 for line in balancing(session, business_date))
    for drawer in drawers:
        drawer.status, drawer.closed_by_id, drawer.closed_at = "closed", user.id, now
    session.flush()
    closing.keep_closed_day(session, business_date, receipts=reports.daily_receipts(session, business_date),
                            receipt_columns=reports.RECEIPT_COLUMNS, closed_by_id=user.id, now=now)
    audit.record(session, actor=user.username, action="cash.day_close", subject_type="business_day",
                 subject_id=business_date.isoformat(),
                 detail={"drawers": [d.id for d in drawers], "variance": money_text(variance)}, at=now)
    if checkpoint is not None:
        checkpoint(session, now=now, reason=f"day close {business_date.isoformat()}")
    return drawers


def gl_export(session: Session, business_date: date) -> list[dict]:
    """The day's journal by fund and account: debits and credits that balance, in dollars (as kept, once closed)."""
    return closing.rows_of_csv(gl_export_csv(session, business_date))


def gl_export_csv(session: Session, business_date: date) -> bytes:
    """The day's GL export as CSV bytes: for a closed day, exactly the bytes kept at its close."""
    return closing.gl_export_csv(session, business_date)


def export_gl(session: Session, business_date: date, *, user: User, now: datetime) -> bytes:
    """The day's GL export for a person the city lets take it (its `gl_export` duty roles; supervisors and
    administrators by default), with an audit row naming them and the digest of the bytes they took.

    A CashError names who may when the city does not let them; nothing is recorded then.
    """
    if not user.active:
        raise CashError(f"{user.username} is not an active user")
    refused = duty_refusal(session, role=user.role, username=user.username, duty="gl_export")
    if refused:
        raise CashError(refused)
    data = gl_export_csv(session, business_date)
    audit.record(session, actor=user.username, action="cash.gl_export", subject_type="business_day",
                 subject_id=business_date.isoformat(),
                 detail={"closed": day_is_closed(session, business_date), "bytes": len(data),
                         "sha256": hashlib.sha256(data).hexdigest()}, at=now)
    return data


def counter_journal_csv(session: Session, business_date: date) -> bytes:
    """The day's counter journal by receipt number, as CSV bytes."""
    return closing.csv_bytes(counter_journal(session, business_date), COUNTER_JOURNAL_COLUMNS)
