"""published rule versions never change: the database refuses editing or deleting them

A rule_versions row whose status is published (or withdrawn) may not be deleted, and an
UPDATE may change nothing of it but its status, and that only from published to withdrawn.
Drafts stay editable: publishing a draft is an UPDATE of a draft row.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

FROZEN = ("document_id", "revision", "kind", "title", "department", "yaml_text", "sha256", "latest_effective",
          "author", "approver", "created_at", "published_at", "note")
SETTLED = "('published', 'withdrawn')"
REFUSED = "a published rule version never changes"


def _changed(old: str = "OLD", new: str = "NEW") -> str:
    """SQL that is true when the UPDATE changes a frozen column or makes a status move not allowed."""
    columns = " OR ".join(f"{new}.{c} IS DISTINCT FROM {old}.{c}" for c in FROZEN)
    status = f"NOT ({new}.status = {old}.status OR ({old}.status = 'published' AND {new}.status = 'withdrawn'))"
    return f"{columns} OR {status}"


def upgrade() -> None:
    """Add the triggers that refuse changing or deleting a published rule version."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION ordinance_rule_version_frozen() RETURNS trigger AS $$
            BEGIN
                IF TG_OP = 'DELETE' OR {_changed()} THEN
                    RAISE EXCEPTION '{REFUSED}: % of % revision % refused', TG_OP, OLD.document_id, OLD.revision;
                END IF;
                RETURN NEW;
            END $$ LANGUAGE plpgsql""")
        for operation in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER rule_versions_published_no_{operation.lower()} BEFORE {operation} "
                       f"ON rule_versions FOR EACH ROW WHEN (OLD.status IN {SETTLED}) "
                       "EXECUTE FUNCTION ordinance_rule_version_frozen()")
        return
    # SQLite spells IS DISTINCT FROM as IS NOT.
    changed = _changed().replace("IS DISTINCT FROM", "IS NOT")
    op.execute(f"CREATE TRIGGER rule_versions_published_no_update BEFORE UPDATE ON rule_versions "
               f"WHEN OLD.status IN {SETTLED} AND ({changed}) "
               f"BEGIN SELECT RAISE(ABORT, '{REFUSED}: UPDATE refused'); END")
    op.execute(f"CREATE TRIGGER rule_versions_published_no_delete BEFORE DELETE ON rule_versions "
               f"WHEN OLD.status IN {SETTLED} "
               f"BEGIN SELECT RAISE(ABORT, '{REFUSED}: DELETE refused'); END")


def downgrade() -> None:
    """Drop the triggers."""
    postgresql = op.get_bind().dialect.name == "postgresql"
    for operation in ("update", "delete"):
        name = f"rule_versions_published_no_{operation}"
        op.execute(f"DROP TRIGGER {name} ON rule_versions" if postgresql else f"DROP TRIGGER {name}")
    if postgresql:
        op.execute("DROP FUNCTION ordinance_rule_version_frozen()")
