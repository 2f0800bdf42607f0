"""meters as records: meters, meter exchanges, and the meter a read was taken from

`meters` holds each meter (number, size, dials, location, route, install and removal
dates, the property it is on and the account it serves); `meter_exchanges` an old meter's
final read and the new meter's first register; `meter_reads.meter_id` names the meter of a
read (empty for reads stored before this migration).

Revision ID: 0022_meters
Revises: 0021_rule_reviews
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa

import engine.store.types

revision = "0022_meters"
down_revision = "0021_rule_reviews"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create meters and meter_exchanges; add meter_reads.meter_id."""
    op.create_table(
        "meters",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("number", sa.String(24), nullable=False),
        sa.Column("size", sa.String(8), nullable=False),
        sa.Column("dials", sa.Integer(), nullable=False),
        sa.Column("location", sa.String(120), nullable=False),
        sa.Column("route", sa.String(16), nullable=False),
        sa.Column("installed_on", sa.Date(), nullable=False),
        sa.Column("removed_on", sa.Date()),
        sa.Column("property_id", sa.Integer(), sa.ForeignKey("properties.id"), nullable=False),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("utility_accounts.id")),
    )
    op.create_index("ix_meters_number", "meters", ["number"], unique=True)
    op.create_index("ix_meters_route", "meters", ["route"])
    op.create_index("ix_meters_property_id", "meters", ["property_id"])
    op.create_index("ix_meters_account_id", "meters", ["account_id"])
    op.create_table(
        "meter_exchanges",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("utility_accounts.id"), nullable=False),
        sa.Column("old_meter_id", sa.Integer(), sa.ForeignKey("meters.id"), nullable=False),
        sa.Column("new_meter_id", sa.Integer(), sa.ForeignKey("meters.id"), nullable=False),
        sa.Column("exchanged_on", sa.Date(), nullable=False),
        sa.Column("old_final_reading", sa.Integer(), nullable=False),
        sa.Column("new_first_reading", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("recorded_at", engine.store.types.UTCDateTime(), nullable=False),
        sa.UniqueConstraint("old_meter_id"),
    )
    op.create_index("ix_meter_exchanges_account_id", "meter_exchanges", ["account_id"])
    with op.batch_alter_table("meter_reads") as batch:
        batch.add_column(sa.Column("meter_id", sa.Integer(), sa.ForeignKey("meters.id",
                                                                            name="fk_meter_reads_meter_id")))


def downgrade() -> None:
    """Drop meter_reads.meter_id, meter_exchanges and meters."""
    with op.batch_alter_table("meter_reads") as batch:
        batch.drop_column("meter_id")
    op.drop_index("ix_meter_exchanges_account_id", "meter_exchanges")
    op.drop_table("meter_exchanges")
    for name in ("ix_meters_account_id", "ix_meters_property_id", "ix_meters_route", "ix_meters_number"):
        op.drop_index(name, "meters")
    op.drop_table("meters")
