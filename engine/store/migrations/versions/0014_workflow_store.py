"""workflow definitions in the rule store: workflow_versions, published rows never change

Each row is one revision of a workflow definition's YAML as written, drafted then published,
with the definition's `version:` (what a case records) and the day it takes effect. As for
rule_versions, a published row may not be deleted and an UPDATE may change nothing of it.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa

import engine.store.types

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

FROZEN = ("workflow_id", "revision", "version", "title", "subject", "effective", "yaml_text", "sha256", "status",
          "author", "approver", "created_at", "published_at", "note")
REFUSED = "a published workflow version never changes"


def _changed(distinct: str) -> str:
    """SQL that is true when an UPDATE changes any column of the row."""
    return " OR ".join(f"NEW.{c} {distinct} OLD.{c}" for c in FROZEN)


def upgrade() -> None:
    """Create workflow_versions and the triggers that refuse changing or deleting a published row."""
    op.create_table(
        "workflow_versions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("workflow_id", sa.String(80), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("subject", sa.String(32), nullable=False),
        sa.Column("effective", sa.Date(), nullable=True),
        sa.Column("yaml_text", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("author", sa.String(64), nullable=False),
        sa.Column("approver", sa.String(64), nullable=True),
        sa.Column("created_at", engine.store.types.UTCDateTime(), nullable=False),
        sa.Column("published_at", engine.store.types.UTCDateTime(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.UniqueConstraint("workflow_id", "revision"),
    )
    op.create_index("ix_workflow_versions_workflow_id", "workflow_versions", ["workflow_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION ordinance_workflow_version_frozen() RETURNS trigger AS $$
            BEGIN
                IF TG_OP = 'DELETE' OR {_changed("IS DISTINCT FROM")} THEN
                    RAISE EXCEPTION '{REFUSED}: % of % revision % refused', TG_OP, OLD.workflow_id, OLD.revision;
                END IF;
                RETURN NEW;
            END $$ LANGUAGE plpgsql""")
        for operation in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER workflow_versions_published_no_{operation.lower()} BEFORE {operation} "
                       "ON workflow_versions FOR EACH ROW WHEN (OLD.status = 'published') "
                       "EXECUTE FUNCTION ordinance_workflow_version_frozen()")
        return
    op.execute("CREATE TRIGGER workflow_versions_published_no_update BEFORE UPDATE ON workflow_versions "
               f"WHEN OLD.status = 'published' AND ({_changed('IS NOT')}) "
               f"BEGIN SELECT RAISE(ABORT, '{REFUSED}: UPDATE refused'); END")
    op.execute("CREATE TRIGGER workflow_versions_published_no_delete BEFORE DELETE ON workflow_versions "
               "WHEN OLD.status = 'published' "
               f"BEGIN SELECT RAISE(ABORT, '{REFUSED}: DELETE refused'); END")


def downgrade() -> None:
    """Drop the triggers and the table."""
    postgresql = op.get_bind().dialect.name == "postgresql"
    for operation in ("update", "delete"):
        name = f"workflow_versions_published_no_{operation}"
        op.execute(f"DROP TRIGGER {name} ON workflow_versions" if postgresql else f"DROP TRIGGER {name}")
    if postgresql:
        op.execute("DROP FUNCTION ordinance_workflow_version_frozen()")
    op.drop_index("ix_workflow_versions_workflow_id", "workflow_versions")
    op.drop_table("workflow_versions")
