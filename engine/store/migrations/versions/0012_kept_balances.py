"""kept balances: each account's standing on one day, kept as postings change it

`account_balances` holds each account's balance, past due, oldest unpaid due date and aging
buckets on the day `balances_day` names; engine.money.ledger.kept writes both, in the same
transaction as every posting and in the nightly roll-over. A ledger that is empty now is
kept from its first posting (the row of `balances_day` with no day yet). A ledger that
already has entries is not kept until `ordinance ledger rebuild-balances` or the first
nightly roll-over builds the table (until then every reader works from the ledger).
`ix_ledger_debits_due` (the due date and account of each debit) finds the accounts whose
debts fall due or age on a day without reading the ledger's rows.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-27
"""
from alembic import op
import sqlalchemy as sa
import engine.store.types

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

BUCKET_COLUMNS = ("current_cents", "days_1_30_cents", "days_31_60_cents", "days_61_90_cents", "over_90_cents")


def upgrade() -> None:
    """Create account_balances and balances_day; index the due dates of the ledger's debits."""
    cents = engine.store.types.Cents
    op.create_table(
        "account_balances",
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("utility_accounts.id"), nullable=False,
                  autoincrement=False),
        sa.Column("balance_cents", cents(), nullable=False),
        sa.Column("past_due_cents", cents(), nullable=False),
        sa.Column("oldest_unpaid_due", sa.Date(), nullable=True),
        *(sa.Column(name, cents(), nullable=False) for name in BUCKET_COLUMNS),
        sa.PrimaryKeyConstraint("account_id"),
    )
    op.create_index("ix_account_balances_past_due", "account_balances", ["account_id"],
                    sqlite_where=sa.text("past_due_cents > 0"), postgresql_where=sa.text("past_due_cents > 0"))
    op.create_table(
        "balances_day",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=True),
        sa.Column("changed_at", engine.store.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_ledger_debits_due", "ledger_entries", ["due_on", "account_id"],
                    sqlite_where=sa.text("amount_cents > 0"), postgresql_where=sa.text("amount_cents > 0"))
    # An empty ledger is kept from its first posting; one with entries waits for a rebuild.
    op.execute("INSERT INTO balances_day (id, as_of, changed_at) "
               "SELECT 1, NULL, NULL WHERE NOT EXISTS (SELECT 1 FROM ledger_entries)")


def downgrade() -> None:
    """Drop the kept balances and the due-date index."""
    op.drop_index("ix_ledger_debits_due", table_name="ledger_entries")
    op.drop_table("balances_day")
    op.drop_index("ix_account_balances_past_due", table_name="account_balances")
    op.drop_table("account_balances")
