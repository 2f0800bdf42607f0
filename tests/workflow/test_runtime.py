"""The runtime on its own: versions kept per case, all or nothing, forms, who takes which steps."""
from __future__ import annotations

import shutil
from datetime import date

import pytest
from sqlalchemy import func, select

from engine.store.models import AuditEntry, Case, LedgerEntry, Notice
from engine.workflow import services
from engine.workflow.definitions import WorkflowSet
from engine.workflow.runtime import CaseError, Conflict, StepRefused
from engine.workflow.services import Catalog
from tests.factories import create_account, create_license
from tests.workflow.conftest import REPO, assert_every_step_audited, at, charge
from samplecity.city import APPROVAL_ROLE_IDS

ON = date(2026, 3, 2)

LICENSING_V3 = (REPO / "workflows" / "licensing.yaml").read_text().replace("version: 2", "version: 3").replace(
    """  - id: start_review
    label: Start the review
    from: applied
    to: in_review
    roles: [clerk, supervisor]
""", """  - id: start_review
    label: Start the review (documents checked)
    from: applied
    to: in_review
    roles: [clerk, supervisor]
    form:
      - {name: documents_checked, label: Documents checked, type: boolean, required: true}
""")

FAILING = """id: failing
title: A step whose second action cannot be done
subject: utility_account
version: 1
initial: past_due
states:
  past_due: {label: Past due}
  charged: {label: Late fee charged}
  noticed: {label: Noticed, final: true}
transitions:
  - id: charge
    from: past_due
    to: charged
    roles: [clerk]
    actions:
      - fee: late-fee
  - id: fee_then_notice
    from: charged
    to: noticed
    roles: [clerk]
    form:
      - {name: pay_by, type: date}
    actions:
      - fee: reconnection-fee
      - notice: lien-intent
"""


@pytest.fixture()
def two_versions(tmp_path, catalog) -> Catalog:
    """The city's workflows plus licensing version 3 and a workflow whose step fails halfway."""
    folder = tmp_path / "workflows"
    shutil.copytree(REPO / "workflows", folder)
    (folder / "licensing-v3.yaml").write_text(LICENSING_V3)
    (folder / "failing.yaml").write_text(FAILING)
    return Catalog(rules=catalog.rules, workflows=WorkflowSet.from_folder(folder, catalog.rules, APPROVAL_ROLE_IDS))


def test_a_case_keeps_the_version_it_was_opened_under(db, staff, catalog, two_versions):
    """Opened under v2, the case walks v2 after v3 is published; a new case opens on v3 and asks for its form."""
    first, second = (create_license(db, status="applied", issued_on=None, expires_on=None) for _ in range(2))
    old = services.open_case(db, catalog, "licensing", first.id, actor="carla", on=ON, now=at(ON))
    new = services.open_case(db, two_versions, "licensing", second.id, actor="carla", on=ON, now=at(ON))
    assert (old.workflow_version, new.workflow_version) == (2, 3)
    old_step = services.steps_for(db, two_versions, old.id, user="carla", on=ON)[0]
    new_step = services.steps_for(db, two_versions, new.id, user="carla", on=ON)[0]
    assert (old_step.label, old_step.form) == ("Start the review", [])
    assert new_step.label == "Start the review (documents checked)"
    services.take_step(db, two_versions, old.id, "start_review", user="carla", on=ON, now=at(ON), version=1)
    with pytest.raises(StepRefused) as refused:
        services.take_step(db, two_versions, new.id, "start_review", user="carla", on=ON, now=at(ON), version=1)
    assert refused.value.reasons == ["documents_checked: Documents checked is required"]
    services.take_step(db, two_versions, new.id, "start_review", user="carla", on=ON, now=at(ON), version=1,
                       form={"documents_checked": "yes"})
    assert db.get(Case, new.id).fields == {"documents_checked": True}


