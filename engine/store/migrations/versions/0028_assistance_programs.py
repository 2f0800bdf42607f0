"""assistance programs as city data: dated enrolments instead of one low-income flag

- city_settings.assistance_programs (JSON; NULL means the sample city's list, one program
  "cap", the Customer Assistance Program, which counts as low income: engine.assistance_programs);
- assistance_enrolments: a customer in a program from a day, through a day or open-ended;
- customers.low_income is dropped: every customer it marked is enrolled in "cap" from the day
  the customer was added, with no end. The downgrade marks again every customer enrolled in
  "cap" today or later with no end or an end still to come (a city's own low-income programs
  are not known to a migration), then drops the table and the setting.

The column is dropped with a plain ALTER TABLE (SQLite 3.35 and later take it) rather than
a table rebuild, which would lose the search triggers on customers (0018).

Revision ID: 0028_assistance_programs
Revises: 0027_duty_roles
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa

import engine.store.types

revision = "0028_assistance_programs"
down_revision = "0027_duty_roles"
branch_labels = None
depends_on = None

DEFAULT_PROGRAM = "cap"  # copied, not imported, from engine.assistance_programs (a migration must not change)
CARRIED_BY = "migration"


def upgrade() -> None:
    """The setting, the enrolments table, every flagged customer enrolled in the default program; drop the flag."""
    op.add_column("city_settings", sa.Column("assistance_programs", sa.JSON(), nullable=True))
    op.create_table(
        "assistance_enrolments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customers.id"), nullable=False),
        sa.Column("program", sa.String(40), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("recorded_by", sa.String(64), nullable=False),
        sa.Column("recorded_at", engine.store.types.UTCDateTime(), nullable=False),
    )
    op.create_index("ix_assistance_enrolments_customer", "assistance_enrolments", ["customer_id", "starts_on"])
    day = "CAST(created_at AS DATE)" if op.get_bind().dialect.name == "postgresql" else "date(created_at)"
    op.execute(sa.text(
        "INSERT INTO assistance_enrolments (customer_id, program, starts_on, ends_on, recorded_by, recorded_at) "
        f"SELECT id, :program, {day}, NULL, :by, created_at FROM customers WHERE low_income "
        "ORDER BY id").bindparams(program=DEFAULT_PROGRAM, by=CARRIED_BY))
    op.execute("ALTER TABLE customers DROP COLUMN low_income")


def downgrade() -> None:
    """The flag again, for every customer whose enrolment in the default program has not ended; drop the rest."""
    op.add_column("customers", sa.Column("low_income", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute(sa.text("UPDATE customers SET low_income = :yes WHERE id IN "
                       "(SELECT customer_id FROM assistance_enrolments WHERE program = :program "
                       "AND (ends_on IS NULL OR ends_on >= CURRENT_DATE))")
               .bindparams(yes=True, program=DEFAULT_PROGRAM))
    op.drop_index("ix_assistance_enrolments_customer", "assistance_enrolments")
    op.drop_table("assistance_enrolments")
    with op.batch_alter_table("city_settings") as batch:
        batch.drop_column("assistance_programs")
