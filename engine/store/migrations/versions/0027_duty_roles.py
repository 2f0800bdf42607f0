"""who may record a returned payment, close the day and export to the GL: city_settings.duty_roles

`city_settings` gains `duty_roles` (JSON; NULL means the sample city's: supervisors and
administrators for each duty, engine.duties) and loses `clerks_may_return_checks`, which it
replaces: a city that let clerks record a returned check keeps that, as
{"returned_payments": ["clerk", "supervisor", "admin"]}.

Revision ID: 0027_duty_roles
Revises: 0026_license_penalty
Create Date: 2026-12-06
"""
import json

from alembic import op
import sqlalchemy as sa

revision = "0027_duty_roles"
down_revision = "0026_license_penalty"
branch_labels = None
depends_on = None

CLERKS_RETURN = {"returned_payments": ["clerk", "supervisor", "admin"], "day_close": ["supervisor", "admin"],
                 "gl_export": ["supervisor", "admin"]}


def upgrade() -> None:
    """Add the column, carry the old yes/no over, drop the old column."""
    with op.batch_alter_table("city_settings") as batch:
        batch.add_column(sa.Column("duty_roles", sa.JSON(), nullable=True))
    settings = sa.table("city_settings", sa.column("clerks_may_return_checks", sa.Boolean()),
                        sa.column("duty_roles", sa.JSON()))
    op.execute(settings.update().where(settings.c.clerks_may_return_checks.is_(True))
               .values(duty_roles=CLERKS_RETURN))
    with op.batch_alter_table("city_settings") as batch:
        batch.drop_column("clerks_may_return_checks")


def downgrade() -> None:
    """Put the yes/no back (clerks when the setting lets them record returns) and drop duty_roles."""
    with op.batch_alter_table("city_settings") as batch:
        batch.add_column(sa.Column("clerks_may_return_checks", sa.Boolean(), nullable=False,
                                   server_default=sa.text("false")))
    bind = op.get_bind()
    for row_id, stored in bind.execute(sa.text("SELECT id, duty_roles FROM city_settings")).all():
        roles = (json.loads(stored) if isinstance(stored, str) else stored or {}).get("returned_payments") or []
        if "clerk" in roles:
            bind.execute(sa.text("UPDATE city_settings SET clerks_may_return_checks = true WHERE id = :id"),
                         {"id": row_id})
    with op.batch_alter_table("city_settings") as batch:
        batch.drop_column("duty_roles")
