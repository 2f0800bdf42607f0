"""meter read review: each read's review status, the check that held it, its reason, who and when

Reads already on file were billed, so they are `accepted` (the server default); the billing
run bills only reads `accepted` or `estimated` (engine.reads.review, engine.money.billing).

Revision ID: 0024_read_review
Revises: 0023_adjustments
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa

import engine.store.types

revision = "0024_read_review"
down_revision = "0023_adjustments"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the review columns to meter_reads."""
    with op.batch_alter_table("meter_reads", schema=None) as batch_op:
        batch_op.add_column(sa.Column("review_status", sa.String(16), nullable=False, server_default="accepted"))
        batch_op.add_column(sa.Column("review_check", sa.String(24), nullable=True))
        batch_op.add_column(sa.Column("review_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("reviewed_by", sa.String(80), nullable=True))
        batch_op.add_column(sa.Column("reviewed_at", engine.store.types.UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f("ix_meter_reads_review_status"), ["review_status"], unique=False)


def downgrade() -> None:
    """Drop the review columns."""
    with op.batch_alter_table("meter_reads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meter_reads_review_status"))
        for name in ("reviewed_at", "reviewed_by", "review_reason", "review_check", "review_status"):
            batch_op.drop_column(name)
