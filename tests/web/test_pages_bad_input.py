"""Every page answers bad input with a page, never a 500 (issue 11 item 7, the pages' half).

The CLI has its walk (tests/web/test_cli_bad_input.py); this is the pages' one. Every route
of the app is walked from `app.url_map`, its address filled with records that exist (an
account, a case, a business, a rule, a workflow, a field list) so that the view gets as far
as reading its input. A GET is asked with each bad value in every query parameter a view
reads; a POST is sent each bad value in every field of every form the app declares (the
API: in each field of its JSON body) (a
number too big for any column, a date that is not one, a word where a number goes, an
empty value, a NUL). Each role the route declares asks. A 500 or an exception fails the
test; a 200 with the form's message, a 400 or a 404 that says why are all answers.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.routing import Rule

from engine.api_tokens import SCOPES
from engine.store.models import Property, UtilityAccount
from engine.workflow.services import Catalog
from samplecity.city import APPROVAL_ROLE_IDS
from tests.api.conftest import TokenClient, add_token
from tests.factories import create_business, create_case, save_city
from tests.web.test_access_matrix import API_PREFIX, ROLES, routes

HUGE = "9" * 30
BAD = ("abc", "", "-1", HUGE, "2026-02-30", "99999-01-01", "0001-01-01", "9999-12-31", "1.5", "x" * 400, "\x00", "%")
REPO = Path(__file__).resolve().parents[2]
WEB = REPO / "webapp"


def query_names() -> set[str]:
    """Every query parameter a view reads (request.args.get("x"), request.args["x"]) and every field of a GET form."""
    names = set()
    for source in WEB.rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        names |= set(re.findall(r"request\.args(?:\.get)?[\[(]\s*[\"']([a-z_]+)[\"']", text))
    names |= {"q", "as_of", "on", "day", "date", "start", "end", "period", "account", "license", "workflow", "state",
              "closed", "route", "page", "version", "older", "newer", "after", "language", "paper", "format"}
    return names


def form_fields() -> set[str]:
    """Every field name a form class of the app declares (`owner = IntegerField(..)`)."""
    names = set()
    for source in WEB.rglob("*.py"):
        names |= set(re.findall(r"^\s+([a-z_]+) = [A-Za-z]+Field\(", source.read_text(encoding="utf-8"), re.M))
    return names


def address(rule: Rule, records: dict[str, str]) -> str:
    """The rule's path with each variable a record that exists (1 for other numbers)."""
    path = rule.rule
    for name in rule.arguments:
        value = records.get(name, "1")
        path = re.sub(rf"<(?:[a-z]+:)?{name}>", value, path)
    return path


@pytest.fixture()
def records(db) -> dict[str, str]:
    """An account with a case on it, a business, and the names of a rule, a workflow and a field list."""
    save_city(db)
    case = create_case(db)
    business = create_business(db)
    account = db.get(UtilityAccount, case.account_id)
    return {"number": account.number, "case_id": str(case.id), "business_id": str(business.id),
            "parcel": db.get(Property, account.property_id).parcel, "document_id": "late-fee",
            "workflow_id": "delinquency", "key": "delinquency.post_door_hanger"}


def test_the_walk_reads_the_query_parameters_the_views_read():
    """The names are found in the views, so a page that reads a new one tomorrow is asked it too."""
    assert {"after", "older", "newer", "paper", "language", "route"} <= query_names()
    assert {"owner", "amount", "as_of"} <= form_fields()


@pytest.mark.parametrize("role", ROLES)
def test_every_page_answers_a_bad_query_string_without_a_500(app: Flask, login_as, records, role):
    client = login_as(role)
    names, failures = sorted(query_names()), []
    for rule, method, roles, public in routes(app):
        if method != "GET" or public or rule.rule.startswith(API_PREFIX) or rule.endpoint == "auth.logout":
            continue
        if roles is not None and role not in roles:
            continue
        for value in BAD:
            try:
                code = client.get(address(rule, records), query_string={name: value for name in names}).status_code
            except Exception as error:  # noqa: BLE001 - the failure is the finding
                failures.append(f"GET {rule.rule} with {value[:20]!r}: {type(error).__name__}: {error}")
                continue
            if code >= 500:
                failures.append(f"GET {rule.rule} with {value[:20]!r}: {code}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", ROLES)
def test_every_form_answers_bad_values_without_a_500(app: Flask, login_as, records, role):
    client = login_as(role)
    names, failures = sorted(form_fields()), []
    for rule, method, roles, public in routes(app):
        if method != "POST" or public or rule.rule.startswith(API_PREFIX) or rule.endpoint == "auth.logout":
            continue
        if roles is not None and role not in roles:
            continue
        for value in BAD:
            try:
                code = client.post(address(rule, records), data={name: value for name in names}).status_code
            except Exception as error:  # noqa: BLE001 - the failure is the finding
                failures.append(f"POST {rule.rule} with {value[:20]!r}: {type(error).__name__}: {error}")
                continue
            if code >= 500:
                failures.append(f"POST {rule.rule} with {value[:20]!r}: {code}")
    assert not failures, "\n".join(failures)


