"""payment imports: the register of payment files, and each payment's whole transaction id

A payment file posts whole or not at all; one that has lines without a transaction id that
look like other payments waits, held in `payment_imports`, until a supervisor confirms it.
`payments.transaction_id` keeps the bank's or portal's id whole (the idempotency key holds
it only while it fits, its SHA-256 otherwise); `payments.import_id` names the file a payment
came from. Existing keys shorter than the old 128-character cut give their id back; a key of
exactly 128 characters may have been cut, so its id stays unknown (NULL).

Revision ID: 0010
Revises: 0007
Create Date: 2026-11-26
"""
from alembic import op
import sqlalchemy as sa
import engine.store.types

revision = "0010"
down_revision = "0007"
branch_labels = None
depends_on = None

WHOLE_IDS_BACK = (
    "UPDATE payments SET transaction_id = substr(idempotency_key, length(source) + 2) "
    "WHERE source IN ('lockbox', 'online') AND length(idempotency_key) < 128 "
    "AND substr(idempotency_key, 1, length(source) + 1) = source || ':' "
    "AND substr(idempotency_key, length(source) + 2, 7) <> 'sha256:'")


def upgrade() -> None:
    """Create payment_imports; add payments.transaction_id and payments.import_id."""
    op.create_table(
        "payment_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("received_by", sa.String(length=64), nullable=False),
        sa.Column("received_at", engine.store.types.UTCDateTime(), nullable=False),
        sa.Column("confirmed_by", sa.String(length=64), nullable=True),
        sa.Column("confirmed_at", engine.store.types.UTCDateTime(), nullable=True),
        sa.Column("posted_at", engine.store.types.UTCDateTime(), nullable=True),
        sa.Column("posted_count", sa.Integer(), nullable=False),
        sa.Column("posted_cents", engine.store.types.Cents(), nullable=False),
        sa.Column("posted_before", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_payment_imports_file_sha256", "payment_imports", ["file_sha256"])
    # Plain ADD COLUMN (no table rebuild): the ledger's entries refer to payments.
    op.add_column("payments", sa.Column("transaction_id", sa.Text(), nullable=True))
    if op.get_bind().dialect.name == "sqlite":  # SQLite adds a column's reference only inline
        op.execute("ALTER TABLE payments ADD COLUMN import_id INTEGER REFERENCES payment_imports (id)")
    else:
        op.add_column("payments", sa.Column("import_id", sa.Integer(), sa.ForeignKey("payment_imports.id"),
                                            nullable=True))
    op.create_index("ix_payments_import_id", "payments", ["import_id"])
    op.execute(WHOLE_IDS_BACK)


def downgrade() -> None:
    """Drop the new columns and the register."""
    op.drop_index("ix_payments_import_id", table_name="payments")
    with op.batch_alter_table("payments") as batch_op:
        batch_op.drop_column("import_id")
        batch_op.drop_column("transaction_id")
    op.drop_index("ix_payment_imports_file_sha256", table_name="payment_imports")
    op.drop_table("payment_imports")