def test_a_step_that_fails_halfway_leaves_nothing(db, staff, two_versions):
    """The reconnection fee is posted, then the notice cannot be made: no fee, no notice, no event, same case."""
    account = create_account(db)
    charge(db, account.id, "120.00", on=date(2026, 2, 1), due_on=date(2026, 2, 20))
    case = services.open_case(db, two_versions, "failing", account.id, actor="carla", on=ON, now=at(ON))
    services.take_step(db, two_versions, case.id, "charge", user="carla", on=ON, now=at(ON), version=case.version)
    assert case.fields == {"fees": {"late-fee": "12.00"}}
    audits = db.scalar(select(func.count()).select_from(AuditEntry))
    with pytest.raises(ValueError, match="lien-intent notice: the case has no 'due_date' to print"):
        services.take_step(db, two_versions, case.id, "fee_then_notice", user="carla", on=ON, now=at(ON),
                           version=case.version)
    assert (case.state, case.version, case.fields) == ("charged", 2, {"fees": {"late-fee": "12.00"}})
    assert db.scalar(select(func.count()).select_from(LedgerEntry).where(LedgerEntry.kind == "fee")) == 1
    assert db.scalar(select(func.count()).select_from(Notice)) == 0
    assert db.scalar(select(func.count()).select_from(AuditEntry)) == audits
    assert [e.step for e in db.get(Case, case.id).events] == ["open", "charge"]


def test_sweeps_and_staff_each_see_their_own_steps(db, staff, catalog):
    """A clerk sees staff steps; the sweep sees sweep steps; neither can take the other's."""
    lic = create_license(db, status="applied", issued_on=None, expires_on=None)
    case = services.open_case(db, catalog, "licensing", lic.id, actor="carla", on=ON, now=at(ON))
    case.state = "issued"
    db.flush()
    assert [s.id for s in services.steps_for(db, catalog, case.id, user="sweep:renewals", on=ON)] == [
        "mail_renewal_reminder", "mail_final_reminder", "mark_late"]
    assert "assess_renewal_fee" in [s.id for s in services.steps_for(db, catalog, case.id, user="carla", on=ON)]
    with pytest.raises(StepRefused) as refused:
        services.take_step(db, catalog, case.id, "mark_late", user="carla", on=ON, now=at(ON), version=None)
    assert refused.value.reasons[0] == "this step is taken by the nightly sweep, not by staff"
    with pytest.raises(StepRefused) as refused:
        services.take_step(db, catalog, case.id, "close", user="sweep:renewals", on=ON, now=at(ON), version=None,
                           form={"closed_reason": "moved"})
    assert refused.value.reasons == ["a sweep does not take staff steps"]


def test_opening_checks_the_subject_and_its_fields(db, staff, catalog):
    """No second open case per subject; opening fields are the documented case facts, typed."""
    account = create_account(db)
    case = services.open_case(db, catalog, "delinquency", account.id, actor="sweep:delinquency", on=ON, now=at(ON),
                              fields={"period": "2026-02"})
    assert case.fields == {"period": "2026-02"}
    with pytest.raises(CaseError, match=rf"utility_account {account.id} already has an open delinquency case"):
        services.open_case(db, catalog, "delinquency", account.id, actor="sweep:delinquency", on=ON, now=at(ON))
    with pytest.raises(CaseError, match="balance: not a field a refund case is opened with"):
        services.open_case(db, catalog, "refunds", account.id, actor="carla", on=ON, now=at(ON),
                           fields={"balance": "5"})
    with pytest.raises(CaseError, match="amount: 'ten' is not an amount of money"):
        services.open_case(db, catalog, "refunds", account.id, actor="carla", on=ON, now=at(ON),
                           fields={"amount": "ten"})
    with pytest.raises(CaseError, match="no active user named 'mallory'"):
        services.open_case(db, catalog, "refunds", account.id, actor="mallory", on=ON, now=at(ON))
    assert_every_step_audited(db, case.id)


def test_a_case_opens_at_a_named_state_with_its_event_and_audit_row(db, staff, catalog):
    """Opened at `issued`: that state, the steps' fields typed, one opening event saying so, one audit row."""
    lic = create_license(db)
    case = services.open_case(db, catalog, "licensing", lic.id, actor="carla", on=ON, now=at(ON), state="issued",
                              fields={"issued_on": "2026-01-01", "expires_on": date(2026, 12, 31)})
    assert (case.state, case.closed_at) == ("issued", None)
    assert case.fields == {"issued_on": "2026-01-01", "expires_on": "2026-12-31"}
    [event] = db.get(Case, case.id).events
    assert (event.step, event.from_state, event.to_state) == ("open", None, "issued")
    assert event.explanation == [{"guard": "open", "ok": True, "detail": "opened by carla in state issued"}]
    [audit] = db.scalars(select(AuditEntry).where(AuditEntry.subject_type == "case",
                                                  AuditEntry.subject_id == str(case.id))).all()
    assert (audit.action, audit.detail["from"], audit.detail["to"]) == ("case.open", None, "issued")
    assert_every_step_audited(db, case.id)
    assert "assess_renewal_fee" in [s.id for s in services.steps_for(db, catalog, case.id, user="carla", on=ON)]


