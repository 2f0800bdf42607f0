"""The bulk writer: chunks reach the database in order, and a failure in the writer thread surfaces."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from samplecity.bulk import BulkWriter
from engine.store.db import make_engine
from engine.store.models import Customer, Property
from engine.store.schema import upgrade


def customer_row(writer: BulkWriter, customer_id: int) -> tuple:
    """A customer row in the database's own form."""
    return (customer_id, f"Customer {customer_id}", "1 Oak Street", "", "Alder Creek", "CA", "95601", "en", "", "",
            writer.moment(date(2026, 3, 2), 9 * 60))


COLUMNS = ("id", "name", "mailing_street", "mailing_unit", "mailing_city", "mailing_state", "mailing_zip",
           "language", "phone", "email", "created_at")


def test_rows_are_written_in_chunks_parents_first(committing_url: str) -> None:
    engine = make_engine(committing_url)
    try:
        with engine.connect() as connection, connection.begin():
            writer = BulkWriter(connection, "America/Los_Angeles", chunk=7)
            customers = writer.declare("customers", COLUMNS)
            properties = writer.declare("properties", ("id", "parcel", "service_address", "owner_id"))
            for n in range(1, 31):
                customers.append(customer_row(writer, n))
                properties.append((n, f"012-001-{n:03d}", f"{n} Oak Street", n))
                writer.flush_full()
            writer.finish()
            assert writer.written == {"customers": 30, "properties": 30}
            assert connection.scalar(select(func.count()).select_from(Property)) == 30
            created = connection.scalar(select(Customer.created_at).where(Customer.id == 1))
            assert created.hour == 17  # 09:00 in Alder Creek in March is 17:00 UTC
    finally:
        engine.dispose()


def test_a_failure_in_the_writer_is_raised_and_the_load_rolled_back(committing_url: str) -> None:
    engine = make_engine(committing_url)
    try:
        with pytest.raises(IntegrityError):
            with engine.connect() as connection, connection.begin():
                writer = BulkWriter(connection, "America/Los_Angeles", chunk=5)
                customers = writer.declare("customers", COLUMNS)
                for n in (1, 2, 3, 3, 4, 5):  # customer 3 twice
                    customers.append(customer_row(writer, n))
                writer.finish()
        with engine.connect() as connection:
            assert connection.scalar(select(func.count()).select_from(Customer)) == 0
    finally:
        engine.dispose()


def test_an_in_memory_sqlite_database_is_written_without_a_thread() -> None:
    engine = make_engine("sqlite://")
    try:
        upgrade(engine)
        with engine.connect() as connection, connection.begin():
            writer = BulkWriter(connection, "America/Los_Angeles")
            assert writer.thread is None
            writer.declare("customers", COLUMNS).append(customer_row(writer, 1))
            writer.finish()
            assert connection.scalar(select(func.count()).select_from(Customer)) == 1
    finally:
        engine.dispose()
