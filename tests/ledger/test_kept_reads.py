"""A sweep chunk's kept reads: a standing read once stays right after a posting, a refused subject and a day closed;
an account's records stay right after they are written."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from engine.accounts.assistance import programs_on
from engine.accounts.facts import facts_for_account
from engine.accounts.history import account_streams
from engine.money import business_days
from engine.money.ledger.balances import standings_on
from engine.money.ledger import posting
from engine.money.ledger.standing import standing, standings
from engine.store.kept_reads import keeping_reads
from engine.store.assistance import AssistanceEnrolment
from engine.store.models import ClosedDay, Payment
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


def test_an_account_s_records_kept_in_a_chunk_are_read_again_once_written(db: Session) -> None:
    """The account's row, its customer's programs and its payments are read once a chunk, and again after a flush
    that writes one of them; a standing the chunk worked out is what the kept balances would say."""
    account = create_account(db)
    fee(db, account.id, "10.00")
    with keeping_reads(db):
        assert facts_for_account(db, account.id, NIGHT, ())["rate_class"] == account.rate_class
        assert programs_on(db, [account.customer_id], NIGHT) == {account.customer_id: []}
        assert account_streams(db, [account.id], NIGHT, ["payments"])[account.id]["payments"] == []
        account.rate_class = "commercial"
        db.add(AssistanceEnrolment(customer_id=account.customer_id, program="cap", starts_on=date(2026, 1, 1),
                                   recorded_by="clerk", recorded_at=NOW))
        db.add(Payment(account_id=account.id, amount_cents=400, tender="cash", source="counter",
                       received_on=date(2026, 3, 2), idempotency_key="kept-reads-1", actor="clerk", posted_at=NOW))
        db.flush()
        facts = facts_for_account(db, account.id, NIGHT, ())
        assert (facts["rate_class"], facts["assistance_programs"]) == ("commercial", ["cap"])
        paid = account_streams(db, [account.id], NIGHT, ["payments", "returned_payments"])[account.id]
        assert [event["amount"] for event in paid["payments"]] == [Decimal("4.00")]
        assert len(account_streams(db, [account.id], NIGHT, ["fees"])[account.id]["fees"]) == 1
        fee(db, account.id, "5.00")  # its keeping works the standing out; the letter's standings_on takes it
        worked = standings_on(db, NIGHT, [account.id])
        fees = account_streams(db, [account.id], NIGHT, ["fees"])[account.id]["fees"]  # the rows the keeping read
        assert [event["amount"] for event in fees] == [Decimal("10.00"), Decimal("5.00")]
    assert worked == standings_on(db, NIGHT, [account.id]) and worked[account.id].balance_cents == 1500
