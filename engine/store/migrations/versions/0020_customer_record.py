"""customer record: dated mailing addresses, labelled phones, notes kept forever, occupants of a property

`customer_addresses` holds each mailing address with the day it is in force from (the
`customers.mailing_*` columns stay the address on file before any of them); `customer_phones`
the customer's phones with labels (`customers.phone` keeps the first, which the search
documents of 0018 and the phone export read, so the search needs no change); `account_notes`
and `account_note_texts` the notes on an account and every text each had; `property_occupants`
who lives at a property in another's name. Addresses, notes and note texts are append-only
like the ledger (0002): the database refuses UPDATE and DELETE. The customers' phones already
on file become each customer's first phone. An index on the audit log's subject keeps the
account page's history of changes quick.

Revision ID: 0020_customer_record
Revises: 0019_license_verification
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa

import engine.store.types

revision = "0020_customer_record"
down_revision = "0019_license_verification"
branch_labels = None
depends_on = None

APPEND_ONLY = ("customer_addresses", "account_notes", "account_note_texts")


def _trigger(table: str, operation: str) -> str:
    """The trigger refusing one operation on one table (PostgreSQL reuses 0002's function)."""
    name = f"{table}_no_{operation.lower()}"
    if op.get_bind().dialect.name == "postgresql":
        return (f"CREATE TRIGGER {name} BEFORE {operation} ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION ordinance_append_only()")
    return (f"CREATE TRIGGER {name} BEFORE {operation} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {operation} refused'); END")


def upgrade() -> None:
    """Create the tables and the audit index, and make addresses and notes append-only."""
    moment = engine.store.types.UTCDateTime
    op.create_table(
        "customer_addresses",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customers.id"), nullable=False),
        sa.Column("street", sa.String(160), nullable=False),
        sa.Column("unit", sa.String(40), nullable=False),
        sa.Column("city", sa.String(80), nullable=False),
        sa.Column("state", sa.String(2), nullable=False),
        sa.Column("zip", sa.String(10), nullable=False),
        sa.Column("in_force_from", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(120), nullable=False),
        sa.Column("recorded_by", sa.String(64), nullable=False),
        sa.Column("recorded_at", moment(), nullable=False),
    )
    op.create_index("ix_customer_addresses_customer_from", "customer_addresses", ["customer_id", "in_force_from"])
    op.create_table(
        "customer_phones",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customers.id"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(40), nullable=False),
        sa.Column("number", sa.String(32), nullable=False),
    )
    op.create_index("ix_customer_phones_customer_id", "customer_phones", ["customer_id"])
    op.create_table(
        "account_notes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("utility_accounts.id"), nullable=False),
        sa.Column("author", sa.String(64), nullable=False),
        sa.Column("written_at", moment(), nullable=False),
    )
    op.create_index("ix_account_notes_account_id", "account_notes", ["account_id"])
    op.create_table(
        "account_note_texts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("note_id", sa.Integer(), sa.ForeignKey("account_notes.id"), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("written_by", sa.String(64), nullable=False),
        sa.Column("written_at", moment(), nullable=False),
    )
    op.create_index("ix_account_note_texts_note_id", "account_note_texts", ["note_id"])
    op.create_table(
        "property_occupants",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("property_id", sa.Integer(), sa.ForeignKey("properties.id"), nullable=False),
        sa.Column("name", sa.String(160), nullable=False),
        sa.Column("unit", sa.String(40), nullable=False),
        sa.Column("city", sa.String(80), nullable=False),
        sa.Column("state", sa.String(2), nullable=False),
        sa.Column("zip", sa.String(10), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("moved_in_on", sa.Date(), nullable=False),
        sa.Column("moved_out_on", sa.Date(), nullable=True),
        sa.Column("recorded_by", sa.String(64), nullable=False),
        sa.Column("recorded_at", moment(), nullable=False),
    )
    op.create_index("ix_property_occupants_property_id", "property_occupants", ["property_id"])
    op.create_index("ix_audit_log_subject", "audit_log", ["subject_type", "subject_id"])
    for table in APPEND_ONLY:
        for operation in ("UPDATE", "DELETE"):
            op.execute(_trigger(table, operation))


def downgrade() -> None:
    """Drop the triggers, the index and the tables."""
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in APPEND_ONLY:
        for operation in ("UPDATE", "DELETE"):
            name = f"{table}_no_{operation.lower()}"
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}" if postgres else f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index("ix_audit_log_subject", table_name="audit_log")
    for table in ("property_occupants", "account_note_texts", "account_notes", "customer_phones", "customer_addresses"):
        op.drop_table(table)
