"""sign in: staff sessions kept in the database, sign-in throttles by username and address; no per-user lockout

staff_sessions holds one row per signed-in browser (the SHA-256 of the cookie's random id),
so signing out, a new password or disabling a user ends a session everywhere at once.
sign_in_throttles counts failed sign-ins by (username, address) and by address, shared by
every web worker. The users table loses failed_logins and locked_until: a stranger could
use them to lock anyone out.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa
import engine.store.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create staff_sessions and sign_in_throttles; drop the per-user lockout columns."""
    op.create_table(
        "staff_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", engine.store.types.UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", engine.store.types.UTCDateTime(), nullable=False),
        sa.Column("expires_at", engine.store.types.UTCDateTime(), nullable=False),
        sa.Column("ended_at", engine.store.types.UTCDateTime(), nullable=True),
        sa.Column("ended_why", sa.String(length=32), nullable=True),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("user_agent", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_staff_sessions_user_id", "staff_sessions", ["user_id"])
    op.create_table(
        "sign_in_throttles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("username_hash", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_started_at", engine.store.types.UTCDateTime(), nullable=False),
        sa.Column("last_failure_at", engine.store.types.UTCDateTime(), nullable=False),
        sa.Column("wait_until", engine.store.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("scope", "address", "username_hash"),
    )
    op.create_index("ix_sign_in_throttles_username_hash", "sign_in_throttles", ["username_hash"])
    op.create_index("ix_sign_in_throttles_last_failure_at", "sign_in_throttles", ["last_failure_at"])
    # Plain ALTER TABLE (SQLite 3.35+ and PostgreSQL): batch mode would rebuild users, which
    # cash_drawers references, and SQLite refuses to drop a referenced table mid-transaction.
    op.execute("ALTER TABLE users DROP COLUMN failed_logins")
    op.execute("ALTER TABLE users DROP COLUMN locked_until")


def downgrade() -> None:
    """Put the lockout columns back (empty) and drop the two tables."""
    op.add_column("users", sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("users", sa.Column("locked_until", engine.store.types.UTCDateTime(), nullable=True))
    op.drop_index("ix_sign_in_throttles_last_failure_at", table_name="sign_in_throttles")
    op.drop_index("ix_sign_in_throttles_username_hash", table_name="sign_in_throttles")
    op.drop_table("sign_in_throttles")
    op.drop_index("ix_staff_sessions_user_id", table_name="staff_sessions")
    op.drop_table("staff_sessions")
