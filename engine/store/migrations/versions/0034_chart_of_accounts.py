"""chart of accounts: the GL fund and account of each kind of money as a city setting

`city_settings` gains `chart_of_accounts` (engine.chart_of_accounts): receivables, the cash account,
deposits held, the revenue of bill lines by a word of their name, fees, adjustments,
write-offs, cash over and short, license fees, and the accounts' names. Empty: the sample
city's chart, the accounts every entry has been booked to so far.

Revision ID: 0034_chart_of_accounts
Revises: 0033_day_forecasts
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa

revision = "0034_chart_of_accounts"
down_revision = "0033_day_forecasts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the setting, empty for every city (the sample chart)."""
    with op.batch_alter_table("city_settings") as batch:
        batch.add_column(sa.Column("chart_of_accounts", sa.JSON(), nullable=True))


def downgrade() -> None:
    """Drop the setting."""
    with op.batch_alter_table("city_settings") as batch:
        batch.drop_column("chart_of_accounts")
