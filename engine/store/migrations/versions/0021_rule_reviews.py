"""rule reviews: a reviewer approves or sends back a rule draft with a comment

`rule_reviews` keeps, per draft revision of a rule document, who reviewed it, whether it was
approved (published) or sent back to its author, the comment, and when.

Revision ID: 0021_rule_reviews
Revises: 0020_customer_record
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa

import engine.store.types

revision = "0021_rule_reviews"
down_revision = "0020_customer_record"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create rule_reviews."""
    op.create_table(
        "rule_reviews",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("document_id", sa.String(80), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("reviewer", sa.String(64), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("at", engine.store.types.UTCDateTime(), nullable=False),
    )
    op.create_index("ix_rule_reviews_document", "rule_reviews", ["document_id", "revision"])


def downgrade() -> None:
    """Drop rule_reviews."""
    op.drop_index("ix_rule_reviews_document", table_name="rule_reviews")
    op.drop_table("rule_reviews")
