"""What a sweep chunk reads ahead for its accounts stays right while the chunk writes: a case opened, a notice made,
an address recorded are each seen by the next check, as they are outside a chunk."""
from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy.orm import Session

from engine.accounts.customer_record import mailing_address_on, read_addresses_ahead
from engine.store.customers import MailingAddress
from engine.store.kept_reads import keeping_reads
from engine.store.models import Notice
from engine.workflow.night import collection_notice_tonight, read_notices_ahead
from engine.workflow.runtime import CaseError, _refuse_second_open_case, read_open_ahead
from engine.workflow.services import Catalog
from tests.factories import NOW, create_account, create_case

NIGHT = date(2026, 4, 30)
DELINQUENCY = SimpleNamespace(id="delinquency", subject="utility_account")


def test_a_case_opened_in_the_chunk_is_seen_by_the_next_opening(db: Session) -> None:
    """Read ahead with no open case, then one opened: a second is refused, naming the first."""
    account, other = create_account(db), create_account(db)
    with keeping_reads(db):
        read_open_ahead(db, "utility_account", [account.id, other.id])
        _refuse_second_open_case(db, DELINQUENCY, account.id)
        case = create_case(db, subject_id=account.id, account_id=account.id)
        with pytest.raises(CaseError, match=f"already has an open delinquency case \\({case.id}\\)"):
            _refuse_second_open_case(db, DELINQUENCY, account.id)
        _refuse_second_open_case(db, DELINQUENCY, other.id)  # its neighbour's stays as read
        case.closed_at = NOW
        db.flush()
        _refuse_second_open_case(db, DELINQUENCY, account.id)  # closed: another may be opened


def test_a_notice_made_in_the_chunk_is_the_night_s_one_collection_notice(db: Session, catalog: Catalog) -> None:
    """Read ahead with no notice tonight, then a reminder made: the next mailing step sees it."""
    case = create_case(db)
    with keeping_reads(db):
        read_notices_ahead(db, [case.account_id], NIGHT)
        assert collection_notice_tonight(db, catalog.workflows, case, NIGHT) is None
        notice = Notice(case_id=case.id, subject_type="utility_account", subject_id=case.account_id,
                        notice_type="past-due-reminder", period="2026-04", language="en", created_on=NIGHT, data={})
        db.add(notice)
        db.flush()
        assert collection_notice_tonight(db, catalog.workflows, case, NIGHT) is notice


def test_an_address_recorded_in_the_chunk_is_where_the_next_letter_goes(db: Session) -> None:
    """Read ahead with the address on file, then a forwarding address recorded: the next letter goes there."""
    account = create_account(db)
    customer = account.customer
    with keeping_reads(db):
        read_addresses_ahead(db, [customer.id])
        assert mailing_address_on(db, customer, NIGHT).street == customer.mailing_street
        db.add(MailingAddress(customer_id=customer.id, street="9 Elm Street", city="Alder Creek", state="CA",
                              zip="95000", in_force_from=NIGHT, recorded_by="clerk", recorded_at=NOW))
        db.flush()
        assert mailing_address_on(db, customer, NIGHT).street == "9 Elm Street"
        assert mailing_address_on(db, customer, date(2026, 4, 29)).street == customer.mailing_street
