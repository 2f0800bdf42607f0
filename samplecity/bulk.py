"""Writing a whole city quickly: rows in chunks, through COPY on PostgreSQL and executemany on SQLite.

The sample city is millions of rows; building ORM objects or letting SQLAlchemy process
each parameter would take minutes. The loader assigns every primary key itself and hands
rows over as tuples whose values are already in the database's own form (`day`,
`moment`, `document` below). On PostgreSQL a chunk is one `COPY ... FROM STDIN` on the
driver's own connection (psycopg writes each row as COPY text: dates, naive UTC moments,
JSON text, booleans and None come out as the INSERT would have stored them); an INSERT
per row would leave PostgreSQL parsing and planning millions of statements. On SQLite a
chunk is an executemany of many-row INSERTs. A writer thread sends the chunks on the
loader's connection, inside its one transaction, while the loader makes the next ones: the
drivers let go of Python's lock while the database works, so the two overlap on a second
core. The loader touches the connection again only after `finish`.
"""
from __future__ import annotations

import json
import queue
import threading
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta
from itertools import chain
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Table
from sqlalchemy.exc import DBAPIError

from engine.store.models import Base

CHUNK = 10_000
ROWS_PER_STATEMENT = 50
SQLITE_PARAMETERS = 999  # the smallest limit of any SQLite still in use
QUEUED_CHUNKS = 8  # how far generation may run ahead of the database


class Insert(NamedTuple):
    """A table's INSERT for one row and for `per` rows at once (SQLite), or its COPY (PostgreSQL)."""

    one: str
    many: str
    per: int
    copy: str = ""


class StoredForms(dict):
    """Values in the database's form, each worked out once: dates and moments repeat by the million."""

    def __init__(self, convert: Callable[[Any], Any]) -> None:
        """Convert new keys with `convert`."""
        super().__init__()
        self.convert = convert

    def __missing__(self, key: Any) -> Any:
        """Convert a value not seen before and keep it."""
        value = self[key] = self.convert(key)
        return value


