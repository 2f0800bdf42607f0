"""The reads import: a CSV or a fixed-width handheld file of one cycle's month, stored whole or not at all.

Two formats:

- CSV with a header (the billing run's format, engine.money.billing): `account_number`,
  `read_on` (YYYY-MM-DD), `reading` and/or `consumption` (whole CCF), and optionally
  `estimated` (`yes` when the reader estimated the read).
- Fixed-width, by a layout of the city's `meter-reads` rule (`layouts:`): each column's first
  and last character, the form of the dates, the codes of an estimated read, and which lines
  are reads (`record_type`; other lines, headers and trailers, are skipped).

Every line is checked before anything is stored: a value that does not read, an unknown or
closed account, an account of another cycle, an account twice in the file, a read of the
month already on file (unless it waits for review or a reread: the new read replaces it),
a read not after the account's previous one. Any problem refuses the whole file, each named
by its line and column; otherwise every read is stored and reviewed (engine.reads.review):
accepted by the rules, or held to review. One audit row records the import.
"""
from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit, csv_reading
from engine.numerals import is_digits
from engine.reads import review
from engine.reads.review import ReadRow, reviewed_row
from engine.rules.errors import EvaluationError
from engine.rules.kinds.meter_reads import DATE_FORMS, Layout
from engine.store.models import MeterRead, UtilityAccount

YES = ("yes", "y", "true", "1")
NO = ("", "no", "n", "false", "0")
DATE_WORDS = {form: words for words, form in DATE_FORMS.items()}


class _Refused(ValueError):
    """A row refused, and the column at fault."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column


class ReadFileError(ValueError):
    """A file that cannot be read at all (no header, an unknown layout); the message says why."""


@dataclass(frozen=True)
class ReadProblem:
    """Why one line (and which column of it) refuses the file."""

    line: int
    column: str
    message: str


@dataclass
class ReadImport:
    """What an import did, or the problems that refused it (then nothing was stored)."""

    cycle: str
    period: str
    problems: list[ReadProblem] = field(default_factory=list)
    stored: int = 0
    accepted: int = 0
    held: list[dict] = field(default_factory=list)
    replaced: int = 0
    skipped_lines: int = 0
    leaks: list[tuple] = field(default_factory=list)  # (read id, average): accepted at the leak factor (a letter due)


def _whole(text: str, column: str) -> int | None:
    """A whole number of CCF, None when blank, or a ValueError naming the value."""
    value = text.strip()
    if not value:
        return None
    if not is_digits(value):
        raise ValueError(f"{value!r} is not a whole number of CCF (0 or more)")
    return int(value)


def _row(line: int, values: dict[str, str], date_form: str, estimated_codes: tuple[str, ...] | None,
         problems: list[ReadProblem]) -> ReadRow | None:
    """One read from its columns' texts, or None with a problem per column that does not read."""
    before = len(problems)
    problems.extend(ReadProblem(line, column, f"holds a control character ({character}), which no value of a reads "
                                              "file has") for column, value in values.items()
                    if (character := csv_reading.control_character(value.strip())))  # NUL: a 500 on PostgreSQL
    if len(problems) > before:
        return None
    number = values.get("account_number", "").strip()
    if not number:
        problems.append(ReadProblem(line, "account_number", "the account number is empty"))
    read_on = None
    try:
        read_on = datetime.strptime(values.get("read_on", "").strip(), date_form).date()
    except ValueError:
        problems.append(ReadProblem(line, "read_on", f"{values.get('read_on', '').strip()!r} is not a date "
                                                     f"written {DATE_WORDS[date_form]}"))
    amounts = {}
    for column in ("reading", "consumption"):
        try:
            amounts[column] = _whole(values.get(column, ""), column)
        except ValueError as bad:
            problems.append(ReadProblem(line, column, str(bad)))
    if "reading" not in [p.column for p in problems[before:]] and "consumption" not in \
            [p.column for p in problems[before:]] and amounts["reading"] is None and amounts["consumption"] is None:
        problems.append(ReadProblem(line, "reading", "neither a reading nor a consumption is given"))
    flag = values.get("estimated", "").strip()
    if estimated_codes is None:  # CSV: yes or no
        if flag.lower() not in YES + NO:
            problems.append(ReadProblem(line, "estimated", f"{flag!r} is not yes or no"))
        estimated = flag.lower() in YES
    else:
        estimated = flag in estimated_codes
    if len(problems) > before:
        return None
    return ReadRow(line, number, read_on, amounts["reading"], amounts["consumption"], estimated)


