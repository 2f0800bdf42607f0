"""A sweep chunk's kept reads: a standing read once stays right after a posting, a refused subject and a day closed."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from engine.money import business_days
from engine.money.ledger import posting
from engine.money.ledger.standing import standing, standings
from engine.store.kept_reads import keeping_reads
from engine.store.models import ClosedDay
from tests.factories import NOW, create_account

NIGHT = date(2026, 4, 20)


def fee(db: Session, account_id: int, dollars: str, on: date = date(2026, 3, 1)) -> None:
    """A fee posted through the gate, due on its day."""
    posting.post_fee(db, account_id, Decimal(dollars), on=on, now=NOW, actor="sweep:test", description="Late fee")


def test_a_standing_kept_in_a_chunk_follows_the_account_s_postings(db: Session) -> None:
    """Read, posted to, read again: the second read has the fee; another account's standing is unaffected."""
    owing, other = create_account(db), create_account(db)
    fee(db, owing.id, "10.00")
    with keeping_reads(db):
        assert standing(db, owing.id, NIGHT).balance_cents == 1000
        assert dict(standings(db, NIGHT, account_ids=[owing.id, other.id]))[other.id].balance_cents == 0
        fee(db, owing.id, "5.00")
        assert standing(db, owing.id, NIGHT).balance_cents == 1500
        assert dict(standings(db, NIGHT, account_ids=[owing.id]))[owing.id].balance_cents == 1500


def test_a_subject_rolled_back_leaves_no_kept_standing_behind(db: Session) -> None:
    """A fee posted in a savepoint that is rolled back (a subject that failed) is not in the standing read after."""
    account = create_account(db)
    fee(db, account.id, "10.00")
    with keeping_reads(db):
        with pytest.raises(RuntimeError):
            with db.begin_nested():
                fee(db, account.id, "25.00")
                assert standing(db, account.id, NIGHT).balance_cents == 3500
                raise RuntimeError("the subject failed")
        assert standing(db, account.id, NIGHT).balance_cents == 1000


def test_a_day_closed_in_the_chunk_is_seen_by_the_next_posting(db: Session) -> None:
    """The books are read once a chunk, but a closed day written in it is not missed."""
    account = create_account(db)
    with keeping_reads(db):
        assert business_days.books(db).booking_day(date(2026, 3, 2)) == date(2026, 3, 2)
        db.add(ClosedDay(business_date=date(2026, 3, 5), closed_at=NOW))
        db.flush()
        assert business_days.books(db).booking_day(date(2026, 3, 2)) == date(2026, 3, 6)
    assert account.id
