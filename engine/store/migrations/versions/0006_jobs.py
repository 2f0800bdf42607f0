"""jobs: background work a page asks for (kind, input, progress, result or error), done by the scheduler's worker

A job with a dedupe key is one job while it has not failed: a unique index over the rows whose
status is not 'failed' (a partial index, on SQLite and PostgreSQL alike), so the same draft's
impact is one job, and a failed one leaves room for a fresh attempt.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa
import engine.store.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

NOT_FAILED = sa.text("status != 'failed'")


def upgrade() -> None:
    """Create the jobs table and its indexes."""
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("input", sa.JSON(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("progress_done", sa.Integer(), nullable=False),
        sa.Column("progress_total", sa.Integer(), nullable=False),
        sa.Column("progress_message", sa.String(length=200), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", engine.store.types.UTCDateTime(), nullable=False),
        sa.Column("started_at", engine.store.types.UTCDateTime(), nullable=True),
        sa.Column("finished_at", engine.store.types.UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(length=120), nullable=True),
        sa.Column("heartbeat_at", engine.store.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_jobs_status", "jobs", ["status", "id"])
    op.create_index("ix_jobs_dedupe_key", "jobs", ["dedupe_key"])
    op.create_index("uq_jobs_dedupe_key_not_failed", "jobs", ["dedupe_key"], unique=True,
                    sqlite_where=NOT_FAILED, postgresql_where=NOT_FAILED)


def downgrade() -> None:
    """Drop the jobs table (its indexes go with it)."""
    op.drop_table("jobs")
