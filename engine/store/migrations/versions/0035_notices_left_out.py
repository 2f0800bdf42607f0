"""notices left out: the day a night's mailing left a notice out

`notices` gains `left_out_on`: the day the mailing printed and left the notice out, a date it
asks the customer to act by having passed (engine.sweeps.mailing). What a workflow's
`requires_left_out:` reads (engine.workflow.sent). Notices left out before are read from their
`notice.not_mailed` audit rows (the day the mailing printed).

Revision ID: 0035_notices_left_out
Revises: 0034_chart_of_accounts
Create Date: 2026-12-07
"""
import json
from datetime import date

from alembic import op
import sqlalchemy as sa

revision = "0035_notices_left_out"
down_revision = "0034_chart_of_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the day, and fill it in for the notices the audit log says a mailing left out."""
    with op.batch_alter_table("notices") as batch:
        batch.add_column(sa.Column("left_out_on", sa.Date(), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT subject_id, detail FROM audit_log WHERE action = 'notice.not_mailed' "
                                "AND subject_type = 'notice' ORDER BY id")).all()
    notices = sa.table("notices", sa.column("id", sa.Integer), sa.column("left_out_on", sa.Date))
    for subject_id, detail in rows:
        detail = json.loads(detail) if isinstance(detail, str) else (detail or {})
        if str(subject_id).isdigit() and detail.get("printed_on"):
            bind.execute(notices.update().where(notices.c.id == int(subject_id))
                         .values(left_out_on=date.fromisoformat(detail["printed_on"])))


def downgrade() -> None:
    """Drop the day."""
    with op.batch_alter_table("notices") as batch:
        batch.drop_column("left_out_on")
