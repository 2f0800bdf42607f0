"""Approval roles on the web: administrators define, edit, grant (a second person approves) and revoke them, each
audited and behind CSRF; the users page shows who holds what; a case step says which role it needs, and a person
without it is refused by the server (400 with the reason, never a 500)."""
from __future__ import annotations

import re

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from engine import roles
from engine.money import ledger
from engine.store.models import AuditEntry, Case, SettingChange
from engine.workflow import services
from samplecity.city import APPROVAL_ROLE_IDS
from tests.factories import NOW, create_account
from tests.web.conftest import create_user, csrf_token
from tests.web.pages import REPO, fixed_clock  # noqa: F401  (fixture)

ROLE_PAGES = ["/admin/roles"]
ROLE_POSTS = ["/admin/roles", "/admin/roles/city_attorney", "/admin/roles/grant", "/admin/roles/revoke"]


def actions(db, since: int = 0) -> list[tuple[str, str, str]]:
    """(action, actor, subject) of the audit rows after row `since`."""
    return [(a.action, a.actor, a.subject_id) for a in db.scalars(select(AuditEntry).where(AuditEntry.id > since)
                                                                  .order_by(AuditEntry.id))]


def newest_audit(db) -> int:
    """The newest audit row's id."""
    return db.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1)) or 0


@pytest.mark.parametrize("path", ROLE_PAGES)
@pytest.mark.parametrize("role", ["clerk", "supervisor"])
def test_the_roles_page_is_for_administrators_only(login_as, path, role):
    assert login_as(role).get(path).status_code == 403


@pytest.mark.parametrize("path", ROLE_POSTS)
@pytest.mark.parametrize("role", ["clerk", "supervisor"])
def test_no_role_change_is_posted_but_by_an_administrator(login_as, db, path, role):
    person = login_as(role)
    before = newest_audit(db)
    response = person.post(path, data={"role_id": "field_crew", "label": "Field Crew", "username": "anyone",
                                       "edit-city_attorney-label": "Lawyer"})
    assert response.status_code == 403
    assert actions(db, before) == []


def test_an_administrator_defines_edits_and_sees_the_roles_with_their_holders(admin, db):
    before = newest_audit(db)
    response = admin.post("/admin/roles", data={"role_id": "field_crew", "label": "Field Crew",
                                                "description": "Shuts off and restores service"})
    assert response.status_code == 302
    response = admin.post("/admin/roles/field_crew", data={"edit-field_crew-label": "Field Crew Lead",
                                                           "edit-field_crew-description": "Leads the crew"})
    assert response.status_code == 302
    page = admin.get("/admin/roles").get_data(as_text=True)
    assert "Field Crew Lead" in page and "City Attorney" in page and "nobody yet" in page
    assert actions(db, before) == [("role.define", admin.user.username, "field_crew"),
                                   ("role.edit", admin.user.username, "field_crew")]


def test_a_bad_role_is_shown_again_with_why_and_nothing_is_saved(admin, db):
    before = newest_audit(db)
    response = admin.post("/admin/roles", data={"role_id": "supervisor", "label": "Supervisor"})
    assert response.status_code == 400
    assert "is a page role (clerk, supervisor, admin)" in response.get_data(as_text=True)
    assert actions(db, before) == []


def test_a_grant_waits_for_a_second_administrator_then_shows_on_the_users_page(login_as, db):
    ada, ben = login_as("admin"), login_as("admin")
    carla = create_user(db, "clerk")
    response = ada.post("/admin/roles/grant", data={"username": carla.username, "role_id": "city_attorney"},
                        follow_redirects=True)
    assert "waiting for a second person" in response.get_data(as_text=True)
    assert roles.grants_of(db, carla.username) == frozenset()
    change = db.scalars(select(SettingChange).where(SettingChange.setting == "grant:city_attorney")).one()
    assert ada.post(f"/admin/changes/{change.id}/approve").status_code == 302  # refused: ada asked for it
    assert roles.grants_of(db, carla.username) == frozenset()
    assert ben.post(f"/admin/changes/{change.id}/approve").status_code == 302
    assert roles.grants_of(db, carla.username) == frozenset({"city_attorney"})
    users_page = ada.get("/admin/users").get_data(as_text=True)
    assert "city_attorney" in users_page
    before = newest_audit(db)
    response = ada.post("/admin/roles/revoke", data={"username": carla.username, "role_id": "city_attorney"})
    assert response.status_code == 302
    assert roles.grants_of(db, carla.username) == frozenset()
    assert actions(db, before) == [("role.revoke", ada.user.username, carla.username)]


