"""records kept: each notice's PDF as mailed or first printed, each mailing's PDF, signed audit checkpoints

All three tables are append-only like the ledger and the audit log (0002): the database
refuses UPDATE and DELETE, so a mailed notice is never rendered again from today's data,
and a checkpoint, once written, seals the audit log's length and last hash.

Revision ID: 0008
Revises: 0010 (the newest migration on main when rebased; the lead re-chains it when merging)
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa
import engine.store.types

revision = "0008"
down_revision = "0010"
branch_labels = None
depends_on = None

APPEND_ONLY = ("notice_pdfs", "mailing_pdfs", "audit_checkpoints")


def upgrade() -> None:
    """Create the kept-copy and checkpoint tables, and refuse UPDATE and DELETE on them."""
    op.create_table(
        "notice_pdfs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("kept_at", engine.store.types.UTCDateTime(), nullable=False),
        sa.Column("kept_by", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["notice_id"], ["notices.id"]),
        sa.ForeignKeyConstraint(["batch_id"], ["notice_batches.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("notice_id"),
    )
    op.create_index("ix_notice_pdfs_batch_id", "notice_pdfs", ["batch_id"])
    op.create_table(
        "mailing_pdfs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("kept_at", engine.store.types.UTCDateTime(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["notice_batches.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("batch_id"),
    )
    op.create_table(
        "audit_checkpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", engine.store.types.UTCDateTime(), nullable=False),
        sa.Column("reason", sa.String(length=80), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    for table in APPEND_ONLY:
        for operation in ("UPDATE", "DELETE"):
            op.execute(_trigger(table, operation))


def _trigger(table: str, operation: str) -> str:
    """The trigger refusing one operation on one table (PostgreSQL reuses 0002's function)."""
    name = f"{table}_no_{operation.lower()}"
    if op.get_bind().dialect.name == "postgresql":
        return (f"CREATE TRIGGER {name} BEFORE {operation} ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION ordinance_append_only()")
    return (f"CREATE TRIGGER {name} BEFORE {operation} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {operation} refused'); END")


def downgrade() -> None:
    """Drop the triggers and the tables."""
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in APPEND_ONLY:
        for operation in ("UPDATE", "DELETE"):
            name = f"{table}_no_{operation.lower()}"
            op.execute(f"DROP TRIGGER {name} ON {table}" if postgres else f"DROP TRIGGER {name}")
    op.drop_table("audit_checkpoints")
    op.drop_table("mailing_pdfs")
    op.drop_index("ix_notice_pdfs_batch_id", table_name="notice_pdfs")
    op.drop_table("notice_pdfs")