def parse_csv(lines: Iterable[str]) -> tuple[list[ReadRow], list[ReadProblem]]:
    """The reads of a CSV file, and a problem for each value that does not read."""
    reader = csv.DictReader(lines)
    try:
        refused = review.missing_columns(csv_reading.header(reader) or [])
        if refused:
            raise ReadFileError(refused)
        rows, problems = [], []
        width = len(reader.fieldnames or [])
        for record in csv_reading.records(reader):
            if too_many := csv_reading.beyond_header(record.get(None), width):
                problems.append(ReadProblem(reader.line_num, "line", too_many))
                continue
            values = {(k or "").strip(): (v or "") for k, v in record.items() if k is not None}
            row = _row(reader.line_num, values, "%Y-%m-%d", None, problems)
            if row:
                rows.append(row)
    except csv_reading.UnreadableLine as unreadable:
        raise ReadFileError(f"the read file's {unreadable}") from None
    return rows, problems


def parse_fixed_width(lines: Iterable[str], layout: Layout) -> tuple[list[ReadRow], list[ReadProblem], int]:
    """The reads of a fixed-width file by its layout, a problem per value that does not read, lines skipped."""
    rows, problems, skipped = [], [], 0
    spans = _spans(layout)
    longest = max(column.end for column in layout.columns.values())
    for number, text in enumerate(lines, start=1):
        text = text.rstrip("\r\n")
        if layout.record_type:
            where, value = layout.record_type
            if where.cut(text) != value:
                skipped += 1
                continue
        elif not text.strip():
            skipped += 1
            continue
        if len(text) < layout.columns["read_on"].end:
            problems.append(ReadProblem(number, "line", f"the line is {len(text)} characters long; the layout "
                                                        f"{layout.name!r} reads up to character {longest}"))
            continue
        values = {name: column.cut(text) for name, column in layout.columns.items()}
        found: list[ReadProblem] = []
        row = _row(number, values, layout.date_form,
                   layout.columns["estimated"].codes if "estimated" in layout.columns else (), found)
        problems += [ReadProblem(p.line, spans.get(p.column, p.column), p.message) for p in found]
        if row:
            rows.append(row)
    return rows, problems, skipped


def _spans(layout: Layout) -> dict[str, str]:
    """Each column's characters, for messages: `read_on (characters 12-19)`."""
    return {name: f"{name} (characters {c.start}-{c.end})" for name, c in layout.columns.items()}


def layout_named(library, as_of: date, layout_name: str) -> Layout:
    """The named layout of the meter-reads rule in force, or a ReadFileError."""
    try:
        policy = review.read_policy(library, as_of)
    except EvaluationError as missing:
        raise ReadFileError(f"the handheld layouts cannot be read: {missing}") from None
    layouts = policy.layouts
    if layout_name not in layouts:
        raise ReadFileError(f"no layout named {layout_name!r} in {policy.rule}; its layouts: "
                            f"{', '.join(sorted(layouts)) or 'none'}")
    return layouts[layout_name]


