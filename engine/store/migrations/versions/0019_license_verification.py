"""license certificates carry a verification code anyone may check

licenses.verification_code: given when a license is first issued (or issued again without one),
unique; NULL until then.

Revision ID: 0019_license_verification
Revises: 0018
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision = "0019_license_verification"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("licenses") as table:
        table.add_column(sa.Column("verification_code", sa.String(16), nullable=True))
        table.create_unique_constraint("uq_licenses_verification_code", ["verification_code"])


def downgrade() -> None:
    with op.batch_alter_table("licenses") as table:
        table.drop_constraint("uq_licenses_verification_code", type_="unique")
        table.drop_column("verification_code")
