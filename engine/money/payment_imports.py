"""Importing a payment file: every line posts, or none does.

A file is checked whole, in one transaction that importers take one at a time, before
anything posts: every line the file reads badly, every amount beyond the city's ceiling and
every paid-on date outside its window around the business day, every unknown account, every
check from a cash-only account, every posting the ledger's gate refuses, and every
transaction id posted before with another account, amount or day paid is named, and the
file posts nothing.

A line whose transaction id was posted before as this very payment (same account, amount
and day) is the one line skipped: it is "posted before", so importing a file again posts
nothing twice. A line without a transaction id is never skipped: when it has the account,
amount and day of another line or of an earlier payment it is a possible duplicate, and the
file waits until a supervisor confirms it by its SHA-256 (audited); then every line posts.

The API's online payments go through the same import, so a portal retry and a file line are
judged by the one function `same_payment`.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from engine import audit
from engine.city import today_in_city
from engine.money import format_money, money_text
from engine.money.bounds import BoundError, Ceiling, check_paid_on
from engine.money.business_days import books
from engine.money.gate import Books, LedgerError, Posting, admit_all
from engine.money.limits import city_limits
from engine.money.ledger.bulk import NewPaymentCredit, insert_rows, post_payment_credits
from engine.money.payment_files import LineProblem, PaymentFile, PaymentRow, read_payment_file, rows_sha256, \
    transaction_key
from engine.money.tenders import PaymentError, cash_only_refusal, cash_only_refused
from engine.store.models import Payment, PaymentImport, UtilityAccount

AWAITING = "awaiting_confirmation"
POSTED = "posted"
IMPORT_LOCK = 4472  # PostgreSQL advisory lock: one payment import at a time (SQLite's write lock does it there)
BATCH = 500  # values per IN (...) list


@dataclass(frozen=True)
class Confirmation:
    """A supervisor's word that a file's possible duplicates are real payments: the file's SHA-256, and who."""

    file_sha256: str
    by: str


@dataclass(frozen=True)
class EarlierPayment:
    """A payment already posted, as a line of a file is compared with it."""

    payment_id: int
    account_id: int
    account_number: str
    amount_cents: int
    received_on: date
    source: str
    tender: str
    check_number: str
    transaction_id: str | None
    status: str
    actor: str
    posted_at: datetime


@dataclass(frozen=True)
class PossibleDuplicate:
    """A line without a transaction id with the account, amount and day of other lines or earlier payments."""

    row: PaymentRow
    other_lines: tuple[int, ...]
    earlier: tuple[EarlierPayment, ...]


@dataclass(frozen=True)
class LineBounds:
    """What every line of a file must keep within: the ceiling of what it is, and the paid-on window."""

    ceiling: Ceiling
    business_day: date
    days_back: int

    def problems(self, row: PaymentRow) -> list[LineProblem]:
        """A problem for an amount beyond the ceiling and for a paid-on date outside the window."""
        found = []
        if row.amount_cents > self.ceiling.cents:
            found.append(LineProblem(row.line, "amount", self.ceiling.refusal()))
        try:
            check_paid_on(row.paid_on, field="paid_on", business_day=self.business_day, days_back=self.days_back)
        except BoundError as bad:
            found.append(LineProblem(row.line, "paid_on", bad.reason))
        return found


def line_bounds(session: Session, business_day: date, ceiling: str = "import_payment") -> LineBounds:
    """The city's bounds on a file's lines for the business day (`ceiling`: api_payment for the API's payment)."""
    limits = city_limits(session)
    return LineBounds(limits.ceiling(ceiling), business_day, limits.paid_on_days_back)


@dataclass
class FileCheck:
    """What checking a file found: problems, possible duplicates, lines posted before, and the lines to post."""

    problems: list[LineProblem] = field(default_factory=list)
    possible_duplicates: list[PossibleDuplicate] = field(default_factory=list)
    posted_before: dict[int, int] = field(default_factory=dict)  # line -> the payment it is
    to_post: list[tuple[PaymentRow, int]] = field(default_factory=list)  # (row, account id)


