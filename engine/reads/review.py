"""Meter reads reviewed before billing: each read against the account's history, by the city's `meter-reads` rule.

A read is checked when it comes in (a reads import, or a billing run's file) against the
account's trusted reads (accepted or estimated): its use above `high` x the average, or above
zero and below `low` x; zero use; a reading below the previous one (a rollover when wrapping
at the meter's dials gives a use that is not itself high, else negative use); a read the
reader marked as estimated. A read that passes is `accepted` by the rules; one that does not
is held `to_review` with every reason in words, until a clerk accepts it, sends it back to
the field (`reread`), or estimates it. A missing read (an active account of the cycle with no
read for the period) is estimated by the rule: the average use of the reads of the last
`estimate.months` months, whole CCF rounded half up. Only `accepted` and `estimated` reads are
billed (engine.money.billing). Everything here writes an audit row; nothing commits.

The average is worked out here from the reads, not by a measure (kind: measure): measures
aggregate the ledger's and the cases' streams (count, sum of money, dates), and a meter's
use is neither money nor one of their streams.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from engine.rules.errors import EvaluationError
from engine.rules.kinds.meter_reads import KIND as METER_READS, MeterReadsResult
from engine.rules.months import months_later_or_month_end, period_words
from engine.rules.services import the_document
from engine.store.meters import Meter
from engine.store.models import Customer, MeterRead, Notice, Property, UtilityAccount

TO_REVIEW, ACCEPTED, REREAD, ESTIMATED = "to_review", "accepted", "reread", "estimated"
STATUSES = (TO_REVIEW, ACCEPTED, REREAD, ESTIMATED)
BILLABLE = (ACCEPTED, ESTIMATED)  # the statuses a billing run bills
WAITING = (TO_REVIEW, REREAD)  # held: not billed until a clerk decides, or the reread comes in
STATUS_WORDS = {TO_REVIEW: "To review", ACCEPTED: "Accepted", REREAD: "Reread requested", ESTIMATED: "Estimated"}
BY_RULES = "meter-reads rules"  # who accepted a read that passed every check
ESTIMATED_SOURCE = "estimate"
LEAK_LETTER = "leak-letter"  # the notice type (engine.notices.catalog)


@dataclass(frozen=True)
class ReadRow:
    """One parsed line of a reads file (a billing run's, or an import's)."""

    line: int
    account_number: str
    read_on: date
    reading: int | None
    consumption: int | None
    reader_estimated: bool = False


def missing_columns(columns: Iterable[str]) -> str | None:
    """Why a reads CSV's header will not do (None: it will): the billing run's and the import's one check."""
    found = {name.strip() for name in columns}
    if "account_number" in found and "read_on" in found and found & {"reading", "consumption"}:
        return None
    return ("the reads file needs a header with account_number, read_on and reading (or consumption); "
            f"found {sorted(found) or 'no header'}")


class ReadError(ValueError):
    """A review step that cannot be taken; the message says why."""


class Read(Protocol):
    """A stored read as the checks see it."""

    read_on: date
    reading: int
    consumption_ccf: int


def read_policy(library, as_of: date) -> MeterReadsResult:
    """The city's meter-reads document (its one document of that kind, whatever its id) in force on the day; an
    EvaluationError saying what it is for when the city has none."""
    document = the_document(library, METER_READS.name)
    if document is None:
        raise EvaluationError("the city has no meter-reads document (kind: meter-reads: how reads are reviewed "
                              "before billing, estimated, read from handheld files, and when a leak letter goes)")
    return library.evaluate(document.id, {}, as_of)


@lru_cache(maxsize=256)  # a run's reads share a few days
def _since(read_on: date, months: int) -> date:
    """The first day of a window of `months` months ending the day before read_on."""
    return months_later_or_month_end(read_on, -months)


