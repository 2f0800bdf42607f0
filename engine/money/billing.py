"""The billing run: meter reads in, bills out, charges posted; bad rows reported by line number.

The reads file is CSV with a header row (UTF-8, comma-separated, one read per line):

    account_number,read_on,reading
    100-000123,2026-02-26,48213

- `account_number`: the utility account's number.
- `read_on`: the day the meter was read, ISO (YYYY-MM-DD).
- `reading`: the meter's cumulative register in whole CCF; consumption is this reading less
  the account's previous one. A file may carry a `consumption` column (whole CCF) instead,
  or as well: with both, they must agree; with no earlier read on file, it is required.

The service period runs from the day after the previous read through this read's day (a
first bill, with no earlier read, as the rate schedule's `proration:` block says), and the
rate schedule prorates it by days across a rate change and, when it is shorter or longer
than a whole period, by its partial-period rule. A meter exchanged since the previous read
(engine.store.meters) adds the old meter's use up to its final read to the new meter's.
`bill_one_read` prices one read the same way (stop service's final bill). Rows are billed in
chunks, each chunk in its own transaction; an account already billed for the cycle's period
is skipped, so a second run posts nothing. A bad row (unknown or closed account, another
cycle, a duplicate read in the file or already stored, an unparsable value, a bill beyond
the city's ceiling for an amount from the rules) posts nothing and is reported with its line
number; the good rows go on.

Only reviewed reads are billed (engine.reads.review). A row of the file is checked against
the account's history by the city's `meter-reads` rule: one that passes is stored `accepted`
and billed; one that is held (high, low or zero use, a rollover or a reading below the
previous one, a reader's estimate) is stored `to_review`, not billed, and listed in the
report's exceptions. Without a file, the run bills the period's stored reads that are
accepted or estimated and not yet billed. Either way the report lists what was not billed:
the cycle's reads still waiting (to review, reread requested) and its active accounts with no
read for the period.

Which rate schedule each rate class is billed on, the due date when the cycle has no calendar
timeline, and the winter average a sewer charge reads are the city's billing document's to say
(`kind: billing`, engine.rules.kinds.billing; the sample city's rules/utilities/billing-policy.yaml):
the version in force on the bill date, found by its kind. A run without one does not start.
"""
from __future__ import annotations

import csv
import gc
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import Text, bindparam, cast, literal, select, union_all
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from engine import csv_reading
from engine.reads import review
from engine.reads.review import ReadRow, reviewed_row
from engine.money.limits import city_limits
from engine.money.bounds import Ceiling
from engine.money.ledger.bulk import NewCharge, insert_rows, post_charges
from engine.numerals import is_digits
from engine.store.db import GIVES_WAY
from engine.store.rows import ids_in_order, insert_columns, unindexed
from engine.money import format_money, to_cents
from engine.rules.months import period_months_later
from engine.rules.kinds.billing import BillingPolicy, billing_document
from engine.rules.proration import proration_in_force
from engine.rules.schedule import by_service
from engine.store.models import Bill, BillLine, MeterRead, UtilityAccount

PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$", re.ASCII)


class BillingError(ValueError):
    """A billing run that cannot start (bad period, a file without the needed columns)."""


@dataclass(frozen=True)
class RowProblem:
    """A row that was not billed, and why."""

    line: int
    account_number: str
    message: str


@dataclass
class BillingReport:
    """What a billing run did: bills posted, rows skipped or refused, reads held, and what was not billed."""

    cycle: str
    period: str
    billed: int = 0
    billed_cents: int = 0
    already_billed: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    exceptions: list[dict] = field(default_factory=list)  # the file's reads held for review by this run
    not_billed: list = field(default_factory=list)  # engine.reads.review.Exception_: waiting or missing reads
    leaks: list[tuple] = field(default_factory=list)  # (read id, average): accepted at the leak factor (a letter due)


def _whole_ccf(text: str, name: str) -> int:
    """A whole, non-negative number of CCF from the file, or a ValueError naming the column."""
    value = text.strip()
    if not is_digits(value):
        raise ValueError(f"{name} {text!r} is not a whole number of CCF (0 or more)")
    return int(value)


def parse_reads(lines: Iterable[str]) -> tuple[list[ReadRow], list[RowProblem]]:
    """The reads of a CSV file, and a problem for each line that cannot be read; duplicates refused.

    Each line is read by where its header puts the columns (their names stripped; a header that
    names one twice is refused), as csv.DictReader would give them, without a dict per line.
    """
    reader = csv.reader(lines)
    try:
        return _read_lines(reader)
    except csv_reading.UnreadableLine as unreadable:
        raise BillingError(f"the read file's {unreadable}") from None


