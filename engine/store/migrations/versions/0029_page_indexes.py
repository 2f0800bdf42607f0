"""indexes for two pages at a city's size: the dashboard's day figures, and an account's latest bills

- ix_payments_received_on: the day's count and sum of posted payments no longer reads every
  payment ever taken;
- ix_ledger_payments_by_day: a partial index of the ledger's payment entries (day, amount),
  so the 30 days' collections chart is summed from the index alone, not from every entry
  (charges, fees, ...) booked in those days;
- ix_bills_account_period (account, period, id) replaces ix_bills_account_id (account): an
  account's latest bills, newest first, are read from it in order. With only the account's
  index, PostgreSQL chose to walk every bill by period, newest first, until it had found the
  account's 24: 0.9 s on a 20,000-account city.

Revision ID: 0029_page_indexes
Revises: 0028_assistance_programs
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa

revision = "0029_page_indexes"
down_revision = "0028_assistance_programs"
branch_labels = None
depends_on = None

PAYMENTS_ONLY = "kind = 'payment'"


def upgrade() -> None:
    """Create the indexes; the account's bills index takes the place of the account-only one."""
    op.create_index("ix_payments_received_on", "payments", ["received_on"])
    op.create_index("ix_bills_account_period", "bills", ["account_id", "period", "id"])
    op.drop_index("ix_bills_account_id", table_name="bills")
    op.create_index("ix_ledger_payments_by_day", "ledger_entries", ["effective_on", "amount_cents"],
                    sqlite_where=sa.text(PAYMENTS_ONLY), postgresql_where=sa.text(PAYMENTS_ONLY))


def downgrade() -> None:
    """Drop them; the account-only index of bills comes back."""
    op.create_index("ix_bills_account_id", "bills", ["account_id"])
    op.drop_index("ix_bills_account_period", table_name="bills")
    op.drop_index("ix_ledger_payments_by_day", table_name="ledger_entries")
    op.drop_index("ix_payments_received_on", table_name="payments")
