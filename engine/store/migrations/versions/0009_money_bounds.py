"""money bounds: amounts within the largest ceiling, the city's ceilings, closed days kept as they were

- every money column (ledger entries, payments, bills and their lines, deposits, drawer
  floats) refuses an amount beyond $10,000,000.00 either way: a CHECK constraint;
- city_settings holds the ceilings by kind of entry and the paid-on window (defaults for a
  city already saved);
- ledger_entries.dated_on keeps an entry's own date when its day was closed and it was
  booked on the next open day; an index on effective_on serves a day's export and close;
- closed_days: each business day a supervisor closed, with its GL export and daily receipts
  as bytes (append-only); days closed before this migration are carried over without them.

On SQLite a CHECK constraint can only come with a rebuilt table (Alembic's batch mode), which
drops the table's triggers (the append-only ones of ledger_entries): each rebuilt table's
triggers are read before and made again after. The rebuild needs foreign keys off, which
engine.store.schema.upgrade sees to.

Revision ID: 0009
Revises: 0008 (main's head when this was written: 0006, 0007, 0010, 0008; the lead re-chains at merge)
Create Date: 2026-11-26
"""
from collections.abc import Iterator
from contextlib import contextmanager

from alembic import op
import sqlalchemy as sa
import engine.store.types

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

LARGEST = 1_000_000_000  # cents: engine.money.amounts.LARGEST_AMOUNT_CENTS when this migration was written
MONEY_COLUMNS = (("ledger_entries", "amount_cents"), ("payments", "amount_cents"), ("bills", "total_cents"),
                 ("bill_lines", "amount_cents"), ("deposits", "amount_cents"), ("cash_drawers", "opening_cents"))
CEILINGS = {"counter_payment": 10_000_000, "import_payment": 10_000_000, "api_payment": 10_000_000,
            "refund": 10_000_000, "adjustment": 10_000_000, "rule_amount": 100_000_000}
PAID_ON_DAYS_BACK, LONGEST_WINDOW = 90, 3650
APPEND_ONLY = ("ledger_entries", "closed_days")


def _refuse_amounts_beyond_the_bound() -> None:
    """Stop, naming the table, when stored amounts are already beyond the bound (nothing is changed)."""
    connection = op.get_bind()
    for table, column in MONEY_COLUMNS:
        count = connection.execute(sa.text(f"SELECT count(*) FROM {table} WHERE {column} > {LARGEST} "
                                           f"OR {column} < -{LARGEST}")).scalar()
        if count:
            raise RuntimeError(f"{table}.{column} has {count} amounts beyond $10,000,000.00 either way; "
                               "Ordinance no longer keeps such amounts. Restore the database from before they "
                               "were posted, then upgrade.")


def _bound(table: str, column: str) -> tuple[str, str]:
    """The name and condition of a money column's CHECK constraint."""
    return f"ck_{table}_{column}_within_largest", f"{column} BETWEEN -{LARGEST} AND {LARGEST}"


def _append_only_triggers(table: str, dialect: str) -> None:
    """The triggers that refuse UPDATE and DELETE of a table (as migration 0002 made them)."""
    for operation in ("UPDATE", "DELETE"):
        name = f"{table}_no_{operation.lower()}"
        if dialect == "postgresql":
            op.execute(f"CREATE TRIGGER {name} BEFORE {operation} ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION ordinance_append_only()")
        else:
            op.execute(f"CREATE TRIGGER {name} BEFORE {operation} ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {operation} refused'); END")


@contextmanager
def _rebuilt(table: str) -> Iterator:
    """Alembic's batch operations on a table, its triggers made again after a SQLite rebuild dropped them."""
    connection = op.get_bind()
    triggers = []
    if connection.dialect.name == "sqlite":
        triggers = connection.execute(sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                                              "AND tbl_name = :t"), {"t": table}).all()
    with op.batch_alter_table(table) as batch:
        yield batch
    for name, sql in triggers:
        still = connection.execute(sa.text("SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = :n"),
                                   {"n": name}).first()
        if still is None:
            op.execute(sql)


def _city_settings() -> None:
    """The ceilings and the paid-on window, with their defaults and ranges."""
    with _rebuilt("city_settings") as batch:
        for kind, cents in CEILINGS.items():
            batch.add_column(sa.Column(f"{kind}_ceiling_cents", engine.store.types.Cents(), nullable=False,
                                       server_default=str(cents)))
            batch.create_check_constraint(f"ck_city_settings_{kind}_ceiling",
                                          f"{kind}_ceiling_cents BETWEEN 1 AND {LARGEST}")
        batch.add_column(sa.Column("paid_on_days_back", sa.Integer(), nullable=False,
                                   server_default=str(PAID_ON_DAYS_BACK)))
        batch.create_check_constraint("ck_city_settings_paid_on_days_back",
                                      f"paid_on_days_back BETWEEN 0 AND {LONGEST_WINDOW}")


def _closed_days(dialect: str) -> None:
    """The closed_days table, append-only, with the days already closed carried over (no stored bytes)."""
    op.create_table(
        "closed_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("closed_at", engine.store.types.UTCDateTime(), nullable=False),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("gl_export_csv", sa.LargeBinary(), nullable=True),
        sa.Column("receipts_csv", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(["closed_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("business_date"),
    )
    op.execute("INSERT INTO closed_days (business_date, closed_at, closed_by_id) "
               "SELECT business_date, max(closed_at), max(closed_by_id) FROM cash_drawers "
               "WHERE status = 'closed' GROUP BY business_date")
    _append_only_triggers("closed_days", dialect)


def upgrade() -> None:
    """Bound the money columns, keep the city's ceilings and the closed days."""
    dialect = op.get_bind().dialect.name
    _refuse_amounts_beyond_the_bound()
    _city_settings()
    with _rebuilt("ledger_entries") as batch:
        batch.add_column(sa.Column("dated_on", sa.Date(), nullable=True))
        batch.create_check_constraint(*_bound("ledger_entries", "amount_cents"))
        batch.create_index("ix_ledger_effective_on", ["effective_on"])
    for table, column in MONEY_COLUMNS[1:]:
        with _rebuilt(table) as batch:
            batch.create_check_constraint(*_bound(table, column))
    _closed_days(dialect)


def downgrade() -> None:
    """Drop the closed days, the bounds, the ceilings and dated_on."""
    op.drop_table("closed_days")
    for table, column in reversed(MONEY_COLUMNS[1:]):
        with _rebuilt(table) as batch:
            batch.drop_constraint(_bound(table, column)[0], type_="check")
    with _rebuilt("ledger_entries") as batch:
        batch.drop_index("ix_ledger_effective_on")
        batch.drop_constraint(_bound("ledger_entries", "amount_cents")[0], type_="check")
        batch.drop_column("dated_on")
    with _rebuilt("city_settings") as batch:
        batch.drop_constraint("ck_city_settings_paid_on_days_back", type_="check")
        batch.drop_column("paid_on_days_back")
        for kind in reversed(CEILINGS):
            batch.drop_constraint(f"ck_city_settings_{kind}_ceiling", type_="check")
            batch.drop_column(f"{kind}_ceiling_cents")