def _read_lines(reader) -> tuple[list[ReadRow], list[RowProblem]]:
    """parse_reads's reading of the lines (an UnreadableLine for a line the csv reader cannot split)."""
    header = next(csv_reading.records(reader), None)
    twice = csv_reading.named_twice(header or [])
    if twice:
        raise csv_reading.UnreadableLine(reader.line_num, twice)
    refused = review.missing_columns(header or [])
    if refused:
        raise BillingError(refused)
    places = _column_places(header or [])
    number_at, read_on_at, reading_at, consumption_at = (
        places.get(name, -1) for name in ("account_number", "read_on", "reading", "consumption"))
    rows, problems = [], []
    for record in csv_reading.records(reader):
        if not record:
            continue  # a blank line, as csv.DictReader skips it
        line = reader.line_num
        width = len(record)
        number = record[number_at].strip() if 0 <= number_at < width else ""
        try:
            if too_many := csv_reading.beyond_header(record[len(header):], len(header)):
                raise ValueError(f"the line {too_many}")
            if not number:
                raise ValueError("account_number is empty")
            if character := csv_reading.control_character(number):  # a NUL reached PostgreSQL: psycopg's DataError
                raise ValueError(f"account_number holds a control character ({character})")
            read_on_text = record[read_on_at] if 0 <= read_on_at < width else ""
            try:
                read_on = date.fromisoformat(read_on_text.strip())
            except ValueError:
                raise ValueError(f"read_on {read_on_text!r} is not a date (YYYY-MM-DD)") from None
            reading_text = record[reading_at] if 0 <= reading_at < width else ""
            consumption_text = record[consumption_at] if 0 <= consumption_at < width else ""
            reading = _whole_ccf(reading_text, "reading") if reading_text.strip() else None
            consumption = _whole_ccf(consumption_text, "consumption") if consumption_text.strip() else None
            if reading is None and consumption is None:
                raise ValueError("neither reading nor consumption is given")
        except ValueError as bad:
            problems.append(RowProblem(line, number, str(bad)))
            continue
        rows.append(ReadRow(line, number, read_on, reading, consumption))
    return _without_duplicates(rows, problems)


def _column_places(header: list[str]) -> dict[str, int]:
    """Where each column's value is on a line, by its stripped name (a header naming one twice is refused first)."""
    return {name.strip(): place for place, name in enumerate(header)}


def _without_duplicates(rows: list[ReadRow], problems: list[RowProblem]) -> tuple[list[ReadRow], list[RowProblem]]:
    """Refuse every read of an account that the file lists more than once (neither can be trusted)."""
    lines_of: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        lines_of[row.account_number].append(row.line)
    kept = []
    for row in rows:
        seen = lines_of[row.account_number]
        if len(seen) > 1:
            others = ", ".join(str(n) for n in seen if n != row.line)
            problems.append(RowProblem(row.line, row.account_number,
                                       f"duplicate read: account {row.account_number} is also on line {others}"))
        else:
            kept.append(row)
    return kept, sorted(problems, key=lambda p: p.line)


def check_period(period: str) -> date:
    """The first day of a YYYY-MM billing period, or a BillingError."""
    if not PERIOD.match(period):
        raise BillingError(f"period {period!r} is not a month written YYYY-MM")
    return date(int(period[:4]), int(period[5:]), 1)


def billing_policy(library, on: date) -> BillingPolicy:
    """The city's billing document's version in force on the day, or a BillingError saying what to publish."""
    from engine.rules.errors import EvaluationError
    doc = billing_document(library)
    if doc is None:
        raise BillingError("the city has no billing document (kind: billing: which rate schedule each rate class "
                           "is billed on, the due date without a calendar, the winter average); publish one before "
                           "billing")
    try:
        return BillingPolicy.of(doc, on)
    except EvaluationError as missing:
        raise BillingError(f"{missing}; billing needs a version of it in force") from None


PREVIOUS_READ_DAYS = 400  # a read's previous read is looked for this far back


def days_of_earlier_reads(policy: BillingPolicy) -> int:
    """How far before a read its earlier reads are read: the previous read's 400 days, or the winter average's
    window when the billing document makes it longer (the billing run and a rebill alike)."""
    return max(PREVIOUS_READ_DAYS, policy.winter_days)


def rate_classes(library, on: date) -> list[str]:
    """The rate classes the billing document in force on the day bills (those an account may have)."""
    return list(billing_policy(library, on).rate_schedules)


def due_without_calendar(library, billed_on: date) -> date:
    """The due date of a bill made on the day when no calendar timeline gives one: the billing document's days on."""
    return billed_on + timedelta(days=billing_policy(library, billed_on).due_days)


def billing_dates(library, cycle: str, period: str, as_of: date) -> tuple[date, date, str]:
    """(bill date, due date, how they were set): from the cycle's timeline in the calendar the billing document names,
    else as_of plus the billing document's days without a calendar.

    A run made after the timeline's bill date (a late run, or one for an earlier month) bills on the run's day,
    and its due date is counted again from it by the timeline's own rule, as a notice mailed late counts the
    timeline from its mailing day: a bill never goes out with a bill date before the day it is made, nor a due
    date already past.
    """
    from engine.rules.calendar import city_calendar
    from engine.rules.errors import EvaluationError
    policy = billing_policy(library, as_of)
    try:
        if policy.calendar is None:
            raise LookupError("the billing document names no calendar")
        calendar = city_calendar(library.get(policy.calendar))
        steps, details, version = calendar.timeline(cycle, period)
        counted, _ = calendar.recount(steps, details, version, "bill", as_of)
        how = policy.calendar if counted["bill"] == steps["bill"] else (
            f"{policy.calendar}, counted from the run's day {as_of.isoformat()} (the timeline's bill date "
            f"{steps['bill'].isoformat()} had passed)")
        return counted["bill"], counted["due"], how
    except (EvaluationError, LookupError) as missing:  # KeyError too: a calendar without the cycle's timeline
        days = policy.due_days
        reason = missing.args[0] if missing.args else missing  # a KeyError's text is its key in quotes
        return as_of, as_of + timedelta(days=days), f"bill date + {days} days ({reason})"


