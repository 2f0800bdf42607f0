"""adjustments and rebills: reason codes as city data, adjustments waiting for approval, bills cancelled and rebilled

- adjustments: each credit, debit or fee waiver asked for, posted at once or waiting on an
  approval case, then posted or denied;
- rebills: a bill cancelled from a corrected read and the bill that replaced it;
- bills.cancelled_on, and one bill *in force* per account and period (a partial unique
  index) instead of one bill per account and period;
- city_settings.adjustment_reasons.

Revision ID: 0023_adjustments
Revises: 0022_meters
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa

import engine.store.types
from engine.money.amounts import LARGEST_AMOUNT_CENTS

revision = "0023_adjustments"
down_revision = "0022_meters"
branch_labels = None
depends_on = None

UNNAMED_UNIQUE = {"uq": "uq_%(table_name)s_%(column_0_name)s"}  # how SQLite's unnamed bills constraint is named
IN_FORCE = sa.text("cancelled_on IS NULL")


def _within(table: str, column: str) -> sa.CheckConstraint:
    """The database's own bound on a money column (engine.store.models.within_largest)."""
    return sa.CheckConstraint(f"{column} BETWEEN -{LARGEST_AMOUNT_CENTS} AND {LARGEST_AMOUNT_CENTS}",
                              name=f"ck_{table}_{column}_within_largest")


def upgrade() -> None:
    """Create adjustments and rebills; let a cancelled bill stand beside its replacement; the reasons setting."""
    cents, moment = engine.store.types.Cents(), engine.store.types.UTCDateTime()
    op.add_column("city_settings", sa.Column("adjustment_reasons", sa.JSON(), nullable=True))
    op.add_column("bills", sa.Column("cancelled_on", sa.Date(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("bills_account_id_period_key", "bills", type_="unique")
    else:
        with op.batch_alter_table("bills", naming_convention=UNNAMED_UNIQUE, recreate="always") as batch:
            batch.drop_constraint("uq_bills_account_id", type_="unique")
    op.create_index("uq_bills_account_period_in_force", "bills", ["account_id", "period"], unique=True,
                    sqlite_where=IN_FORCE, postgresql_where=IN_FORCE)
    op.create_table(
        "adjustments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("utility_accounts.id"), nullable=False),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("label", sa.String(80), nullable=False),
        sa.Column("amount_cents", cents, nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("fee_entry_id", sa.Integer(), sa.ForeignKey("ledger_entries.id"), nullable=True),
        sa.Column("fund", sa.String(12), nullable=False),
        sa.Column("gl_account", sa.String(12), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("approver_role", sa.String(40), nullable=False),
        sa.Column("rule_version", sa.String(10), nullable=False),
        sa.Column("requested_by", sa.String(64), nullable=False),
        sa.Column("requested_on", sa.Date(), nullable=False),
        sa.Column("requested_at", moment, nullable=False),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=True),
        sa.Column("decided_by", sa.String(64), nullable=True),
        sa.Column("decided_at", moment, nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("entry_id", sa.Integer(), sa.ForeignKey("ledger_entries.id"), nullable=True),
        _within("adjustments", "amount_cents"),
    )
    op.create_index("ix_adjustments_account", "adjustments", ["account_id", "id"])
    op.create_index("ix_adjustments_status", "adjustments", ["status"])
    op.create_table(
        "rebills",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("utility_accounts.id"), nullable=False, index=True),
        sa.Column("cancelled_bill_id", sa.Integer(), sa.ForeignKey("bills.id"), nullable=False, unique=True),
        sa.Column("new_bill_id", sa.Integer(), sa.ForeignKey("bills.id"), nullable=False, unique=True),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("old_reading", sa.Integer(), nullable=False),
        sa.Column("old_consumption_ccf", sa.Integer(), nullable=False),
        sa.Column("reading", sa.Integer(), nullable=False),
        sa.Column("consumption_ccf", sa.Integer(), nullable=False),
        sa.Column("reversed_cents", cents, nullable=False),
        sa.Column("billed_cents", cents, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("rebilled_on", sa.Date(), nullable=False, index=True),
        sa.Column("rebilled_at", moment, nullable=False),
    )


def downgrade() -> None:
    """Drop rebills and adjustments; one bill per account and period again (refused while a rebill stands)."""
    op.drop_table("rebills")
    op.drop_index("ix_adjustments_status", "adjustments")
    op.drop_index("ix_adjustments_account", "adjustments")
    op.drop_table("adjustments")
    op.drop_index("uq_bills_account_period_in_force", "bills")
    postgresql = op.get_bind().dialect.name == "postgresql"
    with op.batch_alter_table("bills") as batch:  # named as the upgrade finds it again on each database
        batch.drop_column("cancelled_on")
        batch.create_unique_constraint("bills_account_id_period_key" if postgresql else "uq_bills_account_id",
                                       ["account_id", "period"])
    op.drop_column("city_settings", "adjustment_reasons")