def test_opening_at_the_initial_state_still_takes_only_case_facts(db, staff, catalog):
    """The fields the steps set are for a case opened further on; at the initial state they are refused."""
    lic = create_license(db, status="applied", issued_on=None, expires_on=None)
    with pytest.raises(CaseError, match="issued_on: not a field a license case is opened with"):
        services.open_case(db, catalog, "licensing", lic.id, actor="carla", on=ON, now=at(ON),
                           fields={"issued_on": "2026-01-01"})
    with pytest.raises(CaseError, match="issued_on: 'soon' is not a date"):
        services.open_case(db, catalog, "licensing", lic.id, actor="carla", on=ON, now=at(ON), state="issued",
                           fields={"issued_on": "soon"})
    case = services.open_case(db, catalog, "licensing", lic.id, actor="carla", on=ON, now=at(ON), state="applied")
    assert (case.state, case.events[0].explanation[0]["detail"]) == ("applied", "opened by carla in state applied")


def test_opening_at_an_unknown_or_final_state_is_refused_and_leaves_nothing(db, staff, catalog):
    """No such state, or a final one: a CaseError naming it, and no case, event or audit row."""
    lic = create_license(db)
    audits = db.scalar(select(func.count()).select_from(AuditEntry))
    with pytest.raises(CaseError, match=r"^licensing version 2 has no state 'nowhere'$"):
        services.open_case(db, catalog, "licensing", lic.id, actor="carla", on=ON, now=at(ON), state="nowhere")
    final = r"^licensing version 2: state 'closed' is final; a case cannot be opened in it$"
    with pytest.raises(CaseError, match=final):
        services.open_case(db, catalog, "licensing", lic.id, actor="carla", on=ON, now=at(ON), state="closed")
    assert db.scalar(select(func.count()).select_from(Case)) == 0
    assert db.scalar(select(func.count()).select_from(AuditEntry)) == audits


def test_a_second_open_case_is_refused_whatever_state_it_would_open_at(db, staff, catalog):
    """A license with an open licensing case gets no second one, at `issued` or at the initial state."""
    lic = create_license(db)
    first = services.open_case(db, catalog, "licensing", lic.id, actor="carla", on=ON, now=at(ON), state="issued")
    refusal = rf"^license {lic.id} already has an open licensing case \({first.id}\)$"
    with pytest.raises(CaseError, match=refusal):
        services.open_case(db, catalog, "licensing", lic.id, actor="carla", on=ON, now=at(ON), state="issued")
    with pytest.raises(CaseError, match=refusal):
        services.open_case(db, catalog, "licensing", lic.id, actor="carla", on=ON, now=at(ON))
    assert db.scalar(select(func.count()).select_from(Case)) == 1


OFFICE_DAY = """id: callbacks
title: Call the customer back on an office day
subject: utility_account
version: 1
initial: open
states:
  open: {label: Open}
  waiting: {label: Waiting}
  called: {label: Called back, final: true}
transitions:
  - id: schedule
    from: open
    to: waiting
    roles: [clerk]
    actions:
      - set: {call_on: {days: 1}}
  - id: call
    from: waiting
    to: called
    roles: [clerk]
    due: {field: call_on, calendar: city-calendar, allowed: office_day}
"""


def test_a_step_due_on_an_office_day_asks_the_calendar_on_the_day_it_is_taken(db, staff, catalog, tmp_path):
    """Due from Friday July 3, 2026 (a holiday): not on the holiday nor the weekend; on Monday, with the version
    of the calendar it asked noted."""
    (tmp_path / "callbacks.yaml").write_text(OFFICE_DAY)
    callbacks = Catalog(rules=catalog.rules, workflows=WorkflowSet.from_folder(tmp_path, catalog.rules))
    account = create_account(db)
    thursday = date(2026, 7, 2)
    case = services.open_case(db, callbacks, "callbacks", account.id, actor="carla", on=thursday, now=at(thursday))
    services.take_step(db, callbacks, case.id, "schedule", user="carla", on=thursday, now=at(thursday),
                       version=case.version)
    for day, why in ((date(2026, 7, 2), "2026-07-03 is a holiday (Independence Day (observed))"),
                     (date(2026, 7, 3), "2026-07-03 is a holiday (Independence Day (observed))"),
                     (date(2026, 7, 5), "2026-07-05 is a Sunday (the office is closed on Sundays)")):
        [step] = services.steps_for(db, callbacks, case.id, user="carla", on=day)
        assert step.reasons == [f"not before 2026-07-06; {why}"], day
    event = services.take_step(db, callbacks, case.id, "call", user="carla", on=date(2026, 7, 6),
                               now=at(date(2026, 7, 6)), version=case.version)
    assert {"rule": "city-calendar", "version": "2026-01-01"} in event.rules
    due = next(e for e in event.explanation if e["guard"] == "due")
    assert due["detail"] == "call_on = 2026-07-03; the first office day of city-calendar on or after 2026-07-06 is " \
                            "2026-07-06"