@dataclass
class ImportReport:
    """What an import did: posted every line but those posted before, or refused the file, or holds it."""

    file_name: str
    file_sha256: str
    posted: int = 0
    posted_cents: int = 0
    already_posted: int = 0  # lines whose transaction id was posted before as the same payment
    problems: list[LineProblem] = field(default_factory=list)
    possible_duplicates: list[PossibleDuplicate] = field(default_factory=list)
    payment_ids: dict[int, int] = field(default_factory=dict)  # line -> payment, posted now or before
    import_id: int | None = None
    confirmed_by: str | None = None

    @property
    def refused(self) -> bool:
        """True when the file posted nothing because of its problems."""
        return bool(self.problems)

    @property
    def awaiting_confirmation(self) -> bool:
        """True when the file posted nothing until a supervisor confirms its possible duplicates."""
        return not self.problems and bool(self.possible_duplicates) and self.confirmed_by is None


def same_payment(earlier: EarlierPayment, account_id: int, amount_cents: int, paid_on: date) -> bool:
    """True when a payment posted before under a transaction id is this very payment: same account, amount, day."""
    return (earlier.account_id, earlier.amount_cents, earlier.received_on) == (account_id, amount_cents, paid_on)


# --- importing ------------------------------------------------------------------------------


def import_payments(sessions: sessionmaker[Session], rows: list[PaymentRow], *, source: str, file_name: str,
                    now: datetime, chunk: int = BATCH, ceiling: str = "import_payment") -> ImportReport:
    """Import rows read without a file of their own (the API's payment, a test's lines): all or nothing."""
    payment_file = PaymentFile(file_name, source, rows_sha256(source, rows), rows, [])
    return import_payment_file(sessions, payment_file, now=now, batch=chunk, ceiling=ceiling)


def import_payment_file(sessions: sessionmaker[Session], payment_file: PaymentFile, *, now: datetime,
                        by: str | None = None, confirmation: Confirmation | None = None, hold: bool = False,
                        held_id: int | None = None, batch: int = BATCH,
                        ceiling: str = "import_payment") -> ImportReport:
    """Post every line of the file in one transaction, or none; `hold` keeps a file that awaits confirmation.

    The business day is `now`'s date in the city; `ceiling` names the city's ceiling the
    amounts keep within (a payment in a file, or an API payment).
    """
    for attempt in (1, 2, 3):
        try:
            with sessions() as session, session.begin():
                return _import(session, payment_file, now=now, by=by, confirmation=confirmation, hold=hold,
                               held_id=held_id, batch=batch, ceiling=ceiling)
        except (OperationalError, IntegrityError):  # a deadlock, or a key taken meanwhile: check again
            if attempt == 3:
                raise
    raise AssertionError("unreachable")


def confirm_held_import(sessions: sessionmaker[Session], import_id: int, *, file_sha256: str, by: str,
                        now: datetime) -> ImportReport:
    """Post a held file once a supervisor confirms it by the SHA-256 they were shown."""
    with sessions() as session:
        held = session.get(PaymentImport, import_id)
        if held is None or held.content is None:
            raise PaymentError(f"there is no held payment file {import_id}")
        payment_file = read_payment_file(held.content, name=held.file_name, source=held.source)
        received_by = held.received_by
    return import_payment_file(sessions, payment_file, now=now, by=received_by,
                               confirmation=Confirmation(file_sha256, by), held_id=import_id)


def review_held_import(session: Session, import_id: int, *,
                       today: date) -> tuple[PaymentImport, PaymentFile, FileCheck | None]:
    """A file in the register, and, while it waits for confirmation, what checking it finds today (read only)."""
    held = session.get(PaymentImport, import_id)
    if held is None:
        raise PaymentError(f"there is no payment file {import_id}")
    if held.status != AWAITING or held.content is None:
        return held, PaymentFile(held.file_name, held.source, held.file_sha256, [], []), None
    payment_file = read_payment_file(held.content, name=held.file_name, source=held.source)
    return held, payment_file, check_payment_file(session, payment_file, bounds=line_bounds(session, today))


