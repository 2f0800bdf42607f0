"""durations and policy settings: the day an account's cash-only status ends and the rule that set it; the
tenders a cash-only account may not use

`utility_accounts` gains `cash_only_until` (the day a cash-only status decided by a rule
with `for:` ends; empty for a status without an end) and `cash_only_reason` (the name of
the rule that decided it, shown on the account page). Existing cash-only accounts keep no
end: the cash-only review clears them when the rule no longer holds, as before.
`city_settings` gains `cash_only_refused_tenders` (a list; empty: the sample city's, checks
and electronic checks).

Revision ID: 0025_durations
Revises: 0024_read_review
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa

revision = "0025_durations"
down_revision = "0024_read_review"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the two columns, empty."""
    op.add_column("utility_accounts", sa.Column("cash_only_until", sa.Date(), nullable=True))
    op.add_column("utility_accounts", sa.Column("cash_only_reason", sa.String(200), nullable=True))
    op.add_column("city_settings", sa.Column("cash_only_refused_tenders", sa.JSON(), nullable=True))


def downgrade() -> None:
    """Drop them (plain DROP COLUMN: a batch copy of utility_accounts would lose its expression index)."""
    op.drop_column("city_settings", "cash_only_refused_tenders")
    op.drop_column("utility_accounts", "cash_only_reason")
    op.drop_column("utility_accounts", "cash_only_until")