RATE_FACTS = ("meter_size", "consumption_ccf", "sewer", "winter_average_ccf")  # what rate_facts gives


def rate_facts(meter_size: str, services: list, consumption: int, winter_average: Decimal | None) -> dict:
    """The facts a water rate schedule reads for one bill."""
    facts = {"meter_size": meter_size, "consumption_ccf": consumption, "sewer": "sewer" in (services or [])}
    if winter_average is not None:
        facts["winter_average_ccf"] = winter_average
    return facts


def winter_average(history: list[tuple], read_on: date, policy: BillingPolicy) -> Decimal | None:
    """The mean use of the account's reads of the policy's winter months within its window before read_on, rounded
    half up to its places (the sample city's: December-February, 366 days, whole CCF)."""
    since = read_on - timedelta(days=policy.winter_days)
    winter = [use for day, use in history if day.month in policy.winter_months and since <= day < read_on]
    if not winter:
        return None
    return (Decimal(sum(winter)) / len(winter)).quantize(Decimal(1).scaleb(-policy.winter_places),
                                                         rounding=ROUND_HALF_UP)


BillLineText = tuple[str, Decimal, str, "str | None"]  # name, amount, how it was reached, service


def bill_lines_summing_to_total(result) -> list[BillLineText]:
    """The result's lines with their services, plus proration lines when a rate change made the total differ.

    A period across a rate change is prorated by days per service (each part's lines of the
    service weighed by its days, as the total is), so each service's lines sum to what it is
    charged; a cent the total's own rounding (or the version's minimum or maximum) leaves over
    goes with the first line's service.
    """
    lines = [(line["name"], line["amount"], line.get("detail", ""), line.get("service")) for line in result.lines]
    difference = result.total - sum((amount for _, amount, _, _ in lines), Decimal(0))
    if not difference:
        return lines
    parts = "; ".join(f"{p['days']} days at rates of {p['version']}: {p['total']}"
                      for p in result.to_json().get("parts", []))
    prorated: dict[str | None, Decimal] = {}
    for part in result.parts or []:
        for service, amount in part["services"].items():
            prorated[service] = prorated.get(service, Decimal(0)) + amount
    billed = by_service(result.lines)
    shares = {service: amount - billed.get(service, Decimal(0)) for service, amount in prorated.items()}
    first = lines[0][3] if lines else None
    shares[first] = shares.get(first, Decimal(0)) + difference - sum(shares.values(), Decimal(0))
    return lines + [("Proration across a rate change", share, parts, service)
                    for service, share in shares.items() if share]


def charges_by_service(lines: list[BillLineText]) -> list[tuple[str | None, int]]:
    """(service, cents) to charge for a bill's lines: one charge per service, in the order the lines name them.

    A service whose lines come to zero or less (a credit line of its own) is no charge of its
    own: its amount goes with the service charged most, so every charge is a debit and the
    charges sum to the bill.
    """
    sums: dict[str | None, int] = {}
    for _, amount, _, service in lines:
        sums[service] = sums.get(service, 0) + to_cents(amount)
    charged = {service: cents for service, cents in sums.items() if cents > 0}
    left = sum(cents for cents in sums.values() if cents <= 0)
    if left and charged:
        most = max(charged, key=lambda service: charged[service])
        charged[most] += left
    return list(charged.items())


@dataclass
class _Chunk:
    """What one chunk did, merged into the report only after its transaction commits."""

    billed: int = 0
    billed_cents: int = 0
    already_billed: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    exceptions: list[dict] = field(default_factory=list)
    reads: list[dict] = field(default_factory=list)
    bills: list[dict] = field(default_factory=list)
    lines: list[list[tuple]] = field(default_factory=list)
    leaks: list[tuple] = field(default_factory=list)  # (account id, average), then (read id, average) once stored


@dataclass(frozen=True)
class BillingRun:
    """The fixed inputs of one run: cycle, period, dates, rules, the read policy, actor."""

    library: object
    cycle: str
    period: str
    billed_on: date
    due_on: date
    now: datetime
    policy: object = None  # the meter-reads rule in force; None: a person bills one read (the review is theirs)
    posted_by: str | None = None  # a person billing one read (a final bill at stop service)
    billing: BillingPolicy | None = None  # the billing document's version in force on the bill date (looked up if None)
    priced: dict = field(default_factory=dict, compare=False, repr=False)  # Priced by (rule, period, facts) in this run

    def __post_init__(self) -> None:
        """Find the billing document's version in force on the bill date when not given (a BillingError if none)."""
        if self.billing is None:
            object.__setattr__(self, "billing", billing_policy(self.library, self.billed_on))

    @property
    def actor(self) -> str:
        """Who posts the charges: the person billing one read, else billing:<cycle>-<period>."""
        return self.posted_by or f"billing:{self.cycle}-{self.period}"


