"""indexes for the dashboard's day figures: the payments received today, and the payments booked on each day

- ix_payments_received_on: the day's count and sum of posted payments no longer reads every
  payment ever taken;
- ix_ledger_payments_by_day: a partial index of the ledger's payment entries (day, amount),
  so the 30 days' collections chart is summed from the index alone, not from every entry
  (charges, fees, ...) booked in those days.

Revision ID: 0029_day_indexes
Revises: 0028_assistance_programs
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa

revision = "0029_day_indexes"
down_revision = "0028_assistance_programs"
branch_labels = None
depends_on = None

PAYMENTS_ONLY = "kind = 'payment'"


def upgrade() -> None:
    """Create the two indexes."""
    op.create_index("ix_payments_received_on", "payments", ["received_on"])
    op.create_index("ix_ledger_payments_by_day", "ledger_entries", ["effective_on", "amount_cents"],
                    sqlite_where=sa.text(PAYMENTS_ONLY), postgresql_where=sa.text(PAYMENTS_ONLY))


def downgrade() -> None:
    """Drop them."""
    op.drop_index("ix_ledger_payments_by_day", table_name="ledger_entries")
    op.drop_index("ix_payments_received_on", table_name="payments")
