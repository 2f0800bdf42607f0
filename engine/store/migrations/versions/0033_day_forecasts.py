"""day forecasts: the weather forecast staff record for a city date, read by a calendar's no_shutoff.forecast

`day_forecasts` holds one row per city date: the forecast low and high (whole degrees
Fahrenheit, -100 to 150) and who recorded them when (engine.store.forecasts); every
recording writes an audit row with the old values and the new.

Revision ID: 0033_day_forecasts
Revises: 0032_adjustment_request_keys
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa

from engine.store.types import UTCDateTime

revision = "0033_day_forecasts"
down_revision = "0032_adjustment_request_keys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the table, empty."""
    op.create_table(
        "day_forecasts",
        sa.Column("city_date", sa.Date(), primary_key=True),
        sa.Column("low_f", sa.Integer(), nullable=False),
        sa.Column("high_f", sa.Integer(), nullable=False),
        sa.Column("recorded_by", sa.String(64), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("low_f BETWEEN -100 AND 150", name="ck_day_forecasts_low_f"),
        sa.CheckConstraint("high_f BETWEEN -100 AND 150", name="ck_day_forecasts_high_f"),
    )


def downgrade() -> None:
    """Drop the table."""
    op.drop_table("day_forecasts")