class BulkWriter:
    """Rows for several tables, sent in chunks of CHUNK per table by a writer thread."""

    def __init__(self, connection: Connection, time_zone: str, chunk: int = CHUNK) -> None:
        """Write on `connection`; local times of day are in `time_zone`."""
        self.connection = connection
        self.chunk = chunk
        self.sqlite = connection.dialect.name == "sqlite"
        self.copying = connection.dialect.name == "postgresql"
        self.raw = connection.connection.driver_connection if self.copying else None  # psycopg's own connection
        self.zone = ZoneInfo(time_zone)
        self.statements: dict[str, Insert] = {}
        self.pending: dict[str, list[tuple]] = {}
        self.written: Counter[str] = Counter()
        self.days = StoredForms(lambda day: day.isoformat() if self.sqlite else day)
        self.moments = StoredForms(self._moment)
        self.offsets: dict[date, timedelta] = {}
        self.chunks: queue.Queue = queue.Queue(maxsize=QUEUED_CHUNKS)
        self.failure: BaseException | None = None
        self.thread: threading.Thread | None = None
        if not (self.sqlite and (connection.engine.url.database or ":memory:") == ":memory:"):
            # (an in-memory SQLite database belongs to the thread that opened it: written in turn)
            self.thread = threading.Thread(target=self._write_chunks, name="demo-writer", daemon=True)
            self.thread.start()

    def declare(self, table_name: str, columns: tuple[str, ...]) -> list[tuple]:
        """Prepare an INSERT for these columns of a table; return the list to append rows to."""
        table: Table = Base.metadata.tables[table_name]
        return self._declare(table.name, tuple(table.c[column].name for column in columns))

    def declare_staging(self, table_name: str, definition: str, columns: tuple[str, ...]) -> list[tuple]:
        """A temporary table of the load's own (`CREATE TEMPORARY TABLE name (definition)`), to fill like any other."""
        self.execute(f"CREATE TEMPORARY TABLE {table_name} ({definition})")
        return self._declare(table_name, columns)

    def execute(self, statement: str) -> None:
        """Run one SQL statement in turn with the chunks before and after it."""
        self._hand_over((statement, None))

    def _declare(self, table_name: str, columns: tuple[str, ...]) -> list[tuple]:
        """Prepare the INSERTs of a table's columns."""
        quote = self.connection.dialect.identifier_preparer.quote
        mark = "?" if self.connection.dialect.paramstyle == "qmark" else "%s"
        names = ", ".join(quote(column) for column in columns)
        values = f"({', '.join(mark for _ in columns)})"
        # SQLite steps through a statement of many rows faster than through many statements of one.
        per = min(ROWS_PER_STATEMENT, SQLITE_PARAMETERS // len(columns)) if self.sqlite else 1
        self.statements[table_name] = Insert(f"INSERT INTO {quote(table_name)} ({names}) VALUES {values}",
                                             f"INSERT INTO {quote(table_name)} ({names}) VALUES "
                                             + ", ".join([values] * per), per,
                                             f"COPY {quote(table_name)} ({names}) FROM STDIN" if self.copying else "")
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

    def finish(self) -> None:
        """Send what is pending, wait until the database has it all, and raise what went wrong there."""
        self.flush()
        self._stop()
        if self.failure is not None:
            raise self.failure

    def abandon(self) -> None:
        """Stop the writer thread without writing what is still queued (the load is failing anyway)."""
        self.failure = self.failure or RuntimeError("the load was abandoned")
        self._stop()

    def _stop(self) -> None:
        """Let the writer thread finish the queue and end."""
        if self.thread is not None and self.thread.is_alive():
            self.chunks.put(None)
            self.thread.join()

    def _send(self, table_name: str, rows: list[tuple]) -> None:
        """Hand a table's pending rows over to be written."""
        self._hand_over((self.statements[table_name], rows[:]))
        self.written[table_name] += len(rows)
        rows.clear()

    def _hand_over(self, chunk: tuple) -> None:
        """Queue a chunk for the writer thread (or write it now without one); raise its earlier failure."""
        if self.thread is None:
            self._execute(*chunk)
            return
        if self.failure is not None:
            self._stop()
            raise self.failure
        self.chunks.put(chunk)

    def _write_chunks(self) -> None:
        """The writer thread: one COPY or executemany per chunk, in order; after a failure, only drain."""
        while (chunk := self.chunks.get()) is not None:
            if self.failure is None:
                try:
                    self._execute(*chunk)
                except BaseException as error:  # handed to the loader's thread by finish()
                    self.failure = error

    def _execute(self, insert: Insert | str, rows: list[tuple] | None) -> None:
        """Insert rows (one COPY; or as many as fit in the many-row statement, then the rest one by one), or run a
        statement."""
        if rows is None:
            self.connection.exec_driver_sql(insert)
            return
        if insert.copy:
            driver_error = self.connection.dialect.loaded_dbapi.Error
            try:
                with self.raw.cursor() as cursor, cursor.copy(insert.copy) as copy:
                    write = copy.write_row
                    for row in rows:
                        write(row)
            except driver_error as error:  # raised as SQLAlchemy raises its own statements' errors
                raise DBAPIError.instance(insert.copy, None, error, driver_error) from error
            return
        per, whole = insert.per, len(rows) - len(rows) % insert.per
        if per > 1 and whole:
            self.connection.exec_driver_sql(insert.many, [tuple(chain.from_iterable(rows[start:start + per]))
                                                          for start in range(0, whole, per)])
        else:
            whole = 0
        if whole < len(rows):
            self.connection.exec_driver_sql(insert.one, rows[whole:])

    # --- values in the database's own form ------------------------------------------------

    def day(self, value: date | None) -> Any:
        """A calendar date as the column stores it."""
        return None if value is None else self.days[value]

    def moment(self, day: date, minutes: int) -> Any:
        """The moment `minutes` after local midnight of `day` in the city, as a UTC column stores it."""
        return self.moments[(day, minutes)]

    def _moment(self, key: tuple[date, int]) -> Any:
        """Work out one local moment in UTC (the day's offset taken at noon)."""
        day, minutes = key
        offset = self.offsets.get(day)
        if offset is None:
            noon = datetime(day.year, day.month, day.day, 12, tzinfo=self.zone)
            offset = self.offsets[day] = noon.utcoffset() or timedelta(0)
        utc = datetime(day.year, day.month, day.day) + timedelta(minutes=minutes) - offset
        return f"{utc.isoformat(' ')}.000000" if self.sqlite else utc  # SQLAlchemy's SQLite form

    @staticmethod
    def document(value: Any) -> str:
        """A JSON column's value as JSON text."""
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
