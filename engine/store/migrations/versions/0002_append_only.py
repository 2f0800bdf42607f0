"""ledger entries and the audit log are append-only: the database refuses UPDATE and DELETE

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

APPEND_ONLY = ("ledger_entries", "audit_log")


def upgrade() -> None:
    """Add triggers that raise on UPDATE or DELETE of an append-only table."""
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("""
            CREATE FUNCTION ordinance_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
            END $$ LANGUAGE plpgsql""")
    for table in APPEND_ONLY:
        for operation in ("UPDATE", "DELETE"):
            name = f"{table}_no_{operation.lower()}"
            if dialect == "postgresql":
                op.execute(f"CREATE TRIGGER {name} BEFORE {operation} ON {table} "
                           "FOR EACH ROW EXECUTE FUNCTION ordinance_append_only()")
            else:
                op.execute(f"CREATE TRIGGER {name} BEFORE {operation} ON {table} "
                           f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {operation} refused'); END")


def downgrade() -> None:
    """Drop the append-only triggers."""
    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY:
        for operation in ("UPDATE", "DELETE"):
            name = f"{table}_no_{operation.lower()}"
            op.execute(f"DROP TRIGGER {name} ON {table}" if dialect == "postgresql" else f"DROP TRIGGER {name}")
    if dialect == "postgresql":
        op.execute("DROP FUNCTION ordinance_append_only()")
