"""charges know their service: the service of each bill line and of each ledger debit

Both columns are empty for rows written before charges knew their service; readers take an
empty service as the city's catch-all (docs/money.md).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add bill_lines.service and ledger_entries.service."""
    # Plain ADD COLUMN, not a batch copy: the ledger's append-only triggers stay as they are.
    op.add_column("bill_lines", sa.Column("service", sa.String(32), nullable=True))
    op.add_column("ledger_entries", sa.Column("service", sa.String(32), nullable=True))


def downgrade() -> None:
    """Drop the two columns."""
    op.drop_column("ledger_entries", "service")
    op.drop_column("bill_lines", "service")