def lock_payment_imports(session: Session) -> None:
    """Take the payment import's turn for this transaction (PostgreSQL; SQLite's BEGIN IMMEDIATE already has it)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"SELECT pg_advisory_xact_lock({IMPORT_LOCK})"))


def _import(session: Session, payment_file: PaymentFile, *, now: datetime, by: str | None,
            confirmation: Confirmation | None, hold: bool, held_id: int | None, batch: int,
            ceiling: str) -> ImportReport:
    """Check the file under the import lock; post it whole, hold it, or refuse it."""
    lock_payment_imports(session)
    report = ImportReport(payment_file.name, payment_file.sha256)
    held = _held(session, held_id, report)
    bounds = line_bounds(session, today_in_city(session, now), ceiling)
    check = check_payment_file(session, payment_file, confirmation, bounds=bounds, batch=batch)
    report.problems.extend(check.problems)
    report.possible_duplicates = check.possible_duplicates
    report.already_posted, report.payment_ids = len(check.posted_before), dict(check.posted_before)
    if report.problems:
        return report
    if check.possible_duplicates and confirmation is None:
        if hold:
            report.import_id = _hold(session, payment_file, by=by, now=now).id
        return report
    register = held or _register_when_needed(session, payment_file, check, by=by, now=now)
    _post(session, check, register, payment_file.source, now=now, report=report)
    if check.possible_duplicates:
        _confirm(session, register, confirmation, check.possible_duplicates, report, now=now)
    report.import_id = register.id if register else None
    return report


def _held(session: Session, held_id: int | None, report: ImportReport) -> PaymentImport | None:
    """The held file being confirmed, or None; a problem when it is not waiting any more."""
    if held_id is None:
        return None
    held = session.get(PaymentImport, held_id, with_for_update=True)
    if held is None or held.status != AWAITING:
        report.problems.append(LineProblem(0, "file", f"payment file {held_id} is not waiting for confirmation "
                                                      f"({held.status if held else 'no such file'})"))
    return held


# --- checking -------------------------------------------------------------------------------


def check_payment_file(session: Session, payment_file: PaymentFile, confirmation: Confirmation | None = None, *,
                       bounds: LineBounds, batch: int = BATCH) -> FileCheck:
    """Every reason the file may not post now, its possible duplicates, and what it would post."""
    check = FileCheck(problems=list(payment_file.problems))
    if confirmation is not None and confirmation.file_sha256.strip().lower() != payment_file.sha256:
        check.problems.append(LineProblem(0, "confirm", f"the confirmation names SHA-256 {confirmation.file_sha256}, "
                                                        f"but this file's SHA-256 is {payment_file.sha256}"))
    rows = payment_file.rows
    accounts = _accounts(session, {r.account_number for r in rows}, batch)
    earlier_by_key = _earlier_by_key(session, {transaction_key(payment_file.source, r.transaction_id)
                                               for r in rows if r.transaction_id}, batch)
    open_books = books(session)
    refused = cash_only_refused(session)
    for row in rows:
        _check_row(check, row, accounts.get(row.account_number), payment_file.source, earlier_by_key,
                   bounds, open_books, refused)
    check.possible_duplicates = _possible_duplicates(session, rows, accounts, batch)
    check.problems.sort(key=lambda p: p.line)
    return check


def _check_row(check: FileCheck, row: PaymentRow, account, source: str, earlier_by_key: dict[str, EarlierPayment],
               bounds: LineBounds, open_books: Books, refused: tuple[str, ...]) -> None:
    """Check one line against the city's bounds, its account, the ledger's gate and the payment its id names."""
    out_of_bounds = bounds.problems(row)
    if out_of_bounds:
        check.problems.extend(out_of_bounds)
        return
    if account is None:
        check.problems.append(LineProblem(row.line, "account_number", f"unknown account {row.account_number}"))
        return
    earlier = earlier_by_key.get(transaction_key(source, row.transaction_id)) if row.transaction_id else None
    if earlier is not None:
        if same_payment(earlier, account.id, row.amount_cents, row.paid_on):
            check.posted_before[row.line] = earlier.payment_id
        else:
            check.problems.append(_reused_transaction(row, earlier))
        return
    refusal = cash_only_refusal(account, row.tender, refused)
    if refusal:
        check.problems.append(LineProblem(row.line, "tender", refusal))
        return
    try:
        admit_all([Posting(account.id, "payment", -row.amount_cents, row.paid_on)], open_books)
    except LedgerError as refused:  # the gate's own field when it names one
        check.problems.append(LineProblem(row.line, getattr(refused, "field", "posting"), str(refused)))
        return
    check.to_post.append((row, account.id))


def _reused_transaction(row: PaymentRow, earlier: EarlierPayment) -> LineProblem:
    """The problem of a transaction id posted before as another payment."""
    return LineProblem(
        row.line, "transaction_id",
        f"transaction id {row.transaction_id!r} was posted before as payment {earlier.payment_id} "
        f"(account {earlier.account_number}, {format_money(earlier.amount_cents)}, paid {earlier.received_on}); "
        f"this line is account {row.account_number}, {format_money(row.amount_cents)}, paid {row.paid_on}",
        earlier_payment_id=earlier.payment_id)


def _possible_duplicates(session: Session, rows: list[PaymentRow], accounts: dict, batch: int
                         ) -> list[PossibleDuplicate]:
    """The lines without a transaction id that look like another line of the file or an earlier payment."""
    def look(row: PaymentRow) -> tuple[int, int, date]:
        """What a payment looks like: account, amount, day paid."""
        return accounts[row.account_number].id, row.amount_cents, row.paid_on

    known = [row for row in rows if row.account_number in accounts]
    lines_by_look: dict[tuple, list[int]] = defaultdict(list)
    for row in known:
        lines_by_look[look(row)].append(row.line)
    without_id = [row for row in known if not row.transaction_id]
    earlier = _earlier_by_look(session, {look(row) for row in without_id}, batch)
    found = []
    for row in without_id:
        others = tuple(line for line in lines_by_look[look(row)] if line != row.line)
        before = tuple(earlier.get(look(row), ()))
        if others or before:
            found.append(PossibleDuplicate(row, others, before))
    return found


# --- reading the database -------------------------------------------------------------------


def _batches(values: Iterable, size: int) -> Iterable[list]:
    """The values in lists of at most `size`, for IN (...) lists."""
    values = sorted(values)
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _accounts(session: Session, numbers: set[str], batch: int) -> dict:
    """The accounts with these numbers (id, number, cash_only), by number."""
    found = {}
    for part in _batches(numbers, batch):
        for account in session.execute(select(UtilityAccount.id, UtilityAccount.number, UtilityAccount.cash_only)
                                       .where(UtilityAccount.number.in_(part))):
            found[account.number] = account
    return found


EARLIER = (Payment.id, Payment.account_id, UtilityAccount.number, Payment.amount_cents, Payment.received_on,
           Payment.source, Payment.tender, Payment.check_number, Payment.transaction_id, Payment.status,
           Payment.actor, Payment.posted_at)


def _earlier_by_key(session: Session, keys: set[str], batch: int) -> dict[str, EarlierPayment]:
    """The payments posted before under these idempotency keys, by key."""
    found = {}
    for part in _batches(keys, batch):
        for key, *values in session.execute(select(Payment.idempotency_key, *EARLIER)
                                            .join(UtilityAccount, UtilityAccount.id == Payment.account_id)
                                            .where(Payment.idempotency_key.in_(part))):
            found[key] = EarlierPayment(*values)
    return found


def _earlier_by_look(session: Session, looks: set[tuple[int, int, date]], batch: int
                     ) -> dict[tuple[int, int, date], list[EarlierPayment]]:
    """The payments posted before with each (account id, amount, day paid), oldest first."""
    found: dict[tuple, list[EarlierPayment]] = defaultdict(list)
    days = sorted({day for _, _, day in looks})
    for part in _batches({account_id for account_id, _, _ in looks}, batch):
        for values in session.execute(select(*EARLIER).join(UtilityAccount, UtilityAccount.id == Payment.account_id)
                                      .where(Payment.account_id.in_(part), Payment.received_on.in_(days))
                                      .order_by(Payment.id)):
            earlier = EarlierPayment(*values)
            look = (earlier.account_id, earlier.amount_cents, earlier.received_on)
            if look in looks:
                found[look].append(earlier)
    return found


# --- posting --------------------------------------------------------------------------------


def _actor(file_name: str) -> str:
    """Who the ledger says posted a file's payments: import: and the file's name."""
    return f"import:{file_name}"[:64]


def _register(session: Session, payment_file: PaymentFile, *, by: str | None, now: datetime,
              status: str = POSTED, content: bytes | None = None) -> PaymentImport:
    """The file's row in the register of payment files."""
    register = PaymentImport(file_name=payment_file.name[:200], source=payment_file.source,
                             file_sha256=payment_file.sha256, status=status, lines=len(payment_file.rows),
                             content=content, received_by=(by or _actor(payment_file.name))[:64], received_at=now,
                             posted_count=0, posted_cents=0, posted_before=0)
    session.add(register)
    session.flush()
    return register


