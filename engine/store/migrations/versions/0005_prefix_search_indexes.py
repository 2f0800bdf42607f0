"""prefix search indexes: lower(column) text_pattern_ops indexes for name and address search on PostgreSQL

Under a non-C collation PostgreSQL's ordinary B-tree indexes cannot serve `LIKE 'abc%'`,
and a range `>= 'abc' AND < 'abd'` follows the collation's order, which can leave out
names that start with the prefix (punctuation and case are weighed differently). The
searches on PostgreSQL are `lower(column) LIKE lower(:prefix) || '%'`, which these
indexes serve under any collation. SQLite keeps its plain indexes and range searches.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

INDEXES = (("ix_customers_name_lower", "customers", "name"),
           ("ix_properties_service_address_lower", "properties", "service_address"),
           ("ix_businesses_name_lower", "businesses", "name"))


def upgrade() -> None:
    """On PostgreSQL, create the lower-case text_pattern_ops indexes the prefix searches use."""
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, table, column in INDEXES:
        op.execute(f"CREATE INDEX {name} ON {table} (lower({column}) text_pattern_ops)")


def downgrade() -> None:
    """On PostgreSQL, drop the lower-case prefix search indexes."""
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, _table, _column in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
