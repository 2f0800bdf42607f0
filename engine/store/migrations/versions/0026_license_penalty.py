"""a late renewal's penalty paid at the counter: licenses.penalty_cents

`licenses` gains `penalty_cents`: the late penalty assessed with the current term's renewal
(a deadline's late-penalty schedule charged by the licensing workflow), paid at the counter
with the fee. What a license owes is `fee_cents + penalty_cents - fee_paid_cents`. Existing
licenses owe no penalty (0): their penalties were recorded in the audit trail only.

Revision ID: 0026_license_penalty
Revises: 0025_durations
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa

import engine.store.types

revision = "0026_license_penalty"
down_revision = "0025_durations"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the column, 0 for every license."""
    op.add_column("licenses", sa.Column("penalty_cents", engine.store.types.Cents(), nullable=False,
                                        server_default="0"))


def downgrade() -> None:
    """Drop it (plain DROP COLUMN, as 0025 does)."""
    op.drop_column("licenses", "penalty_cents")