def _register_when_needed(session: Session, payment_file: PaymentFile, check: FileCheck, *, by: str | None,
                          now: datetime) -> PaymentImport | None:
    """A register row for a file; none for rows that came without one (the API's) when each has a transaction id."""
    if payment_file.content or any(not row.transaction_id for row, _ in check.to_post):
        return _register(session, payment_file, by=by, now=now)
    return None


def _hold(session: Session, payment_file: PaymentFile, *, by: str | None, now: datetime) -> PaymentImport:
    """Keep the file, as received, until a supervisor confirms its possible duplicates."""
    return _register(session, payment_file, by=by, now=now, status=AWAITING, content=payment_file.content)


def _post(session: Session, check: FileCheck, register: PaymentImport | None, source: str, *, now: datetime,
          report: ImportReport) -> None:
    """Insert the payments and their ledger credits, and note them in the register and the report."""
    actor = _actor(report.file_name)
    keys = {row.line: _payment_key(source, row, register) for row, _ in check.to_post}
    last = session.scalar(select(func.coalesce(func.max(Payment.id), 0)))
    insert_rows(session, Payment.__table__, [
        dict(account_id=account_id, amount_cents=row.amount_cents, tender=row.tender, source=source,
             received_on=row.paid_on, check_number=row.check_number, idempotency_key=keys[row.line],
             transaction_id=row.transaction_id or None, import_id=register.id if register else None, drawer_id=None,
             status="posted", returned_on=None, return_reason="", actor=actor, posted_at=now)
        for row, account_id in check.to_post])
    # The new payments are those after the last id read above (ids only grow), found by their keys.
    wanted = set(keys.values())
    ids = {key: payment_id for key, payment_id in session.execute(
        select(Payment.idempotency_key, Payment.id).where(Payment.id > last)) if key in wanted}
    post_payment_credits(session, [
        NewPaymentCredit(ids[keys[row.line]], account_id, row.amount_cents, row.paid_on, row.tender, source,
                         row.check_number or keys[row.line][:120], actor) for row, account_id in check.to_post],
        now=now)
    report.payment_ids.update({row.line: ids[keys[row.line]] for row, _ in check.to_post})
    report.posted = len(check.to_post)
    report.posted_cents = sum(row.amount_cents for row, _ in check.to_post)
    if register is not None:
        register.status, register.posted_at = POSTED, now
        register.posted_count, register.posted_cents = report.posted, report.posted_cents
        register.posted_before = report.already_posted
        session.flush()


