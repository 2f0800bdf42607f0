"""meter reads: one index for an account's reads

`meter_reads` kept two indexes that begin with `account_id`: `ix_meter_reads_account_id`
and the one behind UNIQUE(account_id, period). The unique one answers every lookup by
account (its first column) and the foreign key's checks, so the plain one only cost a
write on every read loaded. It is dropped; downgrading creates it again.

Revision ID: 0036_meter_reads_account_index
Revises: 0035_notices_left_out
Create Date: 2026-12-07
"""
from alembic import op

revision = "0036_meter_reads_account_index"
down_revision = "0035_notices_left_out"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Drop the index the unique (account_id, period) one covers."""
    op.drop_index("ix_meter_reads_account_id", table_name="meter_reads")


def downgrade() -> None:
    """Create it again."""
    op.create_index("ix_meter_reads_account_id", "meter_reads", ["account_id"], unique=False)