def test_an_owner_number_too_long_for_a_record_is_refused_on_the_form(app: Flask, db, login_as, records):
    """The property's owner by customer number: 30 digits is a message on the form, and the owner stays."""
    place = db.scalar(select(Property).where(Property.parcel == records["parcel"]))
    owner = place.owner_id
    clerk = login_as("clerk")
    page = clerk.post(f"/accounts/{records['number']}/property/owner", data={"owner": HUGE})
    assert page.status_code == 400
    assert "A customer number is a whole number from 1 to 18 digits long." in page.get_data(as_text=True)
    db.expire_all()
    assert db.get(Property, place.id).owner_id == owner


def test_every_api_call_answers_bad_input_without_a_500(app: Flask, db, records):
    """The API (a token with every scope): each GET with each bad value in every query parameter, and each POST with
    each bad value in each of its JSON fields (the others ordinary), a body that is not JSON, and one that is a list."""
    caller = TokenClient(app.test_client(), add_token(db, *SCOPES))
    ordinary = {"account_number": records["number"], "amount": "10.00", "paid_on": "2026-03-02",
                "transaction_id": "tx-1"}
    names, failures, walked = sorted(query_names()), [], set()
    for rule, method, _roles, _public in routes(app):
        if not rule.rule.startswith(API_PREFIX):
            continue
        path = address(rule, records)
        walked.add((method, rule.rule))
        calls = []
        if method == "GET":
            calls = [dict(query_string={name: value for name in names}) for value in BAD]
        elif method == "POST":
            calls = [dict(json={**ordinary, key: value}) for key in ordinary for value in (*BAD, None, 12, [], {})]
            calls += [dict(data="not json", content_type="application/json"), dict(json=[ordinary])]
        for call in calls:
            try:
                code = caller.open(method, path, **call).status_code
            except Exception as error:  # noqa: BLE001 - the failure is the finding
                failures.append(f"{method} {rule.rule} with {str(call)[:60]}: {type(error).__name__}: {error}")
                continue
            if code >= 500:
                failures.append(f"{method} {rule.rule} with {str(call)[:60]}: {code}")
    assert ("POST", "/api/v1/payments") in walked and ("GET", "/api/v1/shutoffs") in walked
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", ("clerk", "supervisor"))
def test_every_step_form_of_a_delinquency_case_answers_bad_values_without_a_500(app: Flask, db, login_as, role):
    """Each step of the delinquency workflow, from the first state it leaves, posted from the case page with each bad
    value in every field of its form (the form's fields are named STEP-FIELD, which the walk above cannot guess)."""
    catalog = Catalog.load(REPO / "rules", REPO / "workflows", APPROVAL_ROLE_IDS)
    workflow = catalog.workflows.get("delinquency")
    client, failures, walked = login_as(role), [], 0
    save_city(db)
    for step in workflow.transitions:
        state = next((name for name in workflow.states if step.leaves(name, workflow.states)), None)
        if state is None or not step.form:
            continue
        walked += 1
        case = create_case(db, state=state, fields={"period": "2026-01"})
        for value in BAD:
            data = {f"{step.id}-version": case.version, **{f"{step.id}-{f.name}": value for f in step.form}}
            try:
                code = client.post(f"/cases/{case.id}/steps/{step.id}", data=data).status_code
            except Exception as error:  # noqa: BLE001 - the failure is the finding
                failures.append(f"{step.id} from {state} with {value[:20]!r}: {type(error).__name__}: {error}")
                continue
            if code >= 500:
                failures.append(f"{step.id} from {state} with {value[:20]!r}: {code}")
    assert walked >= 5  # record_shutoff, waive_reconnection_fee, arrange_plan, the two holds, release_hold
    assert not failures, "\n".join(failures)


def test_the_case_queue_says_a_bad_starting_case_is_not_a_case_number(app: Flask, login_as, records):
    """The queue's `after` is a case number: anything else starts at the first case and says so."""
    clerk = login_as("clerk")
    page = clerk.get("/cases/", query_string={"after": HUGE})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert f"“{HUGE}” is not a case number to list from: the list starts at the first case." in text
    assert f"Case {records['case_id']}<" in text
    assert "is not a case number" not in clerk.get("/cases/", query_string={"after": "0"}).get_data(as_text=True)
    for digits in ("²", "١"):  # isdigit() took both: ² was a 500 out of int(), ١ listed from case 1
        page = clerk.get("/cases/", query_string={"after": digits})
        assert page.status_code == 200
        assert f"“{digits}” is not a case number to list from" in page.get_data(as_text=True)


def test_a_nul_character_is_refused_before_any_view_reads_it(app: Flask, db, login_as, records):
    """NUL in a query string, a form value or a JSON body is a 400 that says so, on both databases (PostgreSQL text
    cannot hold one: the case queue and the reread list answered 500 there), and changes nothing."""
    clerk = login_as("clerk")
    for sent in (clerk.get("/cases/", query_string={"workflow": "\x00"}),
                 clerk.get("/reads/rereads", query_string={"period": "2026-\x0001"}),
                 clerk.post(f"/accounts/{records['number']}/notes", data={"text": "a\x00b"})):
        assert sent.status_code == 400
        assert "NUL character" in sent.get_data(as_text=True)
    caller = TokenClient(app.test_client(), add_token(db, *SCOPES))
    answer = caller.post("/api/v1/payments", json={"account_number": records["number"], "amount": "1.00",
                                                   "paid_on": "2026-03-02", "transaction_id": "x\x00"})
    assert answer.status_code == 400
    assert clerk.get("/cases/", query_string={"workflow": "delinquency"}).status_code == 200
