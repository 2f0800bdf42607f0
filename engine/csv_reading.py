"""Reading a CSV file someone sent (a bank's payment file, a meter-read file): the reader's own failures named.

Python's csv reader stops a file with `csv.Error` on a line it cannot split, such as one whose
value is longer than its field limit (131,072 characters: a 5 MB line). `records` gives the
reader's records and turns that stop into an UnreadableLine naming the line, so the file is
refused whole with the line named; `control_character` finds a character no value of such a
file holds (NUL, escape, a newline inside quotes), which PostgreSQL text cannot always keep.
"""
from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterator
from typing import Any


class UnreadableLine(ValueError):
    """A line of a CSV file that the csv reader cannot split; says which line and why."""

    def __init__(self, line: int, reason: str) -> None:
        """Keep the line and the reason."""
        super().__init__(f"line {line} cannot be read: {reason}")
        self.line, self.reason = line, reason


def _reason(error: csv.Error) -> str:
    """The csv reader's complaint in words."""
    if "field larger than field limit" in str(error):
        return f"a value is longer than {csv.field_size_limit():,} characters"
    return str(error)


def _line(reader: Any) -> int:
    """The line the reader stopped on (a DictReader counts a line only once it is read whole: its reader's count)."""
    return getattr(reader, "reader", reader).line_num


def records(reader: Any) -> Iterator[Any]:
    """Each record of a csv reader or DictReader (its header read first), or an UnreadableLine for the line that
    cannot be split."""
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise UnreadableLine(_line(reader), _reason(error)) from None
        yield record


def header(reader: csv.DictReader) -> list[str] | None:
    """A DictReader's header (None for an empty file), or an UnreadableLine when its first line cannot be split or
    names a column twice (a DictReader keeps the last of the two: a second amount column was the amount posted)."""
    try:
        names = reader.fieldnames
    except csv.Error as error:
        raise UnreadableLine(_line(reader), _reason(error)) from None
    twice = named_twice(names or [])
    if twice:
        raise UnreadableLine(_line(reader), twice)
    return names


def named_twice(names: list[str]) -> str | None:
    """Why a header will not do when it names a column twice (its names stripped; blank ones aside), or None."""
    first: dict[str, int] = {}
    for number, name in enumerate(names, start=1):
        name = name.strip()
        if name and name in first:
            return (f"it names the column {name} twice (columns {first[name]} and {number}), so which one holds "
                    "the value is not known")
        first.setdefault(name, number)
    return None


def fields_counted(fields: int, width: int) -> str:
    """What a line that does not fit its header is told: how many fields it has against the header's."""
    return f"has {fields} fields; the header has {width}"


def beyond_header(extra: list[str] | None, width: int) -> str | None:
    """Why a line will not do when it has values after its header's last column (a comma too many shifts every
    value after it, so none of the line can be trusted), or None; empty trailing fields are let be."""
    if extra and any(value.strip() for value in extra):
        return fields_counted(width + len(extra), width)
    return None


class NotUtf8Text(ValueError):
    """A file whose bytes are not UTF-8 text; says which byte."""


def utf8_text(content: bytes, name: str) -> str:
    """A file's bytes as UTF-8 text (a byte-order mark dropped), or NotUtf8Text naming the first byte that is not.

    UTF-16 (a spreadsheet's "Unicode text") is named as such: without its byte-order mark it decodes as UTF-8
    with a NUL in every other byte, and was refused for a header that lacked every column."""
    utf16 = content[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in content[:2]
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as bad:
        at = bad.start + 1
    else:
        if not utf16:
            return text
        at = content.index(b"\x00") + 1
    hint = "; it looks like UTF-16: save it as UTF-8" if utf16 else ""
    raise NotUtf8Text(f"{name} is not UTF-8 text (byte {at} cannot be read{hint})")


def lines(text: str) -> Iterator[str]:
    """A file's text as the csv reader wants its lines: split at CR LF, LF or a lone CR, and nowhere else
    (str.splitlines also splits at U+2028, U+0085, a form feed: a value holding one became two lines)."""
    return iter(io.StringIO(text, newline=""))


def control_character(value: str) -> str | None:
    """The first control character in a value as U+XXXX (a tab, a newline, NUL, escape), or None."""
    for character in value:
        if unicodedata.category(character) in ("Cc", "Zl", "Zp"):  # U+2028 and U+2029 end a line as a newline does
            return f"U+{ord(character):04X}"
    return None