def test_a_role_form_without_its_csrf_token_is_refused_and_changes_nothing(app, admin, db):
    app.config["WTF_CSRF_ENABLED"] = True
    before = newest_audit(db)
    response = admin.post("/admin/roles", data={"role_id": "field_crew", "label": "Field Crew"})
    assert response.status_code == 400
    assert "field_crew" not in roles.role_ids(db) and actions(db, before) == []
    token = csrf_token(admin.get("/admin/roles"))
    response = admin.post("/admin/roles", data={"role_id": "field_crew", "label": "Field Crew", "csrf_token": token})
    assert response.status_code == 302 and "field_crew" in roles.role_ids(db)


def test_the_menu_shows_roles_to_administrators(clerk, admin):
    assert 'href="/admin/roles"' in admin.get("/").get_data(as_text=True)
    assert 'href="/admin/roles"' not in clerk.get("/").get_data(as_text=True)


def awaiting_the_city_attorney(db) -> Case:
    """A $30,000.00 refund a supervisor has approved first: it waits for the City Attorney."""
    account = create_account(db)
    on = date(2026, 3, 2)
    ledger.post_charge(db, account.id, Decimal("30000.00"), on=date(2026, 2, 1), due_on=date(2026, 2, 20), now=NOW,
                       actor="billing", description="Water and sewer")
    for day in (date(2026, 2, 10), date(2026, 2, 11)):
        ledger.post(db, account_id=account.id, kind="payment", amount=Decimal("-30000.00"), on=day, now=NOW,
                    actor="lockbox", description="Payment (wire)", reference=f"wire-{day}")
    catalog = services.Catalog.load(REPO / "rules", REPO / "workflows", APPROVAL_ROLE_IDS)
    requester, supervisor = create_user(db, "clerk"), create_user(db, "supervisor")
    case = services.open_case(db, catalog, "refunds", account.id, actor=requester.username, on=on, now=NOW,
                              fields={"amount": "30000.00", "source": "overpayment"})
    services.take_step(db, catalog, case.id, "research", user=requester.username, on=on, now=NOW,
                       version=case.version, form={"research_notes": "a wire sent twice"})
    services.take_step(db, catalog, case.id, "approve_first", user=supervisor.username, on=on, now=NOW,
                       version=case.version)
    return case


def test_a_step_needing_an_approval_role_says_so_and_the_server_refuses_anyone_without_it(fixed_clock, login_as,
                                                                                          db):
    case = awaiting_the_city_attorney(db)
    clerk = login_as("clerk")
    page = clerk.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Taken by: City Attorney." in page
    assert "this step needs the approval role City Attorney (refund-approval); you are a clerk" in page  # its name
    response = clerk.post(f"/cases/{case.id}/steps/approve_second_of_three",
                          data={"approve_second_of_three-version": case.version})
    assert response.status_code == 400
    assert "this step needs the approval role City Attorney" in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(Case, case.id).state == "awaiting_second"
    attorney = login_as("clerk")
    roles.record_grant(db, attorney.user.username, "city_attorney", actor="test", now=NOW)
    response = attorney.post(f"/cases/{case.id}/steps/approve_second_of_three",
                             data={"approve_second_of_three-version": case.version})
    assert response.status_code == 302
    db.expire_all()
    assert db.get(Case, case.id).state == "awaiting_third"
