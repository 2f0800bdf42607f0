"""counter receipts: one receipt pays accounts, license fees and miscellaneous items with split tender

- receipts: what a receipt paid and how (its lines and tenders as printed), posted or voided;
- gl_entries: general-ledger lines that are no customer's (license fees, miscellaneous
  revenue, a drawer's over/short), append-only like the account ledger;
- payments.receipt_id: the receipt a counter payment belongs to;
- cash_drawers.count_detail: the blind count by denomination and the list of checks;
- licenses.fee_paid_cents: what receipts paid of the fee assessed;
- city_settings.receipt_categories and clerks_may_return_checks.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa

import engine.store.types
from engine.money.amounts import LARGEST_AMOUNT_CENTS

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def _within(table: str, column: str) -> sa.CheckConstraint:
    """The database's own bound on a money column (engine.store.models.within_largest)."""
    return sa.CheckConstraint(f"{column} BETWEEN -{LARGEST_AMOUNT_CENTS} AND {LARGEST_AMOUNT_CENTS}",
                              name=f"ck_{table}_{column}_within_largest")


def upgrade() -> None:
    """Create receipts and gl_entries; add the new columns; make gl_entries append-only."""
    cents, moment = engine.store.types.Cents(), engine.store.types.UTCDateTime()
    op.create_table(
        "receipts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("drawer_id", sa.Integer(), sa.ForeignKey("cash_drawers.id"), nullable=False, index=True),
        sa.Column("business_date", sa.Date(), nullable=False, index=True),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("payer", sa.String(160), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("total_cents", cents, nullable=False),
        sa.Column("change_cents", cents, nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("tenders", sa.JSON(), nullable=False),
        sa.Column("idempotency_key", sa.String(128), nullable=False, unique=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("posted_at", moment, nullable=False),
        sa.Column("voided_by", sa.String(64), nullable=True),
        sa.Column("voided_at", moment, nullable=True),
        sa.Column("void_reason", sa.String(200), nullable=False),
        _within("receipts", "total_cents"), _within("receipts", "change_cents"),
    )
    op.create_table(
        "gl_entries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False, index=True),
        sa.Column("dated_on", sa.Date(), nullable=True),
        sa.Column("fund", sa.String(16), nullable=False),
        sa.Column("gl_account", sa.String(24), nullable=False),
        sa.Column("offset_fund", sa.String(16), nullable=False),
        sa.Column("offset_account", sa.String(24), nullable=False),
        sa.Column("amount_cents", cents, nullable=False),
        sa.Column("description", sa.String(200), nullable=False),
        sa.Column("reference", sa.String(120), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("posted_at", moment, nullable=False),
        sa.Column("receipt_id", sa.Integer(), sa.ForeignKey("receipts.id"), nullable=True, index=True),
        sa.Column("drawer_id", sa.Integer(), sa.ForeignKey("cash_drawers.id"), nullable=True, index=True),
        sa.Column("license_id", sa.Integer(), sa.ForeignKey("licenses.id"), nullable=True, index=True),
        sa.Column("reverses_id", sa.Integer(), sa.ForeignKey("gl_entries.id"), nullable=True),
        _within("gl_entries", "amount_cents"),
    )
    # Plain ADD COLUMN (no batch copy of the tables); SQLite takes the reference inline, as Alembic cannot say it.
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("ALTER TABLE payments ADD COLUMN receipt_id INTEGER REFERENCES receipts (id)")
    else:
        op.add_column("payments", sa.Column("receipt_id", sa.Integer(), sa.ForeignKey("receipts.id"), nullable=True))
    op.create_index("ix_payments_receipt_id", "payments", ["receipt_id"])
    op.add_column("cash_drawers", sa.Column("count_detail", sa.JSON(), nullable=True))
    op.add_column("licenses", sa.Column("fee_paid_cents", cents, nullable=False, server_default="0"))
    op.add_column("city_settings", sa.Column("receipt_categories", sa.JSON(), nullable=True))
    op.add_column("city_settings", sa.Column("clerks_may_return_checks", sa.Boolean(), nullable=False,
                                             server_default=sa.false()))
    for operation in ("UPDATE", "DELETE"):
        name = f"gl_entries_no_{operation.lower()}"
        if dialect == "postgresql":
            op.execute(f"CREATE TRIGGER {name} BEFORE {operation} ON gl_entries "
                       "FOR EACH ROW EXECUTE FUNCTION ordinance_append_only()")
        else:
            op.execute(f"CREATE TRIGGER {name} BEFORE {operation} ON gl_entries "
                       f"BEGIN SELECT RAISE(ABORT, 'gl_entries is append-only: {operation} refused'); END")


def downgrade() -> None:
    """Drop what upgrade added."""
    dialect = op.get_bind().dialect.name
    for operation in ("UPDATE", "DELETE"):
        name = f"gl_entries_no_{operation.lower()}"
        op.execute(f"DROP TRIGGER {name} ON gl_entries" if dialect == "postgresql" else f"DROP TRIGGER {name}")
    op.drop_column("city_settings", "clerks_may_return_checks")
    op.drop_column("city_settings", "receipt_categories")
    op.drop_column("licenses", "fee_paid_cents")
    op.drop_column("cash_drawers", "count_detail")
    op.drop_index("ix_payments_receipt_id", "payments")
    op.drop_column("payments", "receipt_id")
    op.drop_table("gl_entries")
    op.drop_table("receipts")
