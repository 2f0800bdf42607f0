"""Migration 0038 (search words parted): PostgreSQL's words index reads the document with the punctuation its
parser joins words with ("N.E.", "Twenty-First", an e-mail) as spaces, as SQLite's unicode61 does; down and up
again, and the address written "N.E." is found by NE through the index made again."""
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from engine.store.db import make_engine
from engine.store.schema import upgrade
from tests.factories import create_account, create_customer, create_property
from tests.store.migrations import downgrade_to
from webapp.search import finder

TABLES = ("customers", "properties", "businesses")


def _words_indexes(engine) -> dict[str, str]:
    """Each searched table's words index as PostgreSQL writes it back ({} on SQLite, which has FTS5 tables)."""
    if engine.dialect.name != "postgresql":
        return {}
    with engine.connect() as connection:
        return dict(connection.execute(text("SELECT tablename, indexdef FROM pg_indexes "
                                            "WHERE indexname = 'ix_' || tablename || '_search_words'")).all())


def _found(engine, typed: str) -> list[str]:
    """The service addresses whole-word matches of `typed` lead to."""
    with Session(engine) as session:
        return [f.account.property.service_address for f in finder.find(session, typed).found
                if f.account and f.how == "whole word"]


def test_the_words_indexes_go_back_as_written_and_come_back_parted(committing_url):
    engine = make_engine(committing_url)
    try:
        with Session(engine) as session, session.begin():
            person = create_customer(session, name="Kim Quill", email="kim.quill7@example.org")
            create_account(session, customer=person,
                           property=create_property(session, owner=person, service_address="7 N.E. Larch St"))
        parted = _words_indexes(engine)
        postgres = engine.dialect.name == "postgresql"
        assert sorted(parted) == (sorted(TABLES) if postgres else [])
        assert all("translate(" in definition for definition in parted.values()), parted
        downgrade_to(committing_url, "0037_impact_example_facts")
        assert not any("translate(" in definition for definition in _words_indexes(engine).values())
        assert sorted(_words_indexes(engine)) == (sorted(TABLES) if postgres else [])
        upgrade(engine)
        assert _words_indexes(engine) == parted
        assert _found(engine, "NE Larch") == _found(engine, "N.E. Larch") == ["7 N.E. Larch St"]
        assert _found(engine, "quill7") == ["7 N.E. Larch St"]  # a word of the e-mail, whole
    finally:
        engine.dispose()
