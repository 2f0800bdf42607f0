"""A closed day's reports as they were at its close: the GL export and the daily receipts, as bytes.

`keep_closed_day` stores them when a supervisor closes the day (engine.money.cash.close_day);
from then on `gl_export_csv` and `stored_receipts` serve those bytes, unchanged whatever is
posted later (the gate books it on an open day anyway). A day with no stored bytes (an open
day, or one closed before exports were kept) is computed from its postings.
"""
from __future__ import annotations

import csv
import io
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.exports import write_csv
from engine.money.ledger.journal import JOURNAL_COLUMNS, day_journal
from engine.store.models import ClosedDay


def csv_bytes(rows: list[dict], columns: list[str]) -> bytes:
    """Rows as CSV bytes (UTF-8, CRLF, a header always, spreadsheet-safe): the one way a day's export is written."""
    out = io.StringIO()
    write_csv(out, rows, columns)
    return out.getvalue().encode("utf-8")


def rows_of_csv(data: bytes) -> list[dict]:
    """The rows of stored CSV bytes, as the report functions return them (text)."""
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def stored_day(session: Session, day: date) -> ClosedDay | None:
    """The closed day's row, if the day was closed by itself."""
    return session.scalar(select(ClosedDay).where(ClosedDay.business_date == day))


def stored_receipts(session: Session, day: date) -> list[dict] | None:
    """The daily receipts stored at the day's close, or None when the day has none stored."""
    kept = stored_day(session, day)
    return None if kept is None or kept.receipts_csv is None else rows_of_csv(kept.receipts_csv)


def gl_export_csv(session: Session, day: date) -> bytes:
    """The day's GL export: byte for byte as stored at its close, or as the day's postings stand now."""
    kept = stored_day(session, day)
    if kept is not None and kept.gl_export_csv is not None:
        return kept.gl_export_csv
    return csv_bytes(day_journal(session, day), JOURNAL_COLUMNS)


def keep_closed_day(session: Session, day: date, *, receipts: list[dict], receipt_columns: list[str],
                    closed_by_id: int, now: datetime) -> ClosedDay:
    """Record the day as closed, with its GL export and daily receipts as they are now (books held first)."""
    kept = ClosedDay(business_date=day, closed_at=now, closed_by_id=closed_by_id,
                     gl_export_csv=csv_bytes(day_journal(session, day), JOURNAL_COLUMNS),
                     receipts_csv=csv_bytes(receipts, receipt_columns))
    session.add(kept)
    session.flush()
    return kept
