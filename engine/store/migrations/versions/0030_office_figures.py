"""office figures: the dashboard's whole-city figures kept as of a moment, and how often they are worked out

`office_figures` holds, for each city date, the counts and sums that read every account (active
and past-due accounts, businesses, active licenses, the aging by bucket, the 30 days'
collections) as last worked out, and when (engine.store.office_figures). `city_settings` gains
`dashboard_figures_seconds`: how often the scheduler works them out (0: the page counts live
at each view; a new city's 60).

Revision ID: 0030_office_figures
Revises: 0029_page_indexes
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa

from engine.store.types import UTCDateTime

revision = "0030_office_figures"
down_revision = "0029_page_indexes"
branch_labels = None
depends_on = None

FIGURES_SECONDS_CHECK = "dashboard_figures_seconds = 0 OR dashboard_figures_seconds BETWEEN 10 AND 3600"


def upgrade() -> None:
    """Create the table, empty (the first page view or scheduler tick fills it), and add the setting at 60."""
    op.create_table(
        "office_figures",
        sa.Column("city_date", sa.Date(), primary_key=True),
        sa.Column("worked_out_at", UTCDateTime(), nullable=False),
        sa.Column("took_ms", sa.Integer(), nullable=False),
        sa.Column("active_accounts", sa.Integer(), nullable=False),
        sa.Column("past_due_accounts", sa.Integer(), nullable=False),
        sa.Column("businesses", sa.Integer(), nullable=False),
        sa.Column("active_licenses", sa.Integer(), nullable=False),
        sa.Column("aging", sa.JSON(), nullable=False),
        sa.Column("collected", sa.JSON(), nullable=False),
    )
    with op.batch_alter_table("city_settings") as batch:
        batch.add_column(sa.Column("dashboard_figures_seconds", sa.Integer(), nullable=False, server_default="60"))
        batch.create_check_constraint("ck_city_settings_dashboard_figures_seconds", FIGURES_SECONDS_CHECK)


def downgrade() -> None:
    """Drop the setting and the table."""
    with op.batch_alter_table("city_settings") as batch:
        batch.drop_constraint("ck_city_settings_dashboard_figures_seconds", type_="check")
        batch.drop_column("dashboard_figures_seconds")
    op.drop_table("office_figures")
