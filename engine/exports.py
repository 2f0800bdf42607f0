"""CSV exports a clerk opens in a spreadsheet: every CSV Ordinance writes goes through `write_csv`.

A spreadsheet runs a cell that starts with = + - or @ as a formula (and some read a tab or
a carriage return in front of one the same way), so a customer named =HYPERLINK(...) could
plant a link or a command in the clerk's sheet. `spreadsheet_cell` decides each cell.
"""
from __future__ import annotations

import csv
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, TextIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# An amount or count as the reports write it: -12.50, 1234, $1,234.50, -$52.03. Never a formula.
PLAIN_NUMBER = re.compile(r"-?\$?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?")  # ASCII digits: \d takes any script's
# Columns of amounts and counts across the exports; a text cell there that is a plain number stays a number.
NUMBER_COLUMNS = frozenset({
    "amount", "balance", "current", "days_1_30", "days_31_60", "days_61_90", "over_90", "past_due_balance",
    "days_past_due", "total", "billed", "bills", "payments", "consumption_ccf", "average_ccf", "debit", "credit",
    "expected", "counted", "variance",
})


def spreadsheet_cell(value: Any, *, number_column: bool = False) -> Any:
    """A cell as written to a CSV, escaped so a spreadsheet never runs it as a formula.

    The rule (OWASP's for CSV injection, kept for text only): a text cell that starts with
    = + - @, a tab or a carriage return gets a single quote in front ('=HYPERLINK(...),
    '-1), which a spreadsheet shows and does not run. Numbers are left as they are so a
    column of amounts still adds up: a value given as a number (int, Decimal, float), and,
    in a column of amounts or counts, text that is exactly a plain number such as -12.50 or
    -$1,234.50 (a spreadsheet reads those as numbers, never as formulas). So -12.50 in the
    amount column stays a number, while a customer named -1 is written '-1.
    """
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    text = str(value)
    if not text.startswith(FORMULA_STARTS):
        return text
    if number_column and PLAIN_NUMBER.fullmatch(text):
        return text
    return "'" + text


def spreadsheet_row(row: Mapping[str, Any], numbers: Collection[str] = NUMBER_COLUMNS) -> dict[str, Any]:
    """A row with every cell escaped by spreadsheet_cell (its column says whether it holds numbers)."""
    return {column: spreadsheet_cell(value, number_column=column in numbers) for column, value in row.items()}


def write_csv(out: TextIO, rows: Iterable[Mapping[str, Any]], columns: Sequence[str] | None = None, *,
              numbers: Collection[str] = NUMBER_COLUMNS, lineterminator: str = "\r\n") -> int:
    """Rows as CSV with a header (`columns`, else the first row's keys), each cell escaped; how many rows.

    With neither columns nor rows nothing is written, not even a header.
    """
    writer = None if columns is None else _writer(out, columns, numbers, lineterminator)
    count = 0
    for row in rows:
        if writer is None:
            writer = _writer(out, list(row), numbers, lineterminator)
        writer.writerow(spreadsheet_row(row, numbers))
        count += 1
    return count


def _writer(out: TextIO, columns: Sequence[str], numbers: Collection[str], lineterminator: str) -> csv.DictWriter:
    """A DictWriter for the columns, its header already written (escaped like any cell)."""
    writer = csv.DictWriter(out, list(columns), lineterminator=lineterminator)
    writer.writerow({column: spreadsheet_cell(column) for column in columns})
    return writer