def test_a_case_opened_and_undone_in_the_same_transaction_is_not_stepped(db, staff, catalog):
    """A case opened in the transaction is stepped as written (its version checked); one whose opening a savepoint
    undid is gone: its step is refused as for any case that does not exist."""
    account = create_account(db)
    charge(db, account.id, "120.00", on=date(2026, 2, 1), due_on=date(2026, 2, 20))
    kept = services.open_case(db, catalog, "delinquency", account.id, actor="carla", on=ON, now=at(ON))
    with pytest.raises(StepRefused, match="does not come from case"):  # a version it never had: not a Conflict
        services.take_step(db, catalog, kept.id, "appeal_hold", user="carla", on=ON, now=at(ON), version=7,
                           form={"appeal_filed_on": "2026-03-01", "hold_reason": "appeal"})
    services.take_step(db, catalog, kept.id, "appeal_hold", user="carla", on=ON, now=at(ON), version=1,
                       form={"appeal_filed_on": "2026-03-01", "hold_reason": "appeal"})
    assert (kept.state, kept.version) == ("on_hold", 2)
    other = create_account(db)
    with pytest.raises(RuntimeError):
        with db.begin_nested():
            undone = services.open_case(db, catalog, "delinquency", other.id, actor="carla", on=ON, now=at(ON))
            undone_id = undone.id
            raise RuntimeError("the subject failed")
    with pytest.raises(CaseError, match=f"no case with id {undone_id}"):
        services.take_step(db, catalog, undone_id, "appeal_hold", user="carla", on=ON, now=at(ON), version=None,
                           form={"appeal_filed_on": "2026-03-01", "hold_reason": "appeal"})


def test_a_step_the_state_does_not_have_is_refused_in_words_and_a_moved_case_is_a_conflict(db, staff, catalog):
    """Only a case that moved since the version seen is a Conflict; a step its state does not have, or a version it
    never had, is refused as what it is, and changes nothing."""
    account = create_account(db)
    charge(db, account.id, "120.00", on=date(2026, 2, 1), due_on=date(2026, 2, 20))
    case = services.open_case(db, catalog, "delinquency", account.id, actor="carla", on=ON, now=at(ON))
    shutoff = {"meter_reading": "1234"}
    for seen in (case.version, 0, None):
        with pytest.raises(StepRefused) as refused:
            services.take_step(db, catalog, case.id, "record_shutoff", user="carla", on=ON, now=at(ON),
                               version=seen, form=shutoff)
        assert not isinstance(refused.value, Conflict)
        assert refused.value.reasons == ["“Record the shut-off” is not a step of a case in state Past due"]
    with pytest.raises(StepRefused) as refused:
        services.take_step(db, catalog, case.id, "no_such_step", user="carla", on=ON, now=at(ON), version=case.version)
    assert refused.value.reasons == ["“No such step” is not a step of a case in state Past due"]
    for seen in (0, case.version + 1):
        with pytest.raises(StepRefused, match=f"the form does not come from case {case.id} as it stands") as refused:
            services.take_step(db, catalog, case.id, "appeal_hold", user="carla", on=ON, now=at(ON), version=seen,
                               form={"appeal_filed_on": "2026-03-01", "hold_reason": "appeal"})
        assert not isinstance(refused.value, Conflict)
    assert (case.state, case.version, len(case.events)) == ("past_due", 1, 1)

    seen = case.version
    services.take_step(db, catalog, case.id, "appeal_hold", user="carla", on=ON, now=at(ON), version=seen,
                       form={"appeal_filed_on": "2026-03-01", "hold_reason": "appeal"})
    with pytest.raises(Conflict):  # the page drawn at past due, the case on hold since: it did move
        services.take_step(db, catalog, case.id, "record_shutoff", user="sam", on=ON, now=at(ON), version=seen,
                           form=shutoff)
