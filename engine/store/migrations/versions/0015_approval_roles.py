"""approval roles: roles an administrator defines, and their grants to users

`approval_roles` holds the roles workflows and rule outcomes name for approvals (id, label,
description); `role_grants` says who holds each. Page access (users.role) is unchanged.
A grant waits for a second person like a role change (setting_changes, setting
"grant:ROLE_ID"); nothing else changes.

The roles the shipped workflows name (workflows/refunds.yaml through refund-approval) are
defined here, held by nobody, so that a city upgrading keeps its workflows loading; an
administrator edits their words and grants them (`ordinance roles`, Administration > Roles).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa
import engine.store.types

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

# The approval roles workflows/refunds.yaml names (through refund-approval's outcomes): id, label, description.
SHIPPED_ROLES = (
    ("department_head", "Department Head",
     "The Finance Director: the second approval of a refund over $5,000.00 up to $25,000.00."),
    ("city_attorney", "City Attorney", "Reviews a refund over $25,000.00 after a supervisor has approved it."),
    ("council_clerk", "Council Clerk", "Approves for the Council a refund over $25,000.00 after the City Attorney."),
)


def upgrade() -> None:
    """Create approval_roles and role_grants."""
    op.create_table(
        "approval_roles",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=80), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", engine.store.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "role_grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("role_id", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("granted_by", sa.String(length=64), nullable=False),
        sa.Column("granted_at", engine.store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["role_id"], ["approval_roles.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("role_id", "user_id", name="uq_role_grants_role_user"),
    )
    op.create_index("ix_role_grants_role_id", "role_grants", ["role_id"])
    op.create_index("ix_role_grants_user_id", "role_grants", ["user_id"])
    roles = sa.table("approval_roles", sa.column("id", sa.String), sa.column("label", sa.String),
                     sa.column("description", sa.Text), sa.column("created_by", sa.String),
                     sa.column("created_at", engine.store.types.UTCDateTime()))
    installed = datetime(2026, 12, 6, tzinfo=timezone.utc)
    op.bulk_insert(roles, [{"id": role_id, "label": label, "description": description, "created_by": "install",
                            "created_at": installed} for role_id, label, description in SHIPPED_ROLES])


def downgrade() -> None:
    """Drop the grants, then the roles."""
    op.drop_index("ix_role_grants_user_id", table_name="role_grants")
    op.drop_index("ix_role_grants_role_id", table_name="role_grants")
    op.drop_table("role_grants")
    op.drop_table("approval_roles")
