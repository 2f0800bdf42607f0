"""Writing a whole city quickly: rows in chunks through the database driver's executemany.

The sample city is millions of rows; building ORM objects or letting SQLAlchemy process
each parameter would take minutes. The loader assigns every primary key itself and hands
rows over as tuples whose values are already in the database's own form (`day`,
`moment`, `document` below), and the writer sends them in chunks on the loader's
connection, inside its one transaction.
"""
from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Table

from engine.store.models import Base

CHUNK = 10_000


class BulkWriter:
    """Rows for several tables, sent in chunks of CHUNK per table."""

    def __init__(self, connection: Connection, time_zone: str, chunk: int = CHUNK) -> None:
        """Write on `connection`; local times of day are in `time_zone`."""
        self.connection = connection
        self.chunk = chunk
        self.sqlite = connection.dialect.name == "sqlite"
        self.zone = ZoneInfo(time_zone)
        self.statements: dict[str, str] = {}
        self.pending: dict[str, list[tuple]] = {}
        self.written: Counter[str] = Counter()
        self.offsets: dict[date, timedelta] = {}

    def declare(self, table_name: str, columns: tuple[str, ...]) -> list[tuple]:
        """Prepare an INSERT for these columns of a table; return the list to append rows to."""
        table: Table = Base.metadata.tables[table_name]
        quote = self.connection.dialect.identifier_preparer.quote
        mark = "?" if self.connection.dialect.paramstyle == "qmark" else "%s"
        names = ", ".join(quote(table.c[column].name) for column in columns)
        self.statements[table_name] = (f"INSERT INTO {quote(table.name)} ({names}) "
                                       f"VALUES ({', '.join(mark for _ in columns)})")
        return self.pending.setdefault(table_name, [])

    def flush_full(self) -> None:
        """Once any table's pending rows reach a chunk, send them all (parents before the rows that refer to them)."""
        if any(len(rows) >= self.chunk for rows in self.pending.values()):
            self.flush()

    def flush(self) -> None:
        """Send every pending row (tables in the order they were declared, parents first)."""
        for table_name, rows in self.pending.items():
            if rows:
                self._send(table_name, rows)

    def _send(self, table_name: str, rows: list[tuple]) -> None:
        """One executemany for a table's pending rows."""
        self.connection.exec_driver_sql(self.statements[table_name], rows)
        self.written[table_name] += len(rows)
        rows.clear()

    # --- values in the database's own form ------------------------------------------------

    def day(self, value: date | None) -> Any:
        """A calendar date as the column stores it."""
        if value is None:
            return None
        return value.isoformat() if self.sqlite else value

    def moment(self, day: date, minutes: int) -> Any:
        """The moment `minutes` after local midnight of `day` in the city, as a UTC column stores it."""
        offset = self.offsets.get(day)
        if offset is None:
            noon = datetime(day.year, day.month, day.day, 12, tzinfo=self.zone)
            offset = self.offsets[day] = noon.utcoffset() or timedelta(0)
        utc = datetime(day.year, day.month, day.day) + timedelta(minutes=minutes) - offset
        return f"{utc.isoformat(' ')}.000000" if self.sqlite else utc  # SQLAlchemy's SQLite form

    def utc(self, moment: datetime) -> Any:
        """An aware datetime as a UTC column stores it."""
        naive = moment.astimezone(timezone.utc).replace(tzinfo=None)
        return naive.strftime("%Y-%m-%d %H:%M:%S.%f") if self.sqlite else naive

    @staticmethod
    def document(value: Any) -> str:
        """A JSON column's value as JSON text."""
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
