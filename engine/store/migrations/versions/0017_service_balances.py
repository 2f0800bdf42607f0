"""kept balances by service: what each account owes of each service, unpaid, past due and by age

`account_service_balances` holds one row per account and service with something unpaid on
the kept day (unpaid, past due, and the aging buckets of what is unpaid) (the catch-all `other` for debits without a service), written with the
account's row of account_balances. A database whose ledger has entries has no rows of it
yet, so its kept balances wait for a rebuild (`ordinance ledger rebuild-balances`, or the
first nightly roll-over), as after migration 0012; until then every reader works from the
ledger.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa

import engine.store.types

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None
BUCKET_COLUMNS = ("current_cents", "days_1_30_cents", "days_31_60_cents", "days_61_90_cents", "over_90_cents")


def upgrade() -> None:
    """Create account_service_balances; kept balances of a ledger with entries wait for a rebuild."""
    cents = engine.store.types.Cents
    op.create_table(
        "account_service_balances",
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("utility_accounts.id"), nullable=False,
                  autoincrement=False),
        sa.Column("service", sa.String(32), nullable=False),
        sa.Column("unpaid_cents", cents(), nullable=False),
        sa.Column("past_due_cents", cents(), nullable=False),
        *(sa.Column(name, cents(), nullable=False) for name in BUCKET_COLUMNS),
        sa.PrimaryKeyConstraint("account_id", "service"),
    )
    op.execute("DELETE FROM account_balances WHERE EXISTS (SELECT 1 FROM ledger_entries)")
    op.execute("DELETE FROM balances_day WHERE EXISTS (SELECT 1 FROM ledger_entries)")


def downgrade() -> None:
    """Drop the kept balances by service."""
    op.drop_table("account_service_balances")
