"""find anyone: full-text and substring search over customers, service addresses and businesses

Each searched table gets one search document per row (docs/search.md says what is in it):
customers: name, e-mail and the phone's digits; properties: service address and parcel;
businesses: name and address. Account numbers are searched by their digits without leading
zeros, through an expression index.

SQLite: two contentless FTS5 tables per searched table, one with the unicode61 tokenizer
(whole words and word starts, prefix indexes of 2 and 3 characters) and one with the
trigram tokenizer (any part of a word of 3 characters or more), kept by triggers on the
table, and filled here for the rows already there. PostgreSQL: a GIN index on
to_tsvector('simple', document) and a GIN pg_trgm index on the document, per table.

The document expressions here are copied, not imported, from webapp/search/documents.py
(a migration must not change when the code does); tests/web/test_search.py reads the query
plans and fails when the two drift apart.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06
"""
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

# SQLite: the phone's digits, without the usual punctuation (SQLite has no regular expressions).
SQLITE_DIGITS = ("replace(replace(replace(replace(replace(replace(replace(coalesce({row}.phone, ''), ' ', ''), '-', ''),"
                 " '(', ''), ')', ''), '.', ''), '+', ''), '/', '')")
SQLITE_DOCUMENTS = {
    "customers": ("customer", "{row}.name || ' ' || coalesce({row}.email, '') || ' ' || " + SQLITE_DIGITS, ("name", "email", "phone")),
    "properties": ("property", "{row}.service_address || ' ' || {row}.parcel", ("service_address", "parcel")),
    "businesses": ("business", "{row}.name || ' ' || {row}.address", ("name", "address")),
}
POSTGRES_DOCUMENTS = {
    "customers": "name || ' ' || coalesce(email, '') || ' ' || regexp_replace(coalesce(phone, ''), '[^0-9]+', '', 'g')",
    "properties": "service_address || ' ' || parcel",
    "businesses": "name || ' ' || address",
}
NUMBER_DIGITS = "ltrim(replace(number, '-', ''), '0')"


def _sqlite_upgrade() -> None:
    """FTS5 tables (words and trigrams) per searched table, their triggers, and the rows already there."""
    for table, (stem, document, columns) in SQLITE_DOCUMENTS.items():
        new, old = document.format(row="new"), document.format(row="old")
        op.execute(f"CREATE VIRTUAL TABLE {stem}_words USING fts5(document, content='', "
                   "tokenize='unicode61 remove_diacritics 2', prefix='2 3')")
        op.execute(f"CREATE VIRTUAL TABLE {stem}_grams USING fts5(document, content='', tokenize='trigram')")
        inserts = "".join(f"INSERT INTO {stem}_{kind}(rowid, document) VALUES (new.id, {new}); "
                          for kind in ("words", "grams"))
        deletes = "".join(f"INSERT INTO {stem}_{kind}({stem}_{kind}, rowid, document) VALUES ('delete', old.id, {old}); "
                          for kind in ("words", "grams"))
        op.execute(f"CREATE TRIGGER {table}_search_insert AFTER INSERT ON {table} BEGIN {inserts}END")
        op.execute(f"CREATE TRIGGER {table}_search_delete AFTER DELETE ON {table} BEGIN {deletes}END")
        op.execute(f"CREATE TRIGGER {table}_search_update AFTER UPDATE OF {', '.join(columns)} ON {table} "
                   f"BEGIN {deletes}{inserts}END")
        for kind in ("words", "grams"):
            op.execute(f"INSERT INTO {stem}_{kind}(rowid, document) SELECT id, {document.format(row=table)} FROM {table}")
    op.execute(f"CREATE INDEX ix_utility_accounts_number_digits ON utility_accounts ({NUMBER_DIGITS})")


def _postgres_upgrade() -> None:
    """pg_trgm, and per searched table a full-text GIN index and a trigram GIN index on its document."""
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, document in POSTGRES_DOCUMENTS.items():
        op.execute(f"CREATE INDEX ix_{table}_search_words ON {table} USING gin (to_tsvector('simple', {document}))")
        op.execute(f"CREATE INDEX ix_{table}_search_grams ON {table} USING gin (({document}) gin_trgm_ops)")
    op.execute(f"CREATE INDEX ix_utility_accounts_number_digits ON utility_accounts ({NUMBER_DIGITS} text_pattern_ops)")


def upgrade() -> None:
    """Build the search tables or indexes of this database, for the rows already there too."""
    if op.get_bind().dialect.name == "postgresql":
        _postgres_upgrade()
    else:
        _sqlite_upgrade()


def downgrade() -> None:
    """Drop the search tables, triggers and indexes (the pg_trgm extension stays: others may use it)."""
    op.execute("DROP INDEX IF EXISTS ix_utility_accounts_number_digits")
    if op.get_bind().dialect.name == "postgresql":
        for table in POSTGRES_DOCUMENTS:
            op.execute(f"DROP INDEX IF EXISTS ix_{table}_search_words")
            op.execute(f"DROP INDEX IF EXISTS ix_{table}_search_grams")
        return
    for table, (stem, _document, _columns) in SQLITE_DOCUMENTS.items():
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_search_{trigger}")
        op.execute(f"DROP TABLE IF EXISTS {stem}_words")
        op.execute(f"DROP TABLE IF EXISTS {stem}_grams")
