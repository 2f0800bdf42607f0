"""The searched documents, asked of each database through its own well-kept index.

A source is a table with a search document per row (customers: name, e-mail, the phone's
digits; properties: service address, parcel; businesses: name, address). SQLite holds each
document in two contentless FTS5 tables kept by triggers, `<stem>_words` (unicode61,
with prefix indexes) and `<stem>_grams` (trigram); PostgreSQL indexes the same document
expression with a full-text GIN index (its words parted at punctuation as SQLite's are: migration
0038) and a pg_trgm GIN index (migration 0018); the migrations' copies of these expressions
must stay the same: tests/web/test_search.py reads the plans.
Each asks for at most `limit` row ids; none is ordered, the caller ranks what it keeps.
"""
from __future__ import annotations

import sys

from sqlalchemy import String, bindparam, func, literal, literal_column, text
from sqlalchemy.orm import Session

from engine.store.models import UtilityAccount
from webapp.search.typed import Typed, fts5_pieces, fts5_words, like_pieces, tsquery_words

SOURCES = ("customer", "property", "business")
TABLES = {"customer": "customers", "property": "properties", "business": "businesses"}
POSTGRES_DOCUMENTS = {
    "customer": "name || ' ' || coalesce(email, '') || ' ' || regexp_replace(coalesce(phone, ''), '[^0-9]+', '', 'g')",
    "property": "service_address || ' ' || parcel",
    "business": "name || ' ' || address",
}
# PostgreSQL's full-text parser joins words with these characters into one word ("N.E." is "n.e", "Twenty-First"
# is "twenty-first" besides "twenty" and "first", an e-mail is one word); SQLite's unicode61, and what was typed
# (engine.addresses.words_of), part words at each. Read as spaces in the words index, so both databases hold the
# same words: "N.E." is found by NE and "One Hundred Twenty-First" by 121st on both (migration 0038).
JOINING = "-./@_:+~<>&"
POSTGRES_WORDS = "to_tsvector('simple', translate({document}, '" + JOINING + "', '" + " " * len(JOINING) + "'))"
# The account number's digits without leading zeros, as its expression index holds them.
# Written with literal constants (not bound parameters), so the planner sees the indexed expression.
NUMBER_DIGITS = func.ltrim(func.replace(UtilityAccount.number, literal_column("'-'"), literal_column("''")),
                           literal_column("'0'"))


def starts_with(column, text: str):
    """`column` starts with `text`, as an index range (plus an exact check for collations that differ)."""
    after = text[:-1] + chr(min(ord(text[-1]) + 1, sys.maxunicode))  # the last character there is: nothing after
    return (column >= text) & (column < after) & column.startswith(text, autoescape=True)


class SqliteSources:
    """The FTS5 tables of SQLite."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def _ids(self, table: str, match: str, limit: int) -> list[int]:
        """Row ids of one FTS5 table matching `match`."""
        if not match:
            return []
        sql = text(f"SELECT rowid FROM {table} WHERE {table} MATCH :match LIMIT :limit")
        return list(self.session.scalars(sql, {"match": match, "limit": limit}))

    def words(self, source: str, typed: Typed, *, starts: bool, limit: int) -> list[int]:
        """Rows whose document has every word whole (or, with `starts`, a word starting with each)."""
        return self._ids(f"{source}_words", fts5_words(typed, starts=starts), limit)

    def pieces(self, source: str, typed: Typed, *, limit: int) -> list[int]:
        """Rows whose document holds every piece somewhere, inside a word or across words."""
        return self._ids(f"{source}_grams", fts5_pieces(typed), limit)

    def number_starts(self, digits: str):
        """Account numbers whose digits without leading zeros start with `digits`: a range on the expression index."""
        return starts_with(NUMBER_DIGITS, digits)


class PostgresSources:
    """The full-text and pg_trgm GIN indexes of PostgreSQL."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def _ids(self, source: str, where: str, params: dict, limit: int) -> list[int]:
        """Row ids of one table matching `where` (which names its document as {document}).

        The values are rendered into the statement when it runs (quoted by SQLAlchemy), not sent
        as parameters: a statement run five times is prepared, and PostgreSQL's generic plan for
        `ILIKE $1` or `@@ to_tsquery($1)`, not knowing the pattern, may scan the whole table.
        """
        sql = text(f"SELECT id FROM {TABLES[source]} WHERE {where.format(document=POSTGRES_DOCUMENTS[source])} "
                   "LIMIT :limit").bindparams(*(bindparam(name, value, literal_execute=True)
                                                for name, value in {**params, "limit": limit}.items()))
        return list(self.session.scalars(sql))

    def words(self, source: str, typed: Typed, *, starts: bool, limit: int) -> list[int]:
        """Rows whose document has every word whole (or, with `starts`, a word starting with each)."""
        query = tsquery_words(typed, starts=starts)
        if not query:
            return []
        return self._ids(source, POSTGRES_WORDS + " @@ to_tsquery('simple', :query)", {"query": query}, limit)

    def pieces(self, source: str, typed: Typed, *, limit: int) -> list[int]:
        """Rows whose document holds every piece somewhere, inside a word or across words."""
        patterns = like_pieces(typed)
        if not patterns:
            return []
        where = " AND ".join(f"({{document}}) ILIKE :piece{n}" for n in range(len(patterns)))
        return self._ids(source, where, {f"piece{n}": pattern for n, pattern in enumerate(patterns)}, limit)

    def number_starts(self, digits: str):
        """Account numbers whose digits without leading zeros start with `digits` (its text_pattern_ops index).

        The pattern is rendered into the statement (see _ids): a generic plan cannot use the index for `LIKE $1`.
        """
        return NUMBER_DIGITS.like(literal(digits + "%", String, literal_execute=True))


def sources_for(session: Session) -> SqliteSources | PostgresSources:
    """The searched documents of this session's database."""
    if session.get_bind().dialect.name == "postgresql":
        return PostgresSources(session)
    return SqliteSources(session)
