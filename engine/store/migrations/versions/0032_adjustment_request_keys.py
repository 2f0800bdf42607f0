"""adjustment request keys: the same confirmed adjustment sent twice (a double click) posts once

`adjustments` gains `request_key`: the one-time key the confirmation page of an adjustment
carries (engine.workflow.adjustments.request_adjustment); unique, so a second post of the same
confirmation finds the first adjustment instead of posting it again. Empty for earlier rows.

Revision ID: 0032_adjustment_request_keys
Revises: 0031_phone_export_layout
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa

revision = "0032_adjustment_request_keys"
down_revision = "0031_phone_export_layout"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the column (NULL for the adjustments already asked) and its unique index."""
    with op.batch_alter_table("adjustments") as batch:
        batch.add_column(sa.Column("request_key", sa.String(64), nullable=True))
    op.create_index("ux_adjustments_request_key", "adjustments", ["request_key"], unique=True)


def downgrade() -> None:
    """Drop the index and the column."""
    op.drop_index("ux_adjustments_request_key", table_name="adjustments")
    with op.batch_alter_table("adjustments") as batch:
        batch.drop_column("request_key")
