"""On PostgreSQL, a loaded table's foreign keys and secondary indexes set aside while the city is written.

Checked and indexed row by row, the millions of rows of a large city cost PostgreSQL far more
than the rows themselves: every row queues a foreign-key check per reference and updates each
index (the trigram indexes of the search pages most of all). Built once over a full table, an
index is one sort and a foreign key one join. So, inside the load's one transaction, the
loader drops the foreign keys of the tables it fills and the indexes that back no constraint
(primary keys and unique constraints stay and check as rows arrive), writes the city, and puts
them back from their own definitions (`pg_get_indexdef`, `pg_get_constraintdef`), under the
same names: the schema after the load is the schema before it, and a row breaking a key still
fails the load. The tables are then analysed: the workflow services that open the cases next
(and the first pages after the load) would otherwise plan over tables without statistics, and
an account's ledger read through the wrong index costs a scan of thousands of rows. Until the
load commits its tables are locked (an empty city has nothing to read yet); if it fails, the
rollback restores what was dropped.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, text

INDEX_MEMORY = "512MB"  # maintenance_work_mem while the indexes are built: a million accounts' keys sort in memory

FOREIGN_KEYS = text("""
    SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', conrelid::regclass, conname) AS drop,
           format('ALTER TABLE %s ADD CONSTRAINT %I %s', conrelid::regclass, conname, pg_get_constraintdef(oid)) AS add
    FROM pg_constraint
    WHERE contype = 'f' AND conrelid = ANY(CAST(:tables AS regclass[]))
    ORDER BY conrelid::regclass::text, conname""")
SECONDARY_INDEXES = text("""
    SELECT format('DROP INDEX %s', i.indexrelid::regclass) AS drop, pg_get_indexdef(i.indexrelid) AS add
    FROM pg_index i
    WHERE i.indrelid = ANY(CAST(:tables AS regclass[]))
      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid
                      AND c.contype IN ('p', 'u', 'x'))
    ORDER BY i.indrelid::regclass::text, i.indexrelid::regclass::text""")


@dataclass(frozen=True)
class SetAside:
    """What was dropped, as the statements that put it back (indexes first: the keys' checks use them)."""

    tables: tuple[str, ...]
    indexes: tuple[str, ...]
    foreign_keys: tuple[str, ...]

    @property
    def statements(self) -> tuple[str, ...]:
        """Every statement that puts something back, in the order they run."""
        return self.indexes + self.foreign_keys


def set_aside(connection: Connection, tables: tuple[str, ...]) -> SetAside:
    """Drop the foreign keys and the constraint-free indexes of `tables`; return how to put them back."""
    keys = connection.execute(FOREIGN_KEYS, {"tables": list(tables)}).all()
    indexes = connection.execute(SECONDARY_INDEXES, {"tables": list(tables)}).all()
    for dropped in keys + indexes:  # the keys first: one may lean on an index
        connection.exec_driver_sql(dropped.drop)
    return SetAside(tables, tuple(index.add for index in indexes), tuple(key.add for key in keys))


def put_back(connection: Connection, aside: SetAside) -> None:
    """Build the indexes again, add the foreign keys again (each checked over its whole table), and analyse the tables.

    The larger sort memory lasts until the load's transaction ends."""
    connection.exec_driver_sql(f"SET LOCAL maintenance_work_mem = '{INDEX_MEMORY}'")
    for statement in aside.statements:
        connection.exec_driver_sql(statement)
    connection.exec_driver_sql("ANALYZE " + ", ".join(aside.tables))
