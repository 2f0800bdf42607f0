"""Writing many rows of one shape at once, through the database driver's executemany."""
from __future__ import annotations

from operator import itemgetter

from sqlalchemy import Table
from sqlalchemy.orm import Session


def insert_rows(session: Session, table: Table, rows: list[dict], *, replacing_on: str | None = None) -> None:
    """INSERT many rows of one shape with the driver's executemany, each value through its column's bind processor.

    The same values SQLAlchemy would send (dates, UTC timestamps, JSON, cents), without its
    per-row statement machinery, which costs more than the database does at billing volumes.
    With `replacing_on` (a unique column), a row whose key is there already replaces that row's other columns.
    """
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    names = list(rows[0])
    processors = [table.c[name].type._cached_bind_processor(dialect) for name in names]
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    quote = dialect.identifier_preparer.quote
    columns = ", ".join(quote(name) for name in names)
    statement = f"INSERT INTO {table.name} ({columns}) VALUES ({', '.join([marker] * len(names))})"
    if replacing_on is not None:  # the same words on SQLite and PostgreSQL
        statement += (f" ON CONFLICT ({quote(replacing_on)}) DO UPDATE SET "
                      + ", ".join(f"{quote(name)} = excluded.{quote(name)}" for name in names if name != replacing_on))
    values = itemgetter(*names)
    converted = [(i, process) for i, process in enumerate(processors) if process is not None]
    params = []
    for row in rows:
        row_values = list(values(row)) if len(names) > 1 else [values(row)]
        for i, process in converted:
            row_values[i] = process(row_values[i])
        params.append(tuple(row_values))
    connection.exec_driver_sql(statement, params)
