"""The phone notification export's file layout: the city's calling vendor's columns, headings and formats.

City data, kept in the city settings (`phone_export_layout`, changed on the city settings page
and audited like every setting) rather than in the delinquency sweep document: a vendor's file
format is not a policy with an effective date for a supervisor to publish, only the shape of a
file, changed on the day the city changes vendors. Until a city saves its own, the sample
city's layout below applies: the file the export has always written.

A layout is a mapping:

    columns  the columns in order, each {field: F, heading: TEXT}; F is one of FIELDS, each at
             most once; TEXT is the vendor's heading (1 to 40 characters, each heading once)
    dates    how the shut-off day is written: iso (2026-11-20, the default) or mm/dd/yyyy (11/20/2026)
    phone    how the phone is written: as_kept (as the customer record holds it, the default) or
             digits (its digits only: 530-555-0142 is 5305550142)
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from engine.numerals import digits_of


class PhoneLine(NamedTuple):
    """One account on a day's phone list, in the export's own fields: what the API answers and a layout writes."""

    account_number: str
    name: str
    phone: str | None
    language: str
    amount: str
    shutoff_on: date

    def fields(self) -> dict[str, Any]:
        """The line by its field names (FIELDS), its day written ISO (2026-11-20)."""
        return {field: value.isoformat() if isinstance(value, date) else value
                for field, value in zip(self._fields, self)}


FIELDS = PhoneLine._fields  # the fields a layout's columns may name
DATE_FORMATS = {"iso": "%Y-%m-%d", "mm/dd/yyyy": "%m/%d/%Y"}
PHONE_FORMATS = ("as_kept", "digits")
KEYS = ("columns", "dates", "phone")
LONGEST_HEADING = 40
SAMPLE_LAYOUT = {"columns": [{"field": field, "heading": field} for field in FIELDS], "dates": "iso",
                 "phone": "as_kept"}


class LayoutError(ValueError):
    """A layout that cannot be kept; the message names the key, and the column (1-based) when it is one."""


@dataclass(frozen=True)
class PhoneLayout:
    """The layout in force: (field, heading) in order, the date format's name and the phone's."""

    columns: tuple[tuple[str, str], ...]
    dates: str = "iso"
    phone: str = "as_kept"

    @property
    def headings(self) -> list[str]:
        """The file's header, in order."""
        return [heading for _, heading in self.columns]

    @property
    def amount_headings(self) -> frozenset[str]:
        """The heading of the amount column (a plain number there stays a number in a spreadsheet)."""
        return frozenset(heading for field, heading in self.columns if field == "amount")

    def row(self, values: dict[str, str]) -> dict[str, str]:
        """One account's row (as scheduled_for_shutoff gives it) under the vendor's headings, its shut-off day and
        phone in the vendor's formats."""
        shutoff_on = date.fromisoformat(values["shutoff_on"])
        written = {**values, "shutoff_on": shutoff_on.strftime(DATE_FORMATS[self.dates])}
        if self.phone == "digits":
            written["phone"] = digits_of(values.get("phone") or "")
        return {heading: written[field] for field, heading in self.columns}


def checked_layout(value: Any) -> dict:
    """The layout cleaned, or a LayoutError naming what is wrong and where."""
    if not isinstance(value, dict):
        raise LayoutError("phone export layout: a mapping of columns (each field and heading), dates and phone")
    unknown = [key for key in value if key not in KEYS]
    if unknown:
        raise LayoutError(f"phone export layout: {unknown[0]!r} is not a key of a layout; the keys are "
                          f"{', '.join(KEYS)}")
    columns = value.get("columns")
    if not isinstance(columns, list) or not columns:
        raise LayoutError("phone export layout: columns is a list of columns, each {field: F, heading: TEXT}")
    cleaned, fields, headings = [], set(), set()
    for number, column in enumerate(columns, 1):
        cleaned.append(_column(number, column, fields, headings))
    dates = value.get("dates", "iso")
    if dates not in DATE_FORMATS:
        raise LayoutError(f"phone export layout: dates {dates!r} is not a date format; use "
                          f"{' or '.join(DATE_FORMATS)}")
    phone = value.get("phone", "as_kept")
    if phone not in PHONE_FORMATS:
        raise LayoutError(f"phone export layout: phone {phone!r} is not a phone format; use "
                          f"{' or '.join(PHONE_FORMATS)}")
    return {"columns": cleaned, "dates": dates, "phone": phone}


def _column(number: int, column: Any, fields: set[str], headings: set[str]) -> dict[str, str]:
    """One column cleaned (noting its field and heading as used), or a LayoutError naming it."""
    where = f"phone export layout: column {number}"
    if not isinstance(column, dict) or set(column) != {"field", "heading"}:
        raise LayoutError(f"{where}: needs exactly field and heading")
    field, heading = column["field"], column["heading"]
    if field not in FIELDS:
        raise LayoutError(f"{where}: {field!r} is not a field of the export; the fields are {', '.join(FIELDS)}")
    if field in fields:
        raise LayoutError(f"{where}: {field} is already a column")
    heading = str(heading).strip() if isinstance(heading, (str, int)) and not isinstance(heading, bool) else ""
    if not heading or len(heading) > LONGEST_HEADING or not heading.isprintable():
        raise LayoutError(f"{where}: the heading of {field} is 1 to {LONGEST_HEADING} printable characters")
    if heading in headings:
        raise LayoutError(f"{where}: the heading {heading!r} is already a column's")
    fields.add(field)
    headings.add(heading)
    return {"field": field, "heading": heading}


def layout_of(kept: dict | None) -> PhoneLayout:
    """The layout a city keeps (its settings' mapping); the sample city's when it keeps none."""
    layout = kept or SAMPLE_LAYOUT
    return PhoneLayout(columns=tuple((column["field"], column["heading"]) for column in layout["columns"]),
                       dates=layout.get("dates", "iso"), phone=layout.get("phone", "as_kept"))
