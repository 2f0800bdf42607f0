"""two-person settings: changes that wait for a second person, and the city's named second approver

A guarded city setting (the second-approver rule, the second approver itself, and the
money ceilings and date window once they exist) or a user's role changes only when a
second person approves: `setting_changes` keeps each change asked for, with who asked,
the old and new value, and who approved or refused it and when.
`city_settings.second_approver` names the supervisor who is the second person of a city
with a single administrator.

Revision ID: 0011
Revises: 0008 (the newest migration on main when this branch began)
Create Date: 2026-11-27
"""
from alembic import op
import sqlalchemy as sa
import engine.store.types

revision = "0011"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create setting_changes; add city_settings.second_approver."""
    op.create_table(
        "setting_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("setting", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=True),
        sa.Column("old_value", sa.JSON(), nullable=True),
        sa.Column("new_value", sa.JSON(), nullable=True),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("requested_at", engine.store.types.UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", engine.store.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_setting_changes_status", "setting_changes", ["status"])
    op.add_column("city_settings", sa.Column("second_approver", sa.String(length=64), nullable=True))


def downgrade() -> None:
    """Drop the column and the table."""
    with op.batch_alter_table("city_settings") as batch_op:
        batch_op.drop_column("second_approver")
    op.drop_index("ix_setting_changes_status", table_name="setting_changes")
    op.drop_table("setting_changes")
