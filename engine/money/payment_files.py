"""Payment files from the bank's lockbox and the online portal, read whole, with every bad line named.

Payment files are CSV with a header row (UTF-8, one payment per line):

    account_number,amount,paid_on,tender,check_number,transaction_id
    100-000123,52.03,2026-03-04,check,1042,LBX-20260304-0001

`account_number`, `amount` (plain dollars such as 52.03: no $, commas or exponent; more
than zero) and `paid_on` (YYYY-MM-DD) are required; `tender` is check, card or ach (default:
check for lockbox files, card for online ones); `check_number` (at most 32 characters) and
`transaction_id` are optional.

A lockbox file may give the bill stub's scan line instead, in a `scan_line` column
(engine.money.scanline: `000123-01 0000009745 9`): its account number and amount stand
for the `account_number` and `amount` columns, which may then be left out or empty. An
amount written in the `amount` column is what was paid (a check for part of the bill) and
wins over the stub's; an account number written must be the stub's. A scan line whose check
digit fails is refused on its line, as any field that does not read.

    scan_line,paid_on,check_number
    000123-01 0000009745 9,2026-03-04,1042

A transaction id is kept whole, however long. The payment's idempotency key is the source
and the id while that fits the key's 128 characters, else the source and the id's SHA-256;
a payment without a transaction id gets a key of its own when it posts (see
engine.money.payment_imports), so no line is ever taken for another by its content.

Reading checks each line alone and against the other lines of the file (a transaction id
twice in one file is refused); what the database knows (accounts, earlier payments, the
city's ceiling for a payment in a file and its paid-on window) is checked when the file is
imported. The file's SHA-256 is the hash of its bytes as received,
what `sha256sum` prints: the name a supervisor confirms a file by.
"""
from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from engine import csv_reading

from engine.money import money_text, to_cents
from engine.money.bounds import LARGEST, BoundError, machine_amount
from engine.money.tenders import DEFAULT_TENDER, FILE_TENDERS, PaymentError
from engine.money.scanline import ScanLineError, read_scan_line

REQUIRED = ("account_number", "amount", "paid_on")
SCAN_LINE = "scan_line"  # stands for account_number and amount
KEY_LENGTH = 128  # payments.idempotency_key
HASHED = "sha256:"
CHECK_NUMBER_LENGTH = 32
TRANSACTION_ID_LENGTH = 1000  # far above a bank's trace number; a longer one is kept by its SHA-256 as its key


@dataclass(frozen=True)
class PaymentRow:
    """One line of a payment file that reads well."""

    line: int
    account_number: str
    amount_cents: int
    paid_on: date
    tender: str
    check_number: str
    transaction_id: str = ""  # "" when the line has none


@dataclass(frozen=True)
class LineProblem:
    """What is wrong with one line (line 0: the file as a whole): the field and why."""

    line: int
    field: str
    message: str
    earlier_payment_id: int | None = None  # the payment a reused transaction id clashes with

    def __str__(self) -> str:
        """'line 7: paid_on: ...', or the message alone for the file as a whole."""
        return f"line {self.line}: {self.field}: {self.message}" if self.line else self.message


@dataclass(frozen=True)
class PaymentFile:
    """A payment file as read: name, source, SHA-256, the lines that read well, every bad line, the bytes."""

    name: str
    source: str
    sha256: str
    rows: list[PaymentRow]
    problems: list[LineProblem]
    content: bytes = b""


def file_sha256(content: bytes) -> str:
    """The SHA-256 (hex) of a file's bytes: what the file is confirmed by."""
    return hashlib.sha256(content).hexdigest()


def transaction_key(source: str, transaction_id: str) -> str:
    """The idempotency key of a payment with a transaction id: the id itself while it fits, else its SHA-256."""
    plain = f"{source}:{transaction_id}"
    if len(plain) <= KEY_LENGTH and not transaction_id.startswith(HASHED):
        return plain
    return f"{source}:{HASHED}{hashlib.sha256(transaction_id.encode()).hexdigest()}"


def read_payment_file(content: bytes, *, name: str, source: str) -> PaymentFile:
    """A payment file from its bytes; PaymentError when it is not UTF-8 CSV with the columns needed, or a line
    cannot be split (a value longer than the csv reader takes)."""
    character = csv_reading.control_character(name)
    if character:
        raise PaymentError(f"the file's name holds a control character ({character}); rename the file")
    try:
        text = csv_reading.utf8_text(content, name)
    except csv_reading.NotUtf8Text as bad:
        raise PaymentError(str(bad)) from None
    rows, problems = parse_payment_file(csv_reading.lines(text), source)
    return PaymentFile(name, source, file_sha256(content), rows, problems, content)


def rows_sha256(source: str, rows: list[PaymentRow]) -> str:
    """A SHA-256 of rows that came without a file (the API's one payment), as a file's would name it."""
    digest = hashlib.sha256(source.encode())
    for row in rows:
        digest.update(repr((row.account_number, row.amount_cents, row.paid_on.isoformat(), row.tender,
                            row.check_number, row.transaction_id)).encode())
    return digest.hexdigest()


