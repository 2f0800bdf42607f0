"""A notice of intent to lien that its night's mailing left out is mailed again (`requires_left_out:`).

The liens sweep mails an owner's notice of intent; the mailing prints after its pay-by day (as a run resumed long
after leaves one) and leaves it out. The lien may not be recorded on a notice that never went out, and nothing else
would ever mail one: the next Monday's sweep mails a new notice of intent with 30 days to pay counted again (the real
mailing, read back with pdftotext), and the lien may be recorded once that day has come.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.store.models import Case, Notice, NoticeBatch
from engine.sweeps.mailing import Mailer
from engine.sweeps.registry import get_sweep
from engine.sweeps.runner import SweepContext, run_sweep
from engine.users import add_user
from engine.workflow import services
from engine.workflow.runtime import StepRefused
from tests.factories import create_account, create_case, save_city
from tests.notices.test_no_past_dates import words
from tests.sweeps.conftest import REPO, AfterEachChunk, at, charge, sweep

TEMPLATES = REPO / "templates" / "notices"
OPENED, INTENT_NIGHT, NEXT_MONDAY = date(2026, 5, 2), date(2026, 5, 4), date(2026, 5, 11)
PAST = "2026-05-01"  # a pay-by day already past when the intent's mailing prints


def intents_dated_past(session: Session, ctx: SweepContext) -> None:
    """The night's notices of intent dated to be paid before the night (the mailing must leave them out)."""
    for notice in session.scalars(select(Notice).where(Notice.sweep_run_id == ctx.run_id,
                                                       Notice.notice_type == "lien-intent")):
        notice.data = {**notice.data, "due_date": PAST}


@pytest.fixture()
def lien(committing_db, catalog) -> tuple[int, str]:
    """An owner $300 of sewer past due since January, service off, with a lien case opened: (case id, account)."""
    with committing_db() as session, session.begin():
        save_city(session)
        account = create_account(session, cycle="B")
        charge(session, account.id, "300.00", on=date(2026, 1, 8), due_on=date(2026, 1, 29), service="sewer")
        create_case(session, subject_id=account.id, account_id=account.id, state="disconnected",
                    fields={"period": "2026-01"})
        case = services.open_case(session, catalog, "liens", account.id, actor="sweep:liens", on=OPENED,
                                  now=at(OPENED))
        add_user(session, username="sam", full_name="Sam Ortiz", role="supervisor", password="supervisor-pass-1",
                 actor="test", now=at(OPENED))
        return case.id, account.number


def record(factory, catalog, case_id: int, on: date) -> None:
    """The supervisor records the lien with the county on the day (refused: StepRefused)."""
    with factory() as session, session.begin():
        services.take_step(session, catalog, case_id, "record_lien", user="sam", on=on, now=at(on),
                           version=session.get(Case, case_id).version,
                           form={"recording_number": "2026-0031877", "recorded_on": on.isoformat()})


def test_an_intent_left_out_of_its_mailing_is_mailed_again_with_a_new_pay_by_and_the_lien_may_then_be_recorded(
        committing_db, catalog, lien, tmp_path):
    case_id, number = lien
    first = run_sweep(committing_db, AfterEachChunk(get_sweep("liens"), intents_dated_past), as_of=INTENT_NIGHT,
                      today=INTENT_NIGHT, clock=lambda: at(INTENT_NIGHT), runner="test", services=catalog,
                      mailer=Mailer(TEMPLATES, tmp_path / "first"))
    assert first.status == "done"
    with committing_db() as session:
        [left_out] = session.scalars(select(Notice).where(Notice.case_id == case_id)).all()
        assert (left_out.batch_id, left_out.left_out_on) == (None, INTENT_NIGHT)
        first_pay_by = date.fromisoformat(session.get(Case, case_id).fields["pay_by"])
    with pytest.raises(StepRefused) as refused:  # the lien waits: its notice of intent never went out
        record(committing_db, catalog, case_id, first_pay_by)
    assert refused.value.reasons == [f"the Notice of Intent to Record a Lien of May 4, 2026 (notice {left_out.id}) was "
                                     "never mailed or printed: a new one must go out first"]

    again = sweep(committing_db, catalog, on=NEXT_MONDAY, name="liens", mailer=Mailer(TEMPLATES, tmp_path / "again"))
    assert again.status == "done"
    assert again.report["steps"] == {"liens.mail_intent_again": 1} and again.report["notices"] == {"lien-intent/en": 1}
    assert not [line for line in again.report["exceptions"] if line["kind"] in ("not_sent", "not_mailed")]
    with committing_db() as session:
        case = session.get(Case, case_id)
        pay_by = date.fromisoformat(case.fields["pay_by"])
        latest = session.scalars(select(Notice).where(Notice.case_id == case_id).order_by(Notice.id)).all()[-1]
        batch = session.get(NoticeBatch, latest.batch_id)
        assert (case.state, latest.id != left_out.id, latest.created_on, latest.left_out_on) == (
            "intent_mailed", True, NEXT_MONDAY, None)
        assert [e.step for e in case.events][-1] == "mail_intent_again"
    assert pay_by > NEXT_MONDAY and pay_by > first_pay_by and latest.data["due_date"] == pay_by.isoformat()
    mailed = words(Path(batch.pdf_path).read_bytes())  # the real mailing, as the print shop gets it
    assert number in mailed and f"{pay_by:%B} {pay_by.day}, {pay_by.year}" in mailed and "May 1, 2026" not in mailed

    monday_after = sweep(committing_db, catalog, on=date(2026, 5, 18), name="liens")
    assert monday_after.report["steps"] == {}  # the new notice went out: nothing to mail again
    with pytest.raises(StepRefused) as early:
        record(committing_db, catalog, case_id, first_pay_by)
    assert early.value.reasons == [f"not due until {pay_by.isoformat()} (pay_by)"]
    record(committing_db, catalog, case_id, pay_by)
    with committing_db() as session:
        assert session.get(Case, case_id).state == "filed"