def average_use(history: Sequence[Read], read_on: date, months: int, at_least: int) -> Decimal | None:
    """The mean use of the trusted reads of the `months` months before read_on (0.1 CCF), or None with too few."""
    since = _since(read_on, months)
    uses = [r.consumption_ccf for r in history if since <= r.read_on < read_on]
    if len(uses) < at_least:
        return None
    return (Decimal(sum(uses)) / len(uses)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Review:
    """What the checks make of one read: its use, the checks that hold it (code, words), the average, a leak."""

    consumption: int
    held: tuple[tuple[str, str], ...]
    average: Decimal | None
    leak: bool

    @property
    def check(self) -> str | None:
        """The first check that holds it (None: it passed)."""
        return self.held[0][0] if self.held else None

    @property
    def reason(self) -> str | None:
        """Every reason it is held, in words."""
        return "; ".join(words for _, words in self.held) or None


def _times(used: int, average: Decimal) -> str:
    """How many times the average a use is, in words (5.3 times)."""
    return f"{(Decimal(used) / average).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)} times"


def review_read(policy: MeterReadsResult, *, read_on: date, reading: int | None, consumption: int | None,
                previous: Read | None, history: Sequence[Read], reader_estimated: bool = False,
                dials: int | None = None) -> Review:
    """Check one read against the account's trusted history (ascending); `dials` from the meter, else the rule's."""
    average = average_use(history, read_on, policy.history_months, policy.history_at_least)
    months = policy.history_months
    held: list[tuple[str, str]] = []
    dials = dials or policy.dials
    wrap = 10 ** dials
    if reading is not None and previous is not None and reading < previous.reading:
        rolled = wrap - previous.reading + reading if previous.reading < wrap and reading < wrap else None
        plausible = rolled is not None and (rolled <= policy.high * average if average else rolled < wrap // 10)
        if plausible:
            used = rolled
            held.append(("rollover", f"Meter rollover: reading {reading:,} is below the previous reading "
                                     f"{previous.reading:,} of {previous.read_on}; past {wrap - 1:,} on "
                                     f"{dials} dials the meter turned over, for a use of {used:,} CCF"))
        else:
            used = reading - previous.reading
            held.append(("negative", f"Negative use: reading {reading:,} is below the previous reading "
                                     f"{previous.reading:,} of {previous.read_on} ({used:,} CCF), and a "
                                     f"turn-over of its {dials} dials would not give a believable use"))
    else:
        used = consumption if reading is None or previous is None else reading - previous.reading
    if used == 0 and policy.zero == "hold":
        held.append(("zero", "Zero use: the meter has not moved since the previous read"
                             + (f" (the {months}-month average is {average} CCF)" if average else "")))
    if average and used > policy.high * average:
        held.append(("high", f"High use: {used:,} CCF is {_times(used, average)} the {months}-month average of "
                             f"{average} CCF (held above {policy.high} times)"))
    if average and 0 < used < policy.low * average:
        held.append(("low", f"Low use: {used:,} CCF is {_times(used, average)} the {months}-month average of "
                            f"{average} CCF (held below {policy.low} times)"))
    if reader_estimated and policy.reader_estimate == "hold":
        held.append(("reader_estimate", "Estimated by the reader in the field, not read"))
    leak = bool(average) and used >= policy.leak_letter * average
    return Review(used, tuple(held), average, leak)


def estimated_use(policy: MeterReadsResult, history: Sequence[Read], read_on: date) -> tuple[int, str]:
    """(use, how it was reached) of an estimated read on read_on, or a ReadError when too few reads are on file."""
    since = _since(read_on, policy.estimate_months)
    uses = [r.consumption_ccf for r in history if since <= r.read_on < read_on]
    if len(uses) < policy.estimate_at_least:
        raise ReadError(f"{len(uses)} read(s) in the {policy.estimate_months} months before {read_on}; "
                        f"an estimate needs at least {policy.estimate_at_least}: enter a read")
    use = int((Decimal(sum(uses)) / len(uses)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return use, (f"Estimated: the average of the {len(uses)} read(s) of the last {policy.estimate_months} months "
                 f"({', '.join(str(u) for u in uses)} CCF) is {use} CCF")


def _check_consumption(row: ReadRow, previous: Read | None) -> None:
    """A ValueError when a row cannot be a read after the account's previous one (the review judges the rest)."""
    if previous is None:
        if row.consumption is None:
            raise ValueError("no earlier read is on file for this account; give its consumption column")
        return
    if row.read_on <= previous.read_on:
        raise ValueError(f"read_on {row.read_on} is not after the latest stored read ({previous.read_on})")
    if row.reading is not None and row.consumption is not None and row.reading >= previous.reading \
            and row.consumption != row.reading - previous.reading:
        raise ValueError(f"consumption {row.consumption} does not match reading less previous reading "
                         f"({row.reading - previous.reading})")


def reviewed_row(policy: MeterReadsResult, row: ReadRow, previous: Read | None,
                 history: Sequence[Read]) -> tuple[int, Review]:
    """(reading, review) of a row of a reads file after the account's trusted history, or a ValueError."""
    _check_consumption(row, previous)
    checked = review_read(policy, read_on=row.read_on, reading=row.reading, consumption=row.consumption,
                          previous=previous, history=history, reader_estimated=row.reader_estimated)
    if previous is None:
        reading = row.reading if row.reading is not None else row.consumption
    elif row.reading is None:
        reading = (previous.reading + row.consumption) % 10 ** policy.dials
    else:
        reading = row.reading
    return reading, checked


# --- the stored reads --------------------------------------------------------------------------------------


def trusted_history(session: Session, account_ids: Iterable[int], *, before_period: str | None = None,
                    since: date | None = None) -> dict[int, list[MeterRead]]:
    """Each account's accepted and estimated reads, oldest first (other periods than before_period's own)."""
    query = select(MeterRead).where(MeterRead.account_id.in_(list(account_ids)),
                                    MeterRead.review_status.in_(BILLABLE))
    if before_period:
        query = query.where(MeterRead.period != before_period)
    if since:
        query = query.where(MeterRead.read_on >= since)
    found: dict[int, list[MeterRead]] = defaultdict(list)
    for read in session.scalars(query.order_by(MeterRead.read_on)):
        found[read.account_id].append(read)
    return found


def _audit(session: Session, read: MeterRead, action: str, actor: str, now: datetime, **detail: Any) -> None:
    """One audit row of a review step."""
    audit.record(session, actor=actor, action=f"read.{action}", subject_type="meter_read", subject_id=read.id,
                 detail={"account_id": read.account_id, "period": read.period, "reading": read.reading,
                         "consumption_ccf": read.consumption_ccf, "status": read.review_status, **detail}, at=now)


def _read(session: Session, read_id: int) -> MeterRead:
    """The stored read, or a ReadError."""
    read = session.get(MeterRead, read_id)
    if read is None:
        raise ReadError(f"no meter read numbered {read_id}")
    return read


def accept(session: Session, read_id: int, *, actor: str, now: datetime) -> MeterRead:
    """A clerk accepts a held read as read: it will be billed. Negative use cannot be accepted.

    Whether it earns a leak letter is `leak_average`'s answer (the letter: engine.accounts.read_letters).
    """
    read = _read(session, read_id)
    if read.review_status not in WAITING:
        raise ReadError(f"the read of {read.period} is {STATUS_WORDS[read.review_status].lower()}, not waiting")
    if read.consumption_ccf < 0:
        raise ReadError(f"a use of {read.consumption_ccf} CCF cannot be billed: send the meter for a reread, "
                        "or estimate the read")
    read.review_status, read.reviewed_by, read.reviewed_at = ACCEPTED, actor, now
    session.flush()
    _audit(session, read, "accepted", actor, now, reason=read.review_reason)
    return read


def leak_average(session: Session, library, read: MeterRead) -> Decimal | None:
    """The account's average when the read's use is at least the rule's leak factor times it (else None)."""
    policy, history = _policy_and_history(session, library, read.account_id, read.period, read.read_on)
    average = average_use(history, read.read_on, policy.history_months, policy.history_at_least)
    return average if average and read.consumption_ccf >= policy.leak_letter * average else None


def leak_letters_of(session: Session, period: str) -> list[Notice]:
    """The leak letters of a month, in the order they were made."""
    return list(session.scalars(select(Notice).where(Notice.notice_type == LEAK_LETTER, Notice.period == period)
                                .order_by(Notice.id)))


def send_to_reread(session: Session, read_id: int, *, actor: str, now: datetime) -> MeterRead:
    """A clerk sends a held read back to the field: it is on the reread list and not billed."""
    read = _read(session, read_id)
    if read.review_status != TO_REVIEW:
        raise ReadError(f"the read of {read.period} is {STATUS_WORDS[read.review_status].lower()}, not to review")
    read.review_status, read.reviewed_by, read.reviewed_at = REREAD, actor, now
    session.flush()
    _audit(session, read, "reread_requested", actor, now, reason=read.review_reason)
    return read


def _policy_and_history(session: Session, library, account_id: int, period: str, read_on: date):
    """The policy on read_on, and the account's trusted reads of other periods before read_on."""
    history = [r for r in trusted_history(session, [account_id], before_period=period).get(account_id, [])
               if r.read_on < read_on]
    return read_policy(library, read_on), history


def estimate(session: Session, library, read_id: int, *, actor: str, now: datetime) -> MeterRead:
    """A clerk replaces a held read by the rule's estimate (the reading moves on from the previous by it)."""
    read = _read(session, read_id)
    if read.review_status not in WAITING:
        raise ReadError(f"the read of {read.period} is {STATUS_WORDS[read.review_status].lower()}, not waiting")
    policy, history = _policy_and_history(session, library, read.account_id, read.period, read.read_on)
    use, how = estimated_use(policy, history, read.read_on)
    was = {"reading": read.reading, "consumption_ccf": read.consumption_ccf}
    previous = history[-1] if history else None
    read.reading = ((previous.reading if previous else read.reading - read.consumption_ccf) + use) % 10 ** policy.dials
    read.consumption_ccf, read.source = use, ESTIMATED_SOURCE
    read.review_status, read.reviewed_by, read.reviewed_at = ESTIMATED, actor, now
    read.review_reason = f"{read.review_reason}. {how}" if read.review_reason else how
    session.flush()
    _audit(session, read, "estimated", actor, now, was=was, how=how, rule=policy.rule,
           rule_version=policy.version.isoformat())
    return read


def estimate_missing(session: Session, library, account_id: int, period: str, *, actor: str,
                     now: datetime) -> MeterRead:
    """An estimated read for an active account with none for the period, a month after its last read.

    The period is one a read can be missing for: after the period of the account's last trusted read (the estimate
    is dated a month after it) and not after this month (`now`'s): 9999-12 or 1900-01 is refused, not estimated.
    """
    if session.scalar(select(MeterRead.id).where(MeterRead.account_id == account_id, MeterRead.period == period)):
        raise ReadError(f"a read of {period} is already on file for this account")
    if period > f"{now:%Y-%m}":
        raise ReadError(f"{period} has not begun: a read is missing only for this month ({now:%Y-%m}) or earlier")
    account = session.get(UtilityAccount, account_id)
    if account is None or account.status != "active":
        raise ReadError("the account is not active: only an active account's missing read is estimated")
    trusted = trusted_history(session, [account_id]).get(account_id, [])
    if not trusted:
        raise ReadError("no read is on file for this account to estimate from: enter a read")
    previous = trusted[-1]
    if period <= previous.period:
        raise ReadError(f"the last read on file is of {previous.period}: a missing read to estimate is of a later "
                        f"month, not {period}")
    read_on = months_later_or_month_end(previous.read_on, 1)
    policy = read_policy(library, read_on)
    use, how = estimated_use(policy, trusted, read_on)
    read = MeterRead(account_id=account_id, period=period, read_on=read_on,
                     reading=(previous.reading + use) % 10 ** policy.dials, consumption_ccf=use,
                     source=ESTIMATED_SOURCE, review_status=ESTIMATED, review_check="missing",
                     review_reason=f"No read for {period_words(period)}. {how}", reviewed_by=actor, reviewed_at=now)
    session.add(read)
    session.flush()
    _audit(session, read, "estimated", actor, now, how=how, missing=True, rule=policy.rule,
           rule_version=policy.version.isoformat())
    return read


# --- what a clerk and the field see -------------------------------------------------------------------------


@dataclass(frozen=True)
class Exception_:
    """A read waiting for a decision, or a missing read: one row of the review page and the run's report."""

    read_id: int | None
    account_id: int
    account_number: str
    name: str
    service_address: str
    cycle: str
    period: str
    read_on: date | None
    reading: int | None
    consumption_ccf: int | None
    status: str  # to_review | reread | missing
    check: str | None
    reason: str
    reviewed_by: str | None = None  # who sent it for a reread (a read waiting for one)
    reviewed_at: datetime | None = None
    meter_number: str = ""  # the meter serving the account (the reread list: what the crew looks for)
    meter_location: str = ""
    route: str = ""  # the meter's read route (city data); "" when no meter is on file

    def as_row(self) -> dict[str, Any]:
        """The exception as a report row."""
        return {"account_number": self.account_number, "period": self.period, "read_on": self.read_on,
                "reading": self.reading, "consumption_ccf": self.consumption_ccf,
                "status": STATUS_WORDS.get(self.status, "Missing read"), "reason": self.reason}


def _accounts_query():
    """Accounts with their customer's name and service address."""
    return (select(UtilityAccount.id, UtilityAccount.number, UtilityAccount.cycle, Customer.name,
                   Property.service_address)
            .join(Customer, Customer.id == UtilityAccount.customer_id)
            .join(Property, Property.id == UtilityAccount.property_id))


def exceptions(session: Session, period: str, cycle: str | None = None, *,
               statuses: Sequence[str] = WAITING, missing: bool = True) -> list[Exception_]:
    """The period's reads waiting (to review, reread) and, with `missing`, the active accounts with no read."""
    query = (_accounts_query().add_columns(MeterRead.id.label("read_id"), MeterRead.read_on, MeterRead.reading,
                                           MeterRead.consumption_ccf, MeterRead.review_status,
                                           MeterRead.review_check, MeterRead.review_reason, MeterRead.reviewed_by,
                                           MeterRead.reviewed_at)
             .join(MeterRead, MeterRead.account_id == UtilityAccount.id)
             .where(MeterRead.period == period, MeterRead.review_status.in_(list(statuses))))
    if cycle:
        query = query.where(UtilityAccount.cycle == cycle)
    found = [Exception_(r.read_id, r.id, r.number, r.name, r.service_address, r.cycle, period, r.read_on, r.reading,
                        r.consumption_ccf, r.review_status, r.review_check, r.review_reason or "", r.reviewed_by,
                        r.reviewed_at)
             for r in session.execute(query)]
    if missing:
        found += missing_reads(session, period, cycle)
    return sorted(found, key=lambda e: (e.cycle, e.account_number))


def missing_reads(session: Session, period: str, cycle: str | None = None) -> list[Exception_]:
    """Active accounts (of the cycle) with no read for the period."""
    read = select(MeterRead.id).where(MeterRead.account_id == UtilityAccount.id, MeterRead.period == period)
    query = _accounts_query().where(UtilityAccount.status == "active", ~read.exists())
    if cycle:
        query = query.where(UtilityAccount.cycle == cycle)
    return [Exception_(None, r.id, r.number, r.name, r.service_address, r.cycle, period, None, None, None,
                       "missing", "missing", f"No read for {period_words(period)}: estimate it, or enter the read")
            for r in session.execute(query.order_by(UtilityAccount.number))]


def reread_list(session: Session, period: str | None = None) -> list[tuple[str, list[Exception_]]]:
    """The reads sent back to the field, grouped by the route of the meter serving each account (its billing cycle
    when no meter is on file), each with the meter's number and location."""
    query = (_accounts_query().add_columns(MeterRead.id.label("read_id"), MeterRead.period, MeterRead.read_on,
                                           MeterRead.reading, MeterRead.consumption_ccf, MeterRead.review_check,
                                           MeterRead.review_reason)
             .join(MeterRead, MeterRead.account_id == UtilityAccount.id)
             .where(MeterRead.review_status == REREAD))
    if period:
        query = query.where(MeterRead.period == period)
    groups: dict[str, list[Exception_]] = defaultdict(list)
    found = session.execute(query).all()
    meters: dict[int, Meter] = {}  # the meter in service for each account, as engine.accounts.meters.meter_serving
    for meter in session.scalars(select(Meter).where(Meter.account_id.in_({r.id for r in found}),
                                                     Meter.removed_on.is_(None)).order_by(Meter.id)):
        meters[meter.account_id] = meter  # the latest installed wins
    for r in found:
        meter = meters.get(r.id)
        route = meter.route if meter is not None else ""
        group = f"Route {route}" if route else f"Cycle {r.cycle}"
        groups[group].append(Exception_(r.read_id, r.id, r.number, r.name, r.service_address, r.cycle, r.period,
                                        r.read_on, r.reading, r.consumption_ccf, REREAD, r.review_check,
                                        r.review_reason or "", meter_number=meter.number if meter else "",
                                        meter_location=meter.location if meter else "", route=route))
    return [(group, sorted(rows, key=lambda e: (e.service_address, e.account_number)))
            for group, rows in sorted(groups.items())]