def run_billing(sessions: sessionmaker[Session], library, *, cycle: str, period: str, rows: list[ReadRow] | None,
                as_of: date, now: datetime, chunk: int = 2000,
                progress: Callable[[int], None] | None = None) -> BillingReport:
    """Bill every good, reviewed row of a reads file (None: the stored reviewed reads) for cycle and period.

    One transaction per chunk; the report ends with what the period still has unbilled.
    """
    from engine.rules.errors import EvaluationError
    check_period(period)
    billed_on, due_on, _ = billing_dates(library, cycle, period, as_of)
    try:
        policy = review.read_policy(library, as_of)
    except EvaluationError as missing:
        raise BillingError(f"the reads cannot be reviewed: {missing}") from None
    run = BillingRun(library, cycle, period, billed_on, due_on, now, policy)
    report = BillingReport(cycle, period)
    stored = rows is None
    if stored:
        with sessions() as session:
            rows = reviewed_reads(session, cycle, period)
    for start in range(0, len(rows), chunk):
        part = rows[start:start + chunk]
        for attempt in (1, 2, 3):
            try:
                with _collector_paused(), sessions() as session, session.begin():
                    session.connection(execution_options={GIVES_WAY: True})  # SQLite: people waiting to write first
                    done = _bill_chunk(session, run, part, stored=stored)
                break
            except IntegrityError:
                if attempt == 3:  # another run is billing the same rows; after two retries, give up loudly
                    raise
        report.billed += done.billed
        report.billed_cents += done.billed_cents
        report.already_billed += done.already_billed
        report.problems.extend(done.problems)
        report.exceptions.extend(done.exceptions)
        report.leaks.extend(done.leaks)
        if progress:
            progress(len(part))
    report.problems.sort(key=lambda p: p.line)
    with sessions() as session:
        report.not_billed = review.exceptions(session, period, cycle)
    return report


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector paused while a chunk is worked out and written, and resumed after.

    A chunk makes some hundred thousand objects (rows, bills, postings, audit details) that
    live until it is written; the collector's passes over them (and every so often over all
    the process holds) took a fifth of the run's time. Reference counting still frees what
    the chunk lets go; the collector finds any cycles left once it runs again. It is resumed
    only if it was running (another thread's pause ends its own way).
    """
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()


def reviewed_reads(session: Session, cycle: str, period: str) -> list[ReadRow]:
    """The period's accepted and estimated reads of the cycle's accounts with no bill yet, as rows (line: read id)."""
    billed = select(Bill.id).where(Bill.account_id == MeterRead.account_id, Bill.period == period)
    return [ReadRow(read.id, read.number, read.read_on, read.reading, read.consumption_ccf)
            for read in session.execute(
                select(MeterRead.id, UtilityAccount.number, MeterRead.read_on, MeterRead.reading,
                       MeterRead.consumption_ccf)
                .join(UtilityAccount, UtilityAccount.id == MeterRead.account_id)
                .where(UtilityAccount.cycle == cycle, MeterRead.period == period,
                       MeterRead.review_status.in_(review.BILLABLE), ~billed.exists())
                .order_by(UtilityAccount.number))]


# A chunk's statements, built once: each is run with its chunk's values (an IN list's values as one parameter).
ACCOUNTS_BY_NUMBER = select(UtilityAccount.id, UtilityAccount.number, UtilityAccount.cycle, UtilityAccount.status,
                            UtilityAccount.meter_size, UtilityAccount.rate_class,
                            cast(UtilityAccount.services, Text).label("services"), UtilityAccount.opened_on).where(
    UtilityAccount.number.in_(bindparam("numbers", expanding=True)))
BILLED_AND_READ = union_all(
    select(Bill.account_id, literal("bill")).where(Bill.account_id.in_(bindparam("billed", expanding=True)),
                                                   Bill.period == bindparam("period")),
    select(MeterRead.account_id, literal("read")).where(MeterRead.account_id.in_(bindparam("read", expanding=True)),
                                                        MeterRead.period == bindparam("period")))
EARLIER_READS = (select(MeterRead.account_id, MeterRead.read_on, MeterRead.reading, MeterRead.consumption_ccf)
                 .where(MeterRead.account_id.in_(bindparam("ids", expanding=True)),
                        MeterRead.period != bindparam("period"),
                        unindexed(MeterRead.review_status).in_(review.BILLABLE),
                        MeterRead.read_on >= bindparam("since")).order_by(MeterRead.read_on))


def _billed_and_read(session: Session, ids: list[int], period: str) -> tuple[set[int], set[int]]:
    """The accounts already billed for the period, and those whose read of it is stored, in one statement.

    One statement reads one moment: read apart, another run committing in between would
    leave its accounts looking read but not billed (a problem line instead of "already billed").
    """
    billed, stored = set(), set()
    for account_id, what in session.connection().execute(BILLED_AND_READ, {"billed": ids, "read": ids,
                                                                           "period": period}):
        (billed if what == "bill" else stored).add(account_id)
    return billed, stored


class _Account(NamedTuple):
    """What billing reads of an account."""

    id: int
    number: str
    cycle: str
    status: str
    meter_size: str
    rate_class: str
    services: list
    opened_on: date


@lru_cache(maxsize=64)
def _services(stored: str | None) -> list:
    """An account's services from their stored JSON text (the same list for the same text: not to be changed)."""
    return json.loads(stored) if stored else stored


def _bill_chunk(session: Session, run: BillingRun, part: list[ReadRow], stored: bool = False) -> _Chunk:
    """Compute and store the bills of one chunk of rows (stored: of reviewed stored reads) in the transaction."""
    done = _Chunk()
    # The services as their stored JSON text, read once per distinct list (a city has a handful), not once per account.
    accounts = {number: _Account(account_id, number, cycle, status, meter_size, rate_class, _services(services),
                                 opened_on)
                for account_id, number, cycle, status, meter_size, rate_class, services, opened_on
                in session.connection().execute(ACCOUNTS_BY_NUMBER, {"numbers": [r.account_number for r in part]})}
    ids = [a.id for a in accounts.values()]
    billed, read = _billed_and_read(session, ids, run.period)
    since = min(r.read_on for r in part) - timedelta(days=days_of_earlier_reads(run.billing))
    history: dict[int, list] = defaultdict(list)
    for earlier in session.connection().execute(EARLIER_READS, {"ids": ids, "period": run.period, "since": since}):
        history[earlier.account_id].append(earlier)
    meters = meters_of(session, ids)
    ceiling = city_limits(session).ceiling("rule_amount")
    for row in part:
        account = accounts.get(row.account_number)
        if account is not None and account.id in billed:
            done.already_billed += 1
            continue
        earlier = [r for r in history.get(account.id, []) if r.read_on < row.read_on] if stored and account else \
            history.get(account.id, []) if account else []
        try:
            if stored:
                _bill_read(run, row, account, row.reading, row.consumption, earlier, done, ceiling)
            else:
                _bill_row(run, row, account, account is not None and account.id in read, earlier, done, ceiling,
                          meters.get(account.id) if account else None)
        except ValueError as bad:
            done.problems.append(RowProblem(row.line, row.account_number, str(bad)))
    _store(session, run, done)
    return done


@dataclass(frozen=True)
class AccountMeters:
    """An account's meter now, and its meter exchanges (oldest first), for billing its reads."""

    meter_id: int | None
    exchanges: tuple = ()

    def exchange_between(self, after: date, through: date):
        """The exchange made after the previous read and on or before this one, if any."""
        found = [e for e in self.exchanges if after < e.exchanged_on <= through]
        return found[-1] if found else None


@lru_cache(maxsize=1)
def _meter_statements() -> tuple:
    """The two statements of `meters_of`, built once (engine.store.meters is imported when first needed)."""
    from engine.store.meters import Meter, MeterExchange
    ids = bindparam("ids", expanding=True)
    return (select(Meter.account_id, Meter.id).where(Meter.account_id.in_(ids), Meter.removed_on.is_(None)),
            select(MeterExchange.account_id, MeterExchange.exchanged_on, MeterExchange.old_final_reading,
                   MeterExchange.new_first_reading, MeterExchange.old_meter_id, MeterExchange.new_meter_id)
            .where(MeterExchange.account_id.in_(ids)).order_by(MeterExchange.exchanged_on))


def meters_of(session: Session, ids: list[int]) -> dict[int, AccountMeters]:
    """The meter each account is served by now and its exchanges (engine.store.meters), in two statements."""
    meters_now, exchanges_of = _meter_statements()
    current = dict(session.execute(meters_now, {"ids": ids}).all())
    exchanges: dict[int, list] = defaultdict(list)
    for exchange in session.execute(exchanges_of, {"ids": ids}):
        exchanges[exchange.account_id].append(exchange)
    return {account_id: AccountMeters(current.get(account_id), tuple(exchanges.get(account_id, ())))
            for account_id in set(current) | set(exchanges)}


def _consumption(row: ReadRow, previous, exchange=None) -> tuple[int, int]:
    """(reading, consumption) of a row given the account's previous read, or a ValueError.

    With a meter exchange since the previous read, the use is the old meter's (its final read
    less the previous reading) and the new meter's (this reading less its first register).
    """
    if previous is not None and exchange is not None:
        if row.read_on <= previous.read_on:
            raise ValueError(f"read_on {row.read_on} is not after the latest stored read ({previous.read_on})")
        if exchange.old_final_reading < previous.reading:
            raise ValueError(f"the old meter's final read {exchange.old_final_reading} of {exchange.exchanged_on} is "
                             f"below the previous reading {previous.reading}")
        old_use = exchange.old_final_reading - previous.reading
        reading = row.reading if row.reading is not None else exchange.new_first_reading + row.consumption - old_use
        if reading < exchange.new_first_reading:
            raise ValueError(f"reading {reading} is below the new meter's first register "
                             f"{exchange.new_first_reading} of {exchange.exchanged_on}")
        used = old_use + reading - exchange.new_first_reading
        if row.consumption is not None and row.consumption != used:
            raise ValueError(f"consumption {row.consumption} does not match the two meters' use ({used})")
        return reading, used
    if previous is None:
        if row.consumption is None:
            raise ValueError("no earlier read is on file for this account; give its consumption column")
        return (row.reading if row.reading is not None else row.consumption), row.consumption
    if row.read_on <= previous.read_on:
        raise ValueError(f"read_on {row.read_on} is not after the latest stored read ({previous.read_on})")
    if row.reading is None:
        return previous.reading + row.consumption, row.consumption
    if row.reading < previous.reading:
        raise ValueError(f"reading {row.reading} is below the previous reading {previous.reading} of "
                         f"{previous.read_on} (negative consumption: a rolled-back or replaced meter?)")
    used = row.reading - previous.reading
    if row.consumption is not None and row.consumption != used:
        raise ValueError(f"consumption {row.consumption} does not match reading less previous reading ({used})")
    return row.reading, used


def _bill_row(run: BillingRun, row: ReadRow, account, stored: bool, history: list, done: _Chunk,
              ceiling: Ceiling, meters: AccountMeters | None = None, source: str = "billing-file") -> None:
    """Check one row: a read held by the review is stored to review, a read that passes is billed.

    Across a meter exchange the use is the two meters' (engine.store.meters), then reviewed. A
    run without a read policy (a person billing one read: a final bill) bills the read as given.
    """
    _check_account(run, row, account)
    if stored:
        raise ValueError(f"a read for {run.period} is already stored for account {row.account_number}")
    previous = history[-1] if history else None
    exchange = meters.exchange_between(previous.read_on, row.read_on) if meters and previous else None
    checked = None
    if exchange is not None or run.policy is None:
        reading, used = _consumption(row, previous, exchange)
        if run.policy is not None:
            checked = review.review_read(run.policy, read_on=row.read_on, reading=None, consumption=used,
                                         previous=previous, history=history, reader_estimated=row.reader_estimated)
    else:
        reading, checked = reviewed_row(run.policy, row, previous, history)
        used = checked.consumption
    read = dict(account_id=account.id, period=run.period, read_on=row.read_on, reading=reading,
                consumption_ccf=used, source=source, meter_id=meters.meter_id if meters else None)
    if checked is not None and checked.held:
        done.reads.append(dict(read, review_status=review.TO_REVIEW, review_check=checked.check,
                               review_reason=checked.reason, reviewed_by=None, reviewed_at=None))
        done.exceptions.append({"line": row.line, "account_number": row.account_number, "read_on": row.read_on,
                                "consumption_ccf": used, "average_ccf": checked.average,
                                "exception": checked.reason})
        return
    _bill_read(run, row, account, reading, used, history, done, ceiling, exchange)
    if checked is not None and checked.leak:
        done.leaks.append((account.id, checked.average))
    done.reads.append(dict(read, review_status=review.ACCEPTED, review_check=None, review_reason=None,
                           reviewed_by=run.posted_by or review.BY_RULES, reviewed_at=run.now))


def _check_account(run: BillingRun, row: ReadRow, account) -> None:
    """A ValueError unless the account is known, active and of the run's cycle."""
    if account is None:
        raise ValueError(f"unknown account {row.account_number}")
    if account.cycle != run.cycle:
        raise ValueError(f"account {row.account_number} is billed in cycle {account.cycle}, not {run.cycle}")
    if account.status != "active":
        raise ValueError(f"account {row.account_number} is {account.status}")


def _bill_read(run: BillingRun, row: ReadRow, account, reading: int, used: int, history: list, done: _Chunk,
               ceiling: Ceiling, exchange=None) -> None:
    """Compute the bill of one reviewed read into the chunk; a ValueError says why it cannot be billed."""
    from engine.rules.errors import EvaluationError
    _check_account(run, row, account)
    rule_id = run.billing.rate_schedules.get(account.rate_class)
    if rule_id is None:
        raise ValueError(f"rate class {account.rate_class!r} has no rate schedule in {run.billing.rule}")
    if used < 0:
        raise ValueError(f"a use of {used} CCF cannot be billed")
    previous = history[-1] if history else None
    service_from = (previous.read_on + timedelta(days=1) if previous else
                    proration_in_force(run.library, rule_id, row.read_on).first_bill_from(row.read_on,
                                                                                          account.opened_on))
    earlier = [(r.read_on, r.consumption_ccf) for r in history]
    priced = price_once(run.library, rule_id, account, used, earlier, run.billed_on, (service_from, row.read_on),
                        ceiling, run.billing, run.priced)
    explanation = priced.explanation
    if exchange is not None:
        explanation = dict(explanation, meter_reads=meter_exchange_reads(previous, exchange, row.read_on, reading))
    done.bills.append(dict(account_id=account.id, cycle=run.cycle, period=run.period, service_from=service_from,
                           service_to=row.read_on, billed_on=run.billed_on, due_on=run.due_on, consumption_ccf=used,
                           total_cents=priced.total, rule_id=rule_id, rule_version=priced.version,
                           explanation=explanation))
    done.lines.append(priced.lines)
    done.billed += 1
    done.billed_cents += priced.total


def meter_exchange_reads(previous, exchange, read_on: date, reading: int) -> list[dict]:
    """The two meters' reads a bill across a meter exchange charges: the old meter's, then the new one's."""
    return [{"meter_id": exchange.old_meter_id, "from_on": previous.read_on.isoformat(), "from": previous.reading,
             "to_on": exchange.exchanged_on.isoformat(), "to": exchange.old_final_reading,
             "ccf": exchange.old_final_reading - previous.reading},
            {"meter_id": exchange.new_meter_id, "from_on": exchange.exchanged_on.isoformat(),
             "from": exchange.new_first_reading, "to_on": read_on.isoformat(), "to": reading,
             "ccf": reading - exchange.new_first_reading}]


@dataclass(frozen=True)
class OneBill:
    """One read billed on its own (a final bill): the bill's row, its lines and its read, as stored or to be."""

    bill: dict
    lines: list[BillLineText]
    read: dict
    bill_id: int | None = None


def bill_one_read(session: Session, library, account: UtilityAccount, *, read_on: date, reading: int,
                  billed_on: date, due_on: date, now: datetime, actor: str, source: str,
                  store: bool) -> OneBill:
    """Bill one account's read now, as the billing run bills a row: priced, and stored and posted when `store`.

    Without `store` nothing is written (a confirmation page shows the bill first). The bill's
    period is the read's month, or the first later month the account has no bill or read for.
    A ValueError says why the read cannot be billed.
    """
    period = read_on.strftime("%Y-%m")
    taken = set(session.scalars(select(Bill.period).where(Bill.account_id == account.id)).all()) | set(
        session.scalars(select(MeterRead.period).where(MeterRead.account_id == account.id)).all())
    while period in taken:
        period = period_months_later(period, 1)
    run = BillingRun(library, account.cycle, period, billed_on, due_on, now, posted_by=actor)
    history = list(session.execute(select(MeterRead.account_id, MeterRead.read_on, MeterRead.reading,
                                          MeterRead.consumption_ccf)
                                   .where(MeterRead.account_id == account.id, MeterRead.read_on < read_on)
                                   .order_by(MeterRead.read_on)))
    done = _Chunk()
    _bill_row(run, ReadRow(1, account.number, read_on, reading, None), account, False, history, done,
              city_limits(session).ceiling("rule_amount"), meters_of(session, [account.id]).get(account.id), source)
    bill_id = None
    if store:
        _store(session, run, done)
        bill_id = session.scalar(select(Bill.id).where(Bill.account_id == account.id, Bill.period == period))
    return OneBill(done.bills[0], done.lines[0], done.reads[0], bill_id)


@dataclass(frozen=True)
class Priced:
    """One bill as priced: total cents, the rate version, the explanation (not to be changed) and the bill's lines."""

    total: int
    amount: Decimal  # the total as the rate schedule gives it
    version: str
    explanation: dict
    lines: list[BillLineText]


def price_once(library, rule_id: str, account, used: int, earlier: list[tuple[date, int]], billed_on: date,
               period: tuple[date, date], ceiling: Ceiling, policy: BillingPolicy, priced: dict) -> Priced:
    """`price`, worked out once per rate schedule, bill date, service period and facts in `priced` (one run's).

    The rate schedule is a function of these alone, so two accounts with the same facts over
    the same period get the same bill; the checks of the total against the ceiling are made
    for each. A bill that cannot be priced is worked out (and refused) each time.
    """
    winter = winter_average(earlier, period[1], policy)
    sewer = "sewer" in (account.services or [])
    # What rate_facts gives, by value and type (Decimal("4") and Decimal("4.0") are equal but explained apart).
    key = (rule_id, billed_on, period, account.meter_size, account.meter_size.__class__, used, used.__class__,
           sewer, None if winter is None else str(winter))
    found = priced.get(key)
    if found is None:
        facts = rate_facts(account.meter_size, account.services, used, winter)
        result, total, explanation = _priced(library, rule_id, facts, used, billed_on, period, ceiling)
        found = priced[key] = Priced(total, result.total, result.version.isoformat(), explanation,
                                     bill_lines_summing_to_total(result))
    else:
        _check_total(found.total, found.amount, used, ceiling)
    return found


def price(library, rule_id: str, account, used: int, earlier: list[tuple[date, int]], billed_on: date,
          period: tuple[date, date], ceiling: Ceiling, policy: BillingPolicy | None = None):
    """(result, total cents, explanation) of one bill: the rate schedule as of the bill date over the service period.

    `account` gives meter size and services, `earlier` the (read day, use) of earlier reads (the
    winter average, by the billing document's `policy`: its version in force on the bill date
    when not given); a ValueError says why it cannot be billed (the billing run's row problem,
    a rebill's refusal).
    """
    if policy is None:
        try:
            policy = billing_policy(library, billed_on)
        except BillingError as missing:
            raise ValueError(str(missing)) from None
    facts = rate_facts(account.meter_size, account.services, used, winter_average(earlier, period[1], policy))
    return _priced(library, rule_id, facts, used, billed_on, period, ceiling)


def _priced(library, rule_id: str, facts: dict, used: int, billed_on: date, period: tuple[date, date],
            ceiling: Ceiling):
    """(result, total cents, explanation) of the facts, or a ValueError."""
    from engine.rules.errors import EvaluationError
    try:
        result = library.evaluate(rule_id, facts, billed_on, period=period)
    except EvaluationError as bad:
        raise ValueError(f"the rates cannot be applied: {bad}") from None
    total = to_cents(result.total)
    _check_total(total, result.total, used, ceiling)
    explanation = result.to_json()
    explanation["facts"] = {k: (str(v) if isinstance(v, Decimal) else v) for k, v in facts.items()}
    explanation["service_period"] = [period[0].isoformat(), period[1].isoformat()]
    return result, total, explanation


def _check_total(total: int, amount, used: int, ceiling: Ceiling) -> None:
    """A ValueError when a bill's total is nothing to post or beyond the city's ceiling."""
    if total <= 0:
        raise ValueError(f"the bill comes to {amount}; nothing to post")
    if total > ceiling.cents:
        raise ValueError(f"the bill would come to {format_money(total)} for {used:,} CCF; the city's limit is "
                         f"{ceiling.refusal()}: check the reading")


def _store(session: Session, run: BillingRun, done: _Chunk) -> None:
    """Insert the chunk's reads, bills, bill lines and charges (with their audit rows)."""
    if done.reads:
        insert_rows(session, MeterRead.__table__, done.reads)
    if done.leaks:
        read_of = dict(session.connection().execute(select(MeterRead.account_id, MeterRead.id).where(
            MeterRead.account_id.in_([account_id for account_id, _ in done.leaks]),
            MeterRead.period == run.period)).all())
        done.leaks = [(read_of[account_id], average) for account_id, average in done.leaks]
    if not done.bills:
        return
    last = session.connection().exec_driver_sql("SELECT coalesce(max(id), 0) FROM bills").scalar()
    insert_rows(session, Bill.__table__, done.bills)
    bill_ids = ids_in_order(session, Bill.__table__, last, len(done.bills))
    if bill_ids is None:
        # Read the ids back by (account, period), unique per bill: RETURNING in order runs row by row on SQLite.
        by_account = dict(session.connection().execute(select(Bill.account_id, Bill.id).where(
            Bill.account_id.in_([b["account_id"] for b in done.bills]), Bill.period == run.period)).all())
        bill_ids = [by_account[b["account_id"]] for b in done.bills]
    # Bills priced alike share one list of lines: its rows' cents and its charges are worked out once.
    line_columns: dict[int, tuple[list, ...]] = {}
    charged: dict[int, list] = {}
    columns: tuple[list, ...] = ([], [], [], [], [], [])  # bill_id, position, name, amount_cents, detail, service
    bill_column, *line_parts = columns
    for bill_id, lines in zip(bill_ids, done.lines):
        found = line_columns.get(id(lines))
        if found is None:
            found = line_columns[id(lines)] = (
                list(range(1, len(lines) + 1)), [name for name, _, _, _ in lines],
                [to_cents(amount) for _, amount, _, _ in lines], [detail for _, _, detail, _ in lines],
                [service for _, _, _, service in lines])
        bill_column.extend([bill_id] * len(lines))
        for part, values in zip(line_parts, found):
            part.extend(values)
    insert_columns(session, BillLine.__table__, dict(zip(("bill_id", "position", "name", "amount_cents", "detail",
                                                          "service"), columns)))
    described: dict[tuple, str] = {}
    post_charges(session, [
        NewCharge(bill["account_id"], cents, run.billed_on, run.due_on,
                  described.get((service, bill["service_from"], bill["service_to"])) or described.setdefault(
                      (service, bill["service_from"], bill["service_to"]),
                      charge_description(service, bill["service_from"], bill["service_to"])),
                  f"bill {bill_id}", bill["rule_id"], bill["rule_version"], bill_id, service)
        for bill_id, bill, lines in zip(bill_ids, done.bills, done.lines)
        for service, cents in (charged.get(id(lines)) or charged.setdefault(id(lines), charges_by_service(lines)))],
        now=run.now, actor=run.actor)


def charge_description(service: str | None, service_from: date, service_to: date) -> str:
    """What the ledger says of a bill's charge: "Water and sewer, .." (lines without a service), or "Sewer, .."."""
    what = "Water and sewer" if service is None else service.replace("_", " ").capitalize()
    return f"{what}, {service_from} to {service_to}"
