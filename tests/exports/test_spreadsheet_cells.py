"""Each CSV cell as a spreadsheet will read it: formulas written as text, amounts left as numbers."""
from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from engine.exports import spreadsheet_cell, write_csv
from engine.statements.batch import PostalSummary


@pytest.mark.parametrize(("written", "number_column", "cell"), [
    ('=HYPERLINK("x")', False, '\'=HYPERLINK("x")'),  # a customer's name that would be a link in the sheet
    ("+1", False, "'+1"),
    ("-1", False, "'-1"),  # a name is text, even one that reads like a number
    ("@x", False, "'@x"),
    ("\t=1+1", False, "'\t=1+1"),
    ("\r=1+1", False, "'\r=1+1"),
    ("O'Connell", False, "O'Connell"),
    ("Hmong Family Market LLC", False, "Hmong Family Market LLC"),
    ("", False, ""),
    (None, False, None),
    ("-12.50", True, "-12.50"),  # a credit balance in the amount column stays a number
    ("-$1,234.50", True, "-$1,234.50"),
    ("+12.50", True, "'+12.50"),  # the reports never write a plus sign: text, escaped
    ("-1+2", True, "'-1+2"),  # a formula in an amount column is still a formula
    ("=SUM(A1:A9)", True, "'=SUM(A1:A9)"),
    ("-1e5", True, "'-1e5"),
    ("-١٢٣", True, "'-١٢٣"),  # another script's digits are not one of the reports' amounts: text, escaped
    (Decimal("-52.03"), False, Decimal("-52.03")),  # a value the writer was given as a number
    (-3, False, -3),
])
def test_a_cell_is_escaped_unless_it_is_a_number(written, number_column, cell):
    assert spreadsheet_cell(written, number_column=number_column) == cell


def test_write_csv_escapes_every_text_cell_and_keeps_the_amounts():
    """A credit of $12.50 for a customer named -1: the name is text, the balance a number."""
    out = io.StringIO()
    count = write_csv(out, [{"customer": "-1", "balance": "-12.50", "note": "@x"}])
    assert count == 1
    assert list(csv.DictReader(io.StringIO(out.getvalue()))) == [
        {"customer": "'-1", "balance": "-12.50", "note": "'@x"}]


def test_write_csv_with_columns_writes_the_header_even_with_no_rows():
    out = io.StringIO()
    assert write_csv(out, [], ["drawer", "tender"]) == 0
    assert out.getvalue() == "drawer,tender\r\n"


def test_the_statements_postal_summary_escapes_its_cells_too():
    """The print shop's postal summary is a CSV a clerk opens: a ZIP typed as a formula is written as text."""
    summary = PostalSummary()
    summary.add('=HYPERLINK("x")', "en", 2)
    summary.add("95620", "-1", 1)
    rows = list(csv.DictReader(io.StringIO(summary.csv())))
    assert rows[:2] == [{"zip": "95620", "language": "'-1", "pieces": "1", "pages": "1"},
                        {"zip": "'=HYPERLINK(\"x\")", "language": "en", "pieces": "1", "pages": "2"}]
    assert summary.csv().startswith("zip,language,pieces,pages\n")