def _checked_account(row: ReadRow, account, lines_of: dict[str, list[int]], on_file: dict[int, MeterRead],
                     cycle: str, period: str) -> MeterRead | None:
    """The read of the month on file that the row replaces (one waiting), if any; _Refused for a row that cannot be."""
    others = [n for n in lines_of[row.account_number] if n != row.line]
    if others:
        raise _Refused("account_number", f"account {row.account_number} is also on line "
                                         f"{', '.join(map(str, others))}")
    if account is None:
        raise _Refused("account_number", f"unknown account {row.account_number}")
    if account.cycle != cycle:
        raise _Refused("account_number", f"account {row.account_number} is read in cycle {account.cycle}, "
                                         f"not {cycle}")
    if account.status != "active":
        raise _Refused("account_number", f"account {row.account_number} is {account.status}")
    stored = on_file.get(account.id)
    if stored is not None and stored.review_status not in review.WAITING:
        raise _Refused("account_number", f"a read of {period} is already on file for account {row.account_number} "
                                         f"({review.STATUS_WORDS[stored.review_status].lower()})")
    return stored


def import_reads(session: Session, library, *, cycle: str, period: str, rows: list[ReadRow],
                 problems: list[ReadProblem], as_of: date, actor: str, now: datetime, skipped: int = 0,
                 source: str = "import", layout: Layout | None = None) -> ReadImport:
    """Check every row, then store and review them all, or store nothing and list every problem."""
    report = ReadImport(cycle, period, list(problems), skipped_lines=skipped)
    policy = review.read_policy(library, as_of)
    lines_of: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        lines_of[row.account_number].append(row.line)
    accounts = {a.number: a for a in session.scalars(
        select(UtilityAccount).where(UtilityAccount.number.in_(list(lines_of))))}
    ids = [a.id for a in accounts.values()]
    on_file = {r.account_id: r for r in session.scalars(
        select(MeterRead).where(MeterRead.account_id.in_(ids), MeterRead.period == period))}
    history = review.trusted_history(session, ids, before_period=period)
    planned = []
    spans = _spans(layout) if layout else {}
    for row in rows:
        account = accounts.get(row.account_number)
        try:
            stored = _checked_account(row, account, lines_of, on_file, cycle, period)
            earlier = [r for r in history.get(account.id, []) if r.read_on < row.read_on]
            later = [r for r in history.get(account.id, []) if r.read_on >= row.read_on]
            if later:
                raise _Refused("read_on", f"{row.read_on} is not after the latest stored read ({later[-1].read_on})")
            try:
                reading, checked = reviewed_row(policy, row, earlier[-1] if earlier else None, earlier)
            except ValueError as bad:
                raise _Refused("read_on" if "read_on" in str(bad) else "consumption", str(bad)) from None
        except _Refused as bad:
            report.problems.append(ReadProblem(row.line, spans.get(bad.column, bad.column), str(bad)))
            continue
        planned.append((row, account, stored, reading, checked))
    if report.problems:
        report.problems.sort(key=lambda p: p.line)
        return report
    for row, account, stored, reading, checked in planned:
        read = stored or MeterRead(account_id=account.id, period=period)
        if stored is not None:
            report.replaced += 1
        read.read_on, read.reading, read.consumption_ccf, read.source = (row.read_on, reading, checked.consumption,
                                                                         source)
        read.review_check, read.review_reason = checked.check, checked.reason
        if checked.held:
            read.review_status, read.reviewed_by, read.reviewed_at = review.TO_REVIEW, None, None
            report.held.append({"line": row.line, "account_number": row.account_number, "read_on": row.read_on,
                                "consumption_ccf": checked.consumption, "average_ccf": checked.average,
                                "exception": checked.reason})
        else:
            read.review_status, read.reviewed_by, read.reviewed_at = review.ACCEPTED, review.BY_RULES, now
            report.accepted += 1
        session.add(read)
        session.flush()
        if not checked.held and checked.leak:
            report.leaks.append((read.id, checked.average))
        report.stored += 1
    audit.record(session, actor=actor, action="reads.imported", subject_type="reads", subject_id=f"{cycle}-{period}",
                 detail={"stored": report.stored, "accepted": report.accepted, "held": len(report.held),
                         "replaced": report.replaced, "skipped_lines": skipped, "rule": policy.rule,
                         "rule_version": policy.version.isoformat()}, at=now)
    return report