def _payment_key(source: str, row: PaymentRow, register: PaymentImport | None) -> str:
    """A line's idempotency key: its transaction id's, or the file's register row and the line's number."""
    if row.transaction_id:
        return transaction_key(source, row.transaction_id)
    return f"{source}:import:{register.id}:line:{row.line}"


def _confirm(session: Session, register: PaymentImport, confirmation: Confirmation,
             duplicates: list[PossibleDuplicate], report: ImportReport, *, now: datetime) -> None:
    """Note who confirmed the file's possible duplicates, in the register and the audit log."""
    register.confirmed_by, register.confirmed_at = confirmation.by[:64], now
    report.confirmed_by = confirmation.by
    audit.record(session, actor=confirmation.by, action="payments.import_confirmed", subject_type="payment_import",
                 subject_id=register.id, at=now,
                 detail={"file_name": register.file_name, "file_sha256": register.file_sha256,
                         "source": register.source,
                         "rows": [{"line": d.row.line, "account_number": d.row.account_number,
                                   "amount": money_text(d.row.amount_cents), "paid_on": d.row.paid_on.isoformat(),
                                   "payment_id": report.payment_ids.get(d.row.line),
                                   "looks_like_lines": list(d.other_lines),
                                   "looks_like_payments": [e.payment_id for e in d.earlier]} for d in duplicates]})
