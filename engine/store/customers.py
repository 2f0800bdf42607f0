"""The customer record's own tables: dated mailing addresses, labelled phones, notes and their texts, occupants.

Mailing addresses are a dated history: each row is in force from its day until the next
row's (engine.accounts.customer_record.mailing_address_on); the `customers.mailing_*`
columns are the address on file before any dated change. Phones are several, each with a
label; `customers.phone` keeps the first of them (the one searched and exported). Notes
on an account are kept forever: a note is its first row, each edit a new text row, and
the database refuses UPDATE and DELETE on all three (migration 0020_customer_record). Occupants are the
people living at a property whose account is in someone else's name (a landlord's).
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.models import AuditEntry, Base

# The account page's history reads the audit rows of one subject (a customer, a property): kept quick by an index.
Index("ix_audit_log_subject", AuditEntry.subject_type, AuditEntry.subject_id)


class MailingAddress(Base):
    """A customer's mailing address in force from a day (a correction, a forwarding address at move-out)."""

    __tablename__ = "customer_addresses"
    __table_args__ = (Index("ix_customer_addresses_customer_from", "customer_id", "in_force_from"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    street: Mapped[str] = mapped_column(String(160))
    unit: Mapped[str] = mapped_column(String(40), default="")
    city: Mapped[str] = mapped_column(String(80))
    state: Mapped[str] = mapped_column(String(2))
    zip: Mapped[str] = mapped_column(String(10))
    in_force_from: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(120), default="")  # e.g. "forwarding address at move-out"
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime]


class CustomerPhone(Base):
    """One of a customer's phones, with its label ("mobile", "work") and its place in the list."""

    __tablename__ = "customer_phones"
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(40))
    number: Mapped[str] = mapped_column(String(32))


class AccountNote(Base):
    """A note on an account ("called, promised to pay Friday"): who wrote it and when. Never changed or deleted."""

    __tablename__ = "account_notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("utility_accounts.id"), index=True)
    author: Mapped[str] = mapped_column(String(64))
    written_at: Mapped[datetime]


class AccountNoteText(Base):
    """One text of a note: its first, or an edit; the newest is the note, the earlier ones its history."""

    __tablename__ = "account_note_texts"
    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("account_notes.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    written_by: Mapped[str] = mapped_column(String(64))
    written_at: Mapped[datetime]


class Occupant(Base):
    """Someone living at a property whose account is in another's (a landlord's) name: they get the notices the law
    requires too."""

    __tablename__ = "property_occupants"
    id: Mapped[int] = mapped_column(primary_key=True)
    property_id: Mapped[int] = mapped_column(ForeignKey("properties.id"), index=True)
    name: Mapped[str] = mapped_column(String(160))
    # The unit and the city line of the service address: where the occupant's copy of a notice is mailed.
    unit: Mapped[str] = mapped_column(String(40), default="")
    city: Mapped[str] = mapped_column(String(80))
    state: Mapped[str] = mapped_column(String(2))
    zip: Mapped[str] = mapped_column(String(10))
    language: Mapped[str] = mapped_column(String(2), default="en")
    moved_in_on: Mapped[date] = mapped_column(Date)
    moved_out_on: Mapped[date | None] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime]
