"""The shut-off list's results entered in bulk: shut off (the reading and the time), or could not access the meter.

Three cycle-B accounts owe April's bill; their door hangers were posted on 2026-06-30 and the
sweep released them to the crew on their shut-off day. The crew shut off one (reading 4,512 at
10:40), could not reach the meter of another (a locked gate), and did not get to the third:
the first case is disconnected with its reading, time and reconnection fee; the second stays
ready for shut-off, its case history saying why; the third is untouched. All three stay or leave
the list as their state says.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.field.lists import enter_results, field_list, rows
from engine.store.models import Case, CaseEvent, LedgerEntry
from engine.workflow.services import Catalog
from samplecity.city import APPROVAL_ROLE_IDS
from tests.factories import save_city
from tests.web.conftest import create_user, csrf_token
from tests.web.shutoff_cases import at, released_for_shutoff

REPO = Path(__file__).resolve().parents[2]
STREETS = ("14 Alder Way", "20 Alder Way", "5 Birch Lane")


@pytest.fixture()
def ready(db, staff_carla) -> tuple[Catalog, date, list[int]]:
    """Three cases released for shut-off; the shut-off day and the case ids (in STREETS order)."""
    catalog = Catalog.load(REPO / "rules", REPO / "workflows", APPROVAL_ROLE_IDS)
    save_city(db)
    cases, shutoff_on = [], None
    for n, street in enumerate(STREETS):
        case_id, shutoff_on = released_for_shutoff(db, catalog, name=f"Field Customer {n}", street=street,
                                                   parcel=f"G{n:08d}", number=f"910-00000{n}", meter=f"M-88{n}",
                                                   location="side yard", route="7")
        cases.append(case_id)
    return catalog, shutoff_on, cases


def test_the_shutoff_list_offers_both_results_and_asks_the_time(ready):
    catalog, day, _ = ready
    the_list = field_list(catalog, "delinquency.record_shutoff", day)
    assert [s.id for s in the_list.results] == ["record_shutoff", "shutoff_not_reached"]
    assert [(c.name, c.type) for c in the_list.columns] == [
        ("meter_reading", "integer"), ("shutoff_time", "time"), ("access_problem", "text")]


def test_results_entered_each_become_their_cases_step(db, ready):
    catalog, day, (shut, locked, untouched) = ready
    the_list = field_list(catalog, "delinquency.record_shutoff", day)
    assert [r.case_id for r in rows(db, catalog, the_list, user="carla", on=day)] == [shut, locked, untouched]
    done = enter_results(db, catalog, the_list, [
        (shut, db.get(Case, shut).version, {"meter_reading": 4512, "shutoff_time": "10:40"}),
        (locked, db.get(Case, locked).version, {"access_problem": "Locked gate, dog in the yard"},
         "shutoff_not_reached"),
        (untouched, db.get(Case, untouched).version, {}, "post_door_hanger"),  # not a result of this list
    ], user="carla", on=day, now=at(day))
    assert done.taken == [shut, locked]
    assert done.refused == [(untouched, ["'post_door_hanger' is not a result of the list 'Shut-offs due'"])]
    states = {c: db.get(Case, c).state for c in (shut, locked, untouched)}
    assert states == {shut: "disconnected", locked: "shutoff_ready", untouched: "shutoff_ready"}
    assert (db.get(Case, shut).fields["meter_reading"], db.get(Case, shut).fields["shutoff_time"]) == (4512, "10:40")
    last = db.scalars(select(CaseEvent).where(CaseEvent.case_id == locked).order_by(CaseEvent.id.desc())).first()
    assert (last.step, last.from_state, last.to_state) == ("shutoff_not_reached", "shutoff_ready", "shutoff_ready")
    assert db.get(Case, locked).fields["access_problem"] == "Locked gate, dog in the yard"
    fees = db.scalars(select(LedgerEntry.account_id).where(LedgerEntry.rule_id == "reconnection-fee")).all()
    assert fees == [db.get(Case, shut).subject_id]
    assert [r.case_id for r in rows(db, catalog, the_list, user="carla", on=day)] == [locked, untouched]


def test_a_time_that_is_no_time_of_day_is_refused_by_name(db, ready):
    catalog, day, (shut, _, _) = ready
    the_list = field_list(catalog, "delinquency.record_shutoff", day)
    done = enter_results(db, catalog, the_list, [
        (shut, db.get(Case, shut).version, {"meter_reading": 4512, "shutoff_time": "25:10"})],
        user="carla", on=day, now=at(day))
    assert done.taken == [] and done.refused == [(shut, ["shutoff_time: '25:10' is not a time of day (HH:MM, 24-hour)"])]
    assert db.get(Case, shut).state == "shutoff_ready"


def test_the_page_takes_a_result_per_row(app, db, ready, login_as):
    catalog, day, (shut, locked, untouched) = ready
    app.config["CLOCK"] = lambda: at(day)
    clerk = login_as("clerk")
    app.config["WTF_CSRF_ENABLED"] = True  # the results form carries its token
    page = clerk.get("/field/delinquency.record_shutoff?route=7")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Could not access the meter" in text and 'type="time"' in text
    response = clerk.post("/field/delinquency.record_shutoff", data={
        "csrf_token": csrf_token(page), "route": "7", "done": [str(shut), str(locked)],
        f"c{shut}-version": str(db.get(Case, shut).version), f"c{shut}-result": "record_shutoff",
        f"c{shut}-meter_reading": "4512", f"c{shut}-shutoff_time": "9:05",
        f"c{locked}-version": str(db.get(Case, locked).version), f"c{locked}-result": "shutoff_not_reached",
        f"c{locked}-access_problem": "Locked gate"}, follow_redirects=True)
    said = response.get_data(as_text=True)
    assert "Record the shut-off: 1 case(s) moved on" in said and "Could not access the meter: 1 case(s) moved on" in said
    db.expire_all()  # the page's own session moved the cases: read them again, not as this session last saw them
    assert {c: db.get(Case, c).state for c in (shut, locked, untouched)} == {
        shut: "disconnected", locked: "shutoff_ready", untouched: "shutoff_ready"}
    assert db.get(Case, shut).fields["shutoff_time"] == "09:05"
    case_page = clerk.get(f"/cases/{untouched}").get_data(as_text=True)  # the case page asks the same, one stop
    assert "Could not access the meter" in case_page and 'type="time"' in case_page


@pytest.mark.parametrize("entered", [{"done": "²"}, {"done": "SHUT", "cSHUT-meter_reading": "45²"},
                                     {"done": "SHUT", "cSHUT-shutoff_time": "1²:05"}, {"done": "SHUT", "cSHUT-version": "²"}])
def test_a_row_in_digits_int_refuses_is_named_or_refused_and_nothing_moves(app, db, ready, login_as, entered):
    """A case number, a reading, a time or a version of ² passed isdigit() and ended in int(): a 500 and no page."""
    catalog, day, (shut, _, _) = ready
    app.config["CLOCK"] = lambda: at(day)
    clerk = login_as("clerk")
    app.config["WTF_CSRF_ENABLED"] = True
    page = clerk.get("/field/delinquency.record_shutoff?route=7")
    fields = {"csrf_token": csrf_token(page), "route": "7", f"c{shut}-version": str(db.get(Case, shut).version),
              f"c{shut}-result": "record_shutoff", f"c{shut}-meter_reading": "4512", f"c{shut}-shutoff_time": "9:05"}
    fields.update({name.replace("SHUT", str(shut)): value.replace("SHUT", str(shut)) for name, value in entered.items()})
    response = clerk.post("/field/delinquency.record_shutoff", data=fields, follow_redirects=True)
    assert response.status_code in (200, 400)
    if entered["done"] == "²":
        assert response.status_code == 400
    elif "meter_reading" in str(entered):
        assert f"Case {shut}: Meter reading at shut-off: " in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(Case, shut).state == "shutoff_ready"


@pytest.fixture()
def staff_carla(db):
    """The clerk who enters the crew's results."""
    return create_user(db, "clerk", username="carla")
