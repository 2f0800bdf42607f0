"""The posting gate: every entry that reaches an account's ledger is admitted here first.

A single posting (`engine.money.ledger.posting.post`), and so every payment, fee, adjustment,
refund, write-off, deposit credit and reversal built on it, passes through `admit_all`; the
billing run's bulk charges (`engine.money.ledger.bulk.post_charges`) through `admit_many`,
the same checks made a column at a time. It checks
what every entry must be, whoever asks for it, and says where each entry goes in the
chart of accounts. Refusals are `LedgerError`s with a message a clerk can read; the gate
writes nothing, so a refused posting changes nothing.

Two things it needs of the city's books come in as `Books`, read once per batch by
`engine.money.business_days.books` (the gate itself reads no database):

- the ceilings: no entry may be more than its kind's ceiling (a payment: the highest payment
  ceiling; a reversal: the most Ordinance keeps, since it mirrors an entry admitted before);
- the latest closed day: an entry dated on or before it is not refused but booked on the
  next open day, its own date kept as `dated_on`. A closed day never changes.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from engine.money.amounts import format_money, round_money, to_cents
from engine.money.bounds import LARGEST, Ceiling, MoneyLimits
from engine.chart_of_accounts import SAMPLE, Chart
from engine.numerals import is_digits

OWES_MORE = ("charge", "fee", "refund")              # the customer owes more: a positive amount
OWES_LESS = ("payment", "write_off", "deposit")      # paid or credited: a negative amount


class LedgerError(ValueError):
    """A posting that the ledger refuses, with a message a clerk can read."""


@dataclass(frozen=True)
class Reversed:
    """The entry a reversal undoes: its id, amount and where it was booked."""

    entry_id: int
    cents: int
    fund: str
    gl_account: str


@dataclass(frozen=True)
class Posting:
    """One entry as a service asks for it: signed whole cents (positive = the customer owes more).

    An adjustment may name its offset (fund, account): its reason code's (engine.adjustment_reasons);
    without one it is booked to billing adjustments. No other kind names its own.
    """

    account_id: int
    kind: str
    cents: int
    on: date
    reverses: Reversed | None = None
    offset: tuple[str, str] | None = None


@dataclass(frozen=True)
class Books:
    """What the gate knows of the city's books for one batch: the ceilings, the latest closed day, the chart of
    accounts (where each kind's offset is booked)."""

    limits: MoneyLimits
    closed_through: date | None = None
    chart: Chart = SAMPLE

    def booking_day(self, on: date) -> date:
        """The day an entry dated `on` is booked: `on` itself, or the first open day after the closed ones."""
        if self.closed_through is None or on > self.closed_through:
            return on
        return self.closed_through + timedelta(days=1)

    def ceiling(self, kind: str) -> Ceiling:
        """The most one entry of this kind may be."""
        if kind == "payment":
            return self.limits.payments()
        if kind in ("charge", "fee", "deposit"):
            return self.limits.ceiling("rule_amount")
        if kind in ("refund", "adjustment"):
            return self.limits.ceiling(kind)
        if kind == "reversal":
            return LARGEST
        return self.limits.largest()


NEW_BOOKS = Books(MoneyLimits())  # a city with the default ceilings and chart that has closed no day (the sample city)
KINDS_BOOKED = ("charge", "fee", "payment", "refund", "adjustment", "write_off", "deposit")  # each with its offset


@dataclass(frozen=True)
class Admitted:
    """A posting the gate let through: whole cents, the (fund, account) of its offset, the day it is booked."""

    posting: Posting
    cents: int
    fund: str
    gl_account: str
    on: date | None = None          # the day it is booked (effective_on)
    dated_on: date | None = None    # its own date, when that day was closed and it was booked later


GL_KINDS = ("license_fee", "misc", "over_short")  # GL lines that are no customer's (engine.store.models.GlEntry)


@dataclass(frozen=True)
class GlPosting:
    """One GL line as a service asks for it: signed cents on (fund, account) (+ debit, - credit); the offset opposite.

    A reversal names the line it undoes (`reverses`: its id and cents) and must be its exact opposite.
    """

    kind: str
    fund: str
    gl_account: str
    offset_fund: str
    offset_account: str
    cents: int
    on: date
    reverses: tuple[int, int] | None = None


@dataclass(frozen=True)
class AdmittedGl:
    """A GL line the gate let through, with the day it is booked (the next open day if its own is closed)."""

    posting: GlPosting
    on: date
    dated_on: date | None = None


def admit_gl(postings: Sequence[GlPosting], books: Books) -> list[AdmittedGl]:
    """Admit every GL line or refuse the first that may not be posted (nothing is admitted then)."""
    return [_admit_gl(posting, books) for posting in postings]


def _admit_gl(posting: GlPosting, books: Books) -> AdmittedGl:
    """One GL line: whole cents, not $0.00, a known kind, fund and account codes, within the largest amount."""
    cents = posting.cents
    if type(cents) is not int:
        raise LedgerError(f"{cents!r} is not a whole number of cents")
    if posting.kind == "reversal":
        if posting.reverses is None or cents != -posting.reverses[1]:
            raise LedgerError("a reversal must reverse one GL line by its exact opposite amount")
    elif posting.kind not in GL_KINDS:
        raise LedgerError(f"unknown kind of GL line {posting.kind!r}")
    if cents == 0:
        raise LedgerError(f"a {posting.kind.replace('_', ' ')} of $0.00 posts nothing")
    for code in (posting.fund, posting.gl_account, posting.offset_fund, posting.offset_account):
        if not (is_digits(code) and len(code) <= 12):
            raise LedgerError(f"GL code {code!r} is not a fund or account number")
    ceiling = books.ceiling("reversal" if posting.kind == "reversal" else posting.kind)
    if abs(cents) > ceiling.cents:
        raise LedgerError(f"amount: {ceiling.refusal()}; this GL line is {format_money(abs(cents))}")
    booked_on = books.booking_day(posting.on)
    return AdmittedGl(posting, booked_on, posting.on if booked_on != posting.on else None)


def cents_of(amount: Decimal) -> int:
    """Whole cents for an amount in dollars; refuse fractions of a cent (round with round_money first)."""
    if not amount.is_finite() or amount != round_money(amount):
        raise LedgerError(f"{amount} has fractions of a cent; amounts are posted in cents")
    return to_cents(amount)


def admit_all(postings: Sequence[Posting], books: Books) -> list[Admitted]:
    """Admit every posting or refuse the first that may not be posted (nothing is admitted then)."""
    return [_booked(_admit(posting, books.chart), books) for posting in postings]


@dataclass(frozen=True)
class AdmittedMany:
    """Postings of one kind the gate let through, as columns: each one's cents and booked day, and its own date
    when that day was closed (else None); all booked to one (fund, account)."""

    cents: list[int]
    fund: str
    gl_account: str
    on: list[date]
    dated_on: list[date | None]


def admit_many(kind: str, account_ids: Sequence[int], cents: Sequence[int], days: Sequence[date],
               books: Books) -> AdmittedMany:
    """`admit_all` for many postings of one kind that name no offset and reverse nothing, given as columns.

    The same checks (whole cents, the kind's sign, not $0.00, the kind's ceiling) made on each
    column at once, and the same booking day; when one may not be posted, the same refusal
    `admit_all` gives (the first such posting's), and nothing is admitted.
    """
    fund, gl_account = _admit_columns(kind, account_ids, cents, days, books)
    booked = {day: books.booking_day(day) for day in set(days)}
    return AdmittedMany(list(cents), fund, gl_account, [booked[day] for day in days],
                        [None if booked[day] == day else day for day in days])


def _admit_columns(kind: str, account_ids: Sequence[int], cents: Sequence[int], days: Sequence[date],
                   books: Books) -> tuple[str, str]:
    """Where every posting of the columns is booked, or the refusal of the first that may not be posted."""
    if not cents:
        return books.chart.offset_of(kind) if kind in KINDS_BOOKED else ("", "")
    if (kind in KINDS_BOOKED and all(type(amount) is int for amount in cents)
            and (min(cents) > 0 if kind in OWES_MORE else max(cents) < 0 if kind in OWES_LESS else 0 not in cents)
            and max(map(abs, cents)) <= books.ceiling(kind).cents):
        return books.chart.offset_of(kind)
    # One of them is refused: the postings one at a time say which, and why.
    first = admit_all([Posting(account_id, kind, amount, day) for account_id, amount, day
                       in zip(account_ids, cents, days)], books)[0]
    return first.fund, first.gl_account


def _booked(admitted: Admitted, books: Books) -> Admitted:
    """An admitted posting within its ceiling, on the day it is booked (the next open day if its own is closed)."""
    kind, ceiling = admitted.posting.kind, books.ceiling(admitted.posting.kind)
    if abs(admitted.cents) > ceiling.cents:
        raise LedgerError(f"amount: {ceiling.refusal()}; this {kind.replace('_', '-')} is "
                          f"{format_money(abs(admitted.cents))}")
    on = admitted.posting.on
    booked_on = books.booking_day(on)
    return replace(admitted, on=booked_on, dated_on=on if booked_on != on else None)


def _admit(posting: Posting, chart: Chart) -> Admitted:
    """One posting checked: a known kind, the sign its kind needs, a reversal that mirrors its entry."""
    cents = posting.cents
    if type(cents) is not int:
        raise LedgerError(f"{cents!r} is not a whole number of cents")
    if posting.kind == "reversal":
        return _admit_reversal(posting, cents)
    if posting.kind not in KINDS_BOOKED:
        raise LedgerError(f"unknown kind of ledger entry {posting.kind!r}")
    _check_sign(posting.kind, cents)
    fund, gl_account = _offset(posting, chart)
    return Admitted(posting, cents, fund, gl_account)


def _offset(posting: Posting, chart: Chart) -> tuple[str, str]:
    """Where an entry's other side is booked: its kind's account in the chart, or an adjustment's own (fund and
    account codes)."""
    if posting.offset is None:
        return chart.offset_of(posting.kind)
    if posting.kind != "adjustment":
        raise LedgerError(f"a {posting.kind} is booked to its own account; only an adjustment names one")
    for code in posting.offset:
        if not (is_digits(code) and len(code) <= 12):
            raise LedgerError(f"GL code {code!r} is not a fund or account number")
    return posting.offset


def _admit_reversal(posting: Posting, cents: int) -> Admitted:
    """A reversal is booked where its entry was, for exactly the opposite amount."""
    undone = posting.reverses
    if undone is None or cents != -undone.cents:
        raise LedgerError("a reversal must reverse one entry by its exact opposite amount")
    return Admitted(posting, cents, undone.fund, undone.gl_account)


def _check_sign(kind: str, cents: int) -> None:
    """Refuse an amount whose sign does not fit the kind of entry."""
    if cents == 0:
        raise LedgerError(f"a {kind} of $0.00 posts nothing")
    if kind in OWES_MORE and cents < 0:
        raise LedgerError(f"a {kind} is a positive amount (it adds to what is owed)")
    if kind in OWES_LESS and cents > 0:
        raise LedgerError(f"a {kind} is a negative amount (it reduces what is owed)")
