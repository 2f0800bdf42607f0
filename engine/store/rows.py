"""Writing many rows of one shape at once: on SQLite as statements of many rows each, elsewhere by executemany."""
from __future__ import annotations

import sqlite3
from collections.abc import Callable, Collection
from itertools import chain
from operator import itemgetter
from typing import Any

from sqlalchemy import ColumnElement, Connection, Table, literal_column
from sqlalchemy.orm import Session

from engine.store.types import Cents


# At most this many parameters a statement (SQLite's default limit), even where SQLite allows more (Debian's: 250,000):
# the driver keeps each prepared statement for reuse, and one of 250,000 parameters holds megabytes of program.
STATEMENT_PARAMETERS = 32766


def insert_rows(session: Session, table: Table, rows: list[dict], *, replacing_on: str | None = None) -> None:
    """INSERT many rows of one shape in few statements, each value through its column's bind processor.

    The same values SQLAlchemy would send (dates, UTC timestamps, JSON, cents), without its
    per-row statement machinery, which costs more than the database does at billing volumes.
    With `replacing_on` (a unique column), a row whose key is there already replaces that row's other columns.
    """
    if rows:
        insert_columns(session, table, {name: list(map(itemgetter(name), rows)) for name in rows[0]},
                       replacing_on=replacing_on)


def insert_columns(session: Session, table: Table, columns: dict[str, list], *,
                   replacing_on: str | None = None, json_text: Collection[str] = ()) -> None:
    """`insert_rows` of rows given as columns: each column's name and its values, one per row, all of one length.

    The JSON columns named in `json_text` are given as the JSON text to store, written as the
    column's own serializer would write it (`json.dumps`): stored as it is.
    """
    names = list(columns)
    if not names or not columns[names[0]]:
        return
    connection = session.connection()
    dialect = connection.dialect
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    as_json = marker if dialect.name == "sqlite" else f"CAST({marker} AS json)"  # SQLite keeps JSON as text
    quote = dialect.identifier_preparer.quote
    into = f"INSERT INTO {table.name} ({', '.join(quote(name) for name in names)}) VALUES "
    row = f"({', '.join(as_json if name in json_text else marker for name in names)})"
    replacing = ""
    if replacing_on is not None:  # the same words on SQLite and PostgreSQL
        replacing = (f" ON CONFLICT ({quote(replacing_on)}) DO UPDATE SET "
                     + ", ".join(f"{quote(name)} = excluded.{quote(name)}" for name in names if name != replacing_on))
    values = []
    for name in names:
        column_type = table.c[name].type
        if name in json_text or (isinstance(column_type, Cents) and _whole_cents(columns[name])):
            process = None  # JSON text as it is; cents that are ints already go as they are
        else:
            process = column_type._cached_bind_processor(dialect)
        values.append(columns[name] if process is None else _converted(columns[name], process))
    if len({len(column) for column in values}) != 1:
        raise ValueError(f"the columns of rows for {table.name} are not all of one length")
    rows = list(zip(*values))
    if dialect.name != "sqlite":
        connection.exec_driver_sql(into + row + replacing, rows)
        return
    # SQLite: as many rows a statement as its limit on parameters allows, rather than a statement run
    # for each row: the driver then binds and steps once a statement instead of once a row.
    per = max(1, min(_sqlite_parameters(connection), STATEMENT_PARAMETERS) // len(names))
    for start in range(0, len(rows), per):
        part = rows[start:start + per]
        connection.exec_driver_sql(into + ", ".join([row] * len(part)) + replacing, tuple(chain.from_iterable(part)))


def _sqlite_parameters(connection: Connection) -> int:
    """How many parameters one SQLite statement may have: the connection's limit (Python 3.11 reads it), else
    SQLite's default (STATEMENT_PARAMETERS since SQLite 3.32, 999 before)."""
    dbapi = connection.connection.dbapi_connection
    getlimit = getattr(dbapi, "getlimit", None)
    if getlimit is not None:
        return getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return STATEMENT_PARAMETERS if sqlite3.sqlite_version_info >= (3, 32, 0) else 999


def _whole_cents(values: list) -> bool:
    """Whether every value of a cents column is an int (not a bool): what its bind processor passes as it is."""
    return set(map(type, values)) == {int}


def _converted(values: list, process: Callable[[Any], Any]) -> list:
    """A column's values through its bind processor, each distinct value once.

    Values repeat down a column (a run's dates and moments, zero cents, a shared explanation):
    a hashable value is looked up by its type and value, another (a JSON document) by the
    object itself, which is not changed while the rows are written.
    """
    try:
        keys = list(zip(map(type, values), values))
        done = {key: process(key[1]) for key in set(keys)}
        return list(map(done.__getitem__, keys))
    except Exception:  # an unhashable value (a dict or list for a JSON column), or one the processor refuses:
        pass           # in row order, so the first value refused is the one named
    by_object: dict[int, Any] = {}
    for value in values:
        if id(value) not in by_object:
            by_object[id(value)] = process(value)
    return [by_object[id(value)] for value in values]


def ids_in_order(session: Session, table: Table, before: int, count: int) -> list[int] | None:
    """The ids of the `count` rows just inserted into `table` (by `insert_rows`), in the order given, when SQLite
    numbered them one after another past the largest id `before` them, read in the same transaction; else None
    (PostgreSQL's sequences promise no such thing: read them back).

    SQLite gives a row without an id the largest one plus one, and the transaction holds the only
    write lock from its start: the rows took before + 1, before + 2, .. in turn, as the largest id
    after them (before + count) shows.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return None
    largest = connection.exec_driver_sql(f"SELECT max(id) FROM {table.name}").scalar()
    return list(range(before + 1, before + count + 1)) if largest == before + count else None


def unindexed(column: ColumnElement) -> ColumnElement:
    """A text column as an expression no index serves (`column || ''`), to compare in a query that an index on
    other columns should answer.

    SQLite without statistics prefers an index on an equality or a short IN (the review status')
    to one on `IN (..)` a chunk's thousands of ids, and so read every stored read for each chunk
    of a billing run: its time grew with the square of its accounts. PostgreSQL plans by its
    statistics either way.
    """
    return column.concat(literal_column("''"))
