"""search: PostgreSQL's words index parts words at punctuation, as SQLite's does

PostgreSQL's full-text parser reads words joined by a dot, hyphen, slash, @ and the like as one
word: "N.E." is the word "n.e", and "Twenty-First" is "twenty-first" (with "twenty" and "first"
after it, so "One Hundred Twenty-First" is not the phrase one hundred twenty first). SQLite's
unicode61 tokenizer, and the words read from what a clerk types (engine.addresses.words_of),
part words at every such character, so "N.E. Oak" was found on SQLite by NE and not on
PostgreSQL. Each table's words index is made again on the document with those characters read
as spaces (translate, the same on every server, whatever its locale). The trigram index, for
parts of words, is unchanged. SQLite has nothing to change.

The expressions here are copied, not imported, from webapp/search/sources.py (a migration must
not change when the code does); tests/web/test_search.py reads the query plans and fails when
the two drift apart.

Revision ID: 0038_search_words_parted
Revises: 0037_impact_example_facts
Create Date: 2026-12-07
"""
from alembic import op

revision = "0038_search_words_parted"
down_revision = "0037_impact_example_facts"
branch_labels = None
depends_on = None

POSTGRES_DOCUMENTS = {
    "customers": "name || ' ' || coalesce(email, '') || ' ' || regexp_replace(coalesce(phone, ''), '[^0-9]+', '', 'g')",
    "properties": "service_address || ' ' || parcel",
    "businesses": "name || ' ' || address",
}
PARTED = "to_tsvector('simple', translate({document}, '-./@_:+~<>&', '           '))"
AS_WRITTEN = "to_tsvector('simple', {document})"  # migration 0018's


def _words_indexes(expression: str) -> None:
    """Make each searched table's words index again, on `expression` of its document."""
    for table, document in POSTGRES_DOCUMENTS.items():
        op.execute(f"DROP INDEX IF EXISTS ix_{table}_search_words")
        op.execute(f"CREATE INDEX ix_{table}_search_words ON {table} USING gin "
                   f"(({expression.format(document=document)}))")


def upgrade() -> None:
    """PostgreSQL: the words indexes on the document with punctuation read as spaces."""
    if op.get_bind().dialect.name == "postgresql":
        _words_indexes(PARTED)


def downgrade() -> None:
    """PostgreSQL: the words indexes on the document as written, as migration 0018 made them."""
    if op.get_bind().dialect.name == "postgresql":
        _words_indexes(AS_WRITTEN)