def parse_payment_file(lines: Iterable[str], source: str) -> tuple[list[PaymentRow], list[LineProblem]]:
    """The payments of a CSV file, and a problem for each field of each line that cannot be read."""
    if source not in DEFAULT_TENDER:
        raise PaymentError(f"source {source!r} is not lockbox or online")
    reader = csv.DictReader(lines)
    try:
        _check_header(csv_reading.header(reader))
        width = len(reader.fieldnames)
        rows, problems = [], []
        for record in csv_reading.records(reader):
            row, wrong = _read_line(record, reader.line_num, width, source)
            problems.extend(wrong)
            if row is not None:
                rows.append(row)
    except csv_reading.UnreadableLine as unreadable:
        raise PaymentError(f"the payment file's {unreadable}") from None
    if not rows and not problems:
        raise PaymentError("the file has no payments after its header")
    problems.extend(_repeated_transactions(rows))
    return rows, sorted(problems, key=lambda p: p.line)


def _check_header(names: list[str] | None) -> None:
    """Refuse a header without the required columns (a scan_line column stands for account_number and amount)."""
    columns = {(name or "").strip() for name in names or []}
    if SCAN_LINE in columns:
        columns |= {"account_number", "amount"}
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise PaymentError(f"the payment file's header lacks {', '.join(missing)}")


def _read_line(record: dict, line: int, width: int, source: str) -> tuple[PaymentRow | None, list[LineProblem]]:
    """One line read field by field: the row, or None and a problem for every field that is wrong."""
    shape = _shape_problem(record, line, width)
    if shape is not None:
        return None, [shape]
    values = {(k or "").strip(): (v or "").strip() for k, v in record.items() if k is not None}
    controls = [LineProblem(line, column, f"holds a control character ({character}), which no value of a payment "
                                          "file has") for column, value in values.items()
                if (character := csv_reading.control_character(value))]
    if controls:
        return None, controls
    if values.get(SCAN_LINE):
        wrong = _from_scan_line(values, line)
        if wrong is not None:
            return None, [wrong]
    read, problems = {}, []
    for column, attribute, reader in READERS:
        try:
            read[attribute] = reader(values.get(column, ""), source)
        except ValueError as bad:
            problems.append(LineProblem(line, column, str(bad)))
    if problems:
        return None, problems
    return PaymentRow(line=line, **read), []


def _from_scan_line(values: dict[str, str], line: int) -> LineProblem | None:
    """Fill the line's account number and amount from its scan line; a problem when it does not read or agree."""
    try:
        account_number, cents = read_scan_line(values[SCAN_LINE])
    except ScanLineError as bad:
        return LineProblem(line, SCAN_LINE, str(bad))
    written = values.get("account_number", "")
    if written and written != account_number:
        return LineProblem(line, "account_number", f"{written} is not the scan line's account {account_number}")
    values["account_number"] = account_number
    if not values.get("amount"):
        values["amount"] = money_text(cents)
    return None


def _shape_problem(record: dict, line: int, width: int) -> LineProblem | None:
    """A problem when the line has fewer fields than the header, or more that are not empty."""
    extra = [value for value in record.get(None) or [] if value.strip()]
    missing = sum(1 for key, value in record.items() if key is not None and value is None)
    if missing or extra:
        fields = width - missing + len(record.get(None) or [])
        return LineProblem(line, "line", csv_reading.fields_counted(fields, width))
    return None


def _account_number(text: str, _source: str) -> str:
    """The account number as written; refused when empty."""
    if not text:
        raise ValueError("is empty")
    return text


def _amount_cents(text: str, _source: str) -> int:
    """The amount in whole cents: plain dollars with at most two decimals (the machines' reader), more than $0.00."""
    try:
        amount = machine_amount(text, field="amount", ceiling=LARGEST)
    except BoundError as bad:
        raise ValueError(bad.reason) from None
    if amount <= 0:
        raise ValueError(f"{text} is not more than $0.00")
    return to_cents(amount)


def _paid_on(text: str, _source: str) -> date:
    """The day paid, YYYY-MM-DD."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _tender(text: str, source: str) -> str:
    """Check, card or ach; the source's usual tender when empty."""
    tender = text or DEFAULT_TENDER[source]
    if tender not in FILE_TENDERS:
        raise ValueError(f"{tender!r} is not one of {', '.join(FILE_TENDERS)}")
    return tender


def _check_number(text: str, _source: str) -> str:
    """The check's number, at most 32 characters."""
    if len(text) > CHECK_NUMBER_LENGTH:
        raise ValueError(f"has {len(text)} characters; a check number has at most {CHECK_NUMBER_LENGTH}")
    return text


def _transaction_id(text: str, _source: str) -> str:
    """The bank's or portal's transaction id, whole, at most 1,000 characters."""
    if len(text) > TRANSACTION_ID_LENGTH:
        raise ValueError(f"has {len(text):,} characters; a transaction id has at most {TRANSACTION_ID_LENGTH:,}")
    return text


READERS = (("account_number", "account_number", _account_number), ("amount", "amount_cents", _amount_cents),
           ("paid_on", "paid_on", _paid_on), ("tender", "tender", _tender),
           ("check_number", "check_number", _check_number), ("transaction_id", "transaction_id", _transaction_id))


def _repeated_transactions(rows: list[PaymentRow]) -> list[LineProblem]:
    """A problem for each line whose transaction id an earlier line of the file already has."""
    first: dict[str, int] = {}
    problems = []
    for row in rows:
        if not row.transaction_id:
            continue
        if row.transaction_id in first:
            problems.append(LineProblem(row.line, "transaction_id",
                                        f"transaction id {row.transaction_id!r} is also on line "
                                        f"{first[row.transaction_id]}; a transaction is one payment"))
        else:
            first[row.transaction_id] = row.line
    return problems
