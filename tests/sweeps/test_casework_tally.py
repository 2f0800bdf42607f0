"""A night's report counts what each action says it did: an action is one module, the sweep names none."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from engine.store.models import CaseEvent, Notice
from engine.sweeps import casework
from engine.sweeps.casework import Tally
from engine.workflow.actions import ACTIONS
from engine.workflow.actions.base import WorkflowAction
from tests.factories import create_case

ON = date(2026, 11, 24)


def _notice(db, case, notice_type: str, language: str = "en") -> int:
    """A notice row of the case (each its own period, as an occupant's copy has)."""
    period = f"{case.id}.1.{db.query(Notice).count()}"
    notice = Notice(case_id=case.id, subject_type=case.subject_type, subject_id=case.subject_id,
                    notice_type=notice_type, period=period, language=language, created_on=ON, data={})
    db.add(notice)
    db.flush()
    return notice.id


def _step(*done: dict) -> CaseEvent:
    """A step event as the runtime records it: the actions done, under the `actions` guard."""
    return CaseEvent(step="send_notice", explanation=[{"guard": "actions", "done": list(done)}])


def test_fees_and_notices_are_counted_from_the_actions_records(db):
    case = create_case(db)
    first, copy = _notice(db, case, "shutoff-notice"), _notice(db, case, "shutoff-notice", "es")
    tally = Tally()
    tally.events(db, case, [_step({"action": "fee", "schedule": "late-fee", "version": "2024-07-01", "amount": "22.59"},
                                  {"action": "fee", "schedule": "reconnect-fee", "version": "2024-07-01", "amount": "0"},
                                  {"action": "notice", "notice": "shutoff-notice", "notice_id": first},
                                  {"action": "notice_occupants", "notice": "shutoff-notice", "occupants": 1,
                                   "notice_ids": [copy]},
                                  {"action": "notice_occupants", "notice": "shutoff-notice", "occupants": 0},
                                  {"action": "re_date", "field": "shutoff_on", "value": "2026-12-01"})])
    assert tally.fees_cents == {"late-fee": 2259}
    assert tally.notices == {"shutoff-notice/en": 1, "shutoff-notice/es": 1}
    assert tally.steps == {"delinquency.send_notice": 1}


def test_a_new_action_that_writes_notices_is_counted_without_a_word_in_the_sweep(db, monkeypatch):
    """Registered with its `notices`, a new action's letters reach the night's report (before: only the names
    notice and notice_occupants, written in engine/sweeps/casework.py, were counted)."""
    case = create_case(db)
    ids = [_notice(db, case, "door-hanger"), _notice(db, case, "door-hanger")]
    hanger = WorkflowAction("door_hanger", check=lambda *_: None, run=lambda *_: None,
                            notices=lambda done: tuple(done["hung"]))
    monkeypatch.setattr(casework, "ACTIONS", {**ACTIONS, "door_hanger": hanger})
    tally = Tally()
    tally.events(db, case, [_step({"action": "door_hanger", "hung": ids})])
    assert tally.notices == {"door-hanger/en": 2}


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_every_action_tells_its_fee_and_notices_from_a_record_of_its_own(name):
    """Only the fee action charges; only the two notice actions write notices (what the night's report counts)."""
    records = {"fee": {"action": "fee", "schedule": "late-fee", "amount": "5.00"},
               "notice": {"action": "notice", "notice": "x", "notice_id": 7},
               "notice_occupants": {"action": "notice_occupants", "notice": "x", "notice_ids": [8, 9]}}
    action = ACTIONS[name]
    record = records.get(name, {"action": name})
    assert action.fee(record) == (("late-fee", Decimal("5.00")) if name == "fee" else None)
    assert action.notices(record) == {"notice": (7,), "notice_occupants": (8, 9)}.get(name, ())
