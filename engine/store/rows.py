"""Writing many rows of one shape at once, through the database driver's executemany."""
from __future__ import annotations

from collections.abc import Callable
from operator import itemgetter
from typing import Any

from sqlalchemy import ColumnElement, Table, literal_column
from sqlalchemy.orm import Session


def insert_rows(session: Session, table: Table, rows: list[dict], *, replacing_on: str | None = None) -> None:
    """INSERT many rows of one shape with the driver's executemany, each value through its column's bind processor.

    The same values SQLAlchemy would send (dates, UTC timestamps, JSON, cents), without its
    per-row statement machinery, which costs more than the database does at billing volumes.
    With `replacing_on` (a unique column), a row whose key is there already replaces that row's other columns.
    """
    if rows:
        insert_columns(session, table, {name: list(map(itemgetter(name), rows)) for name in rows[0]},
                       replacing_on=replacing_on)


def insert_columns(session: Session, table: Table, columns: dict[str, list], *,
                   replacing_on: str | None = None) -> None:
    """`insert_rows` of rows given as columns: each column's name and its values, one per row, all of one length."""
    names = list(columns)
    if not names or not columns[names[0]]:
        return
    connection = session.connection()
    dialect = connection.dialect
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    quote = dialect.identifier_preparer.quote
    statement = (f"INSERT INTO {table.name} ({', '.join(quote(name) for name in names)}) "
                 f"VALUES ({', '.join([marker] * len(names))})")
    if replacing_on is not None:  # the same words on SQLite and PostgreSQL
        statement += (f" ON CONFLICT ({quote(replacing_on)}) DO UPDATE SET "
                      + ", ".join(f"{quote(name)} = excluded.{quote(name)}" for name in names if name != replacing_on))
    values = []
    for name in names:
        process = table.c[name].type._cached_bind_processor(dialect)
        values.append(columns[name] if process is None else _converted(columns[name], process))
    if len({len(column) for column in values}) != 1:
        raise ValueError(f"the columns of rows for {table.name} are not all of one length")
    connection.exec_driver_sql(statement, list(zip(*values)))


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


def unindexed(column: ColumnElement) -> ColumnElement:
    """A text column as an expression no index serves (`column || ''`), to compare in a query that an index on
    other columns should answer.

    SQLite without statistics prefers an index on an equality or a short IN (the review status')
    to one on `IN (..)` a chunk's thousands of ids, and so read every stored read for each chunk
    of a billing run: its time grew with the square of its accounts. PostgreSQL plans by its
    statistics either way.
    """
    return column.concat(literal_column("''"))
