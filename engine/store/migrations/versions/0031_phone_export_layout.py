"""phone export layout: the calling vendor's file layout as a city setting

`city_settings` gains `phone_export_layout`: the columns (each a field of the export and the
vendor's heading), the date format and the phone format of the phone notification export
(engine.phone_export_layout). Empty: the sample city's layout, the file as it has always been.

Revision ID: 0031_phone_export_layout
Revises: 0030_office_figures
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa

revision = "0031_phone_export_layout"
down_revision = "0030_office_figures"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the setting, empty for every city (the sample layout)."""
    with op.batch_alter_table("city_settings") as batch:
        batch.add_column(sa.Column("phone_export_layout", sa.JSON(), nullable=True))


def downgrade() -> None:
    """Drop the setting."""
    with op.batch_alter_table("city_settings") as batch:
        batch.drop_column("phone_export_layout")
