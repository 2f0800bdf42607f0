"""Approval roles as city data: defined and edited by an administrator, granted only with a second person (as a
role change is), revoked at once; every change audited, every bad input refused with words and nothing changed."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine import roles, two_person
from engine.rulebook.catalog_source import CatalogCache, current_catalog
from engine.rules.errors import DocumentErrors
from engine.store.models import AuditEntry, RoleGrant, User

NOW = datetime(2026, 12, 6, 17, tzinfo=timezone.utc)
REPO = Path(__file__).resolve().parents[2]


def add(db, username: str, role: str) -> None:
    """A member of staff."""
    db.add(User(username=username, full_name=username.title(), role=role, password_hash="-", created_at=NOW))
    db.flush()


def audits(db, action: str) -> list[tuple[str, str, dict]]:
    """(actor, subject, detail) of the audit rows of one action, oldest first."""
    return [(a.actor, a.subject_id, a.detail) for a in db.scalars(select(AuditEntry).where(AuditEntry.action == action)
                                                                  .order_by(AuditEntry.id))]


@pytest.fixture()
def city_staff(db):
    """Two administrators (ada, ben), a supervisor (sam) and a clerk (carla)."""
    for username, role in (("ada", "admin"), ("ben", "admin"), ("sam", "supervisor"), ("carla", "clerk")):
        add(db, username, role)


def test_the_roles_the_shipped_workflows_name_are_defined_at_install_and_held_by_nobody(db):
    """Migration 0014 defines department_head, city_attorney and council_clerk."""
    assert {r.id: r.label for r in roles.list_roles(db)} == {
        "city_attorney": "City Attorney", "council_clerk": "Council Clerk", "department_head": "Department Head"}
    assert roles.holders(db) == {}


def test_an_administrator_defines_and_edits_a_role_each_audited(db, city_staff):
    """field_crew is defined, then its label edited; an edit that changes nothing writes nothing."""
    roles.define_role(db, "field_crew", label="Field crew", description="Shuts off and restores service",
                      actor="ada", now=NOW)
    roles.edit_role(db, "field_crew", label="Field Crew Lead", description="Shuts off and restores service",
                    actor="ben", now=NOW)
    roles.edit_role(db, "field_crew", label="Field Crew Lead", description="Shuts off and restores service",
                    actor="ben", now=NOW)
    assert audits(db, "role.define") == [("ada", "field_crew", {"label": "Field crew",
                                                                "description": "Shuts off and restores service"})]
    assert audits(db, "role.edit") == [("ben", "field_crew", {"label": ["Field crew", "Field Crew Lead"]})]


@pytest.mark.parametrize("role_id, label, message", [
    ("City Attorney", "x", "A role id is 2 to 40 lower-case letters, digits or underscores, starting with a letter "
                           "(e.g. city_attorney); 'city attorney' is not one."),
    ("supervisor", "Supervisor", "'supervisor' is a page role (clerk, supervisor, admin); an approval role needs "
                                 "another id."),
    ("city_attorney", "Again", "The approval role 'city_attorney' is already defined; edit it instead."),
    ("field_crew", "   ", "An approval role needs a label (the words people see, e.g. City Attorney)."),
    ("field_crew", "x" * 81, "label: at most 80 characters, not 81."),
])
def test_a_bad_role_is_refused_with_words_and_nothing_changes(db, city_staff, role_id, label, message):
    """Each refusal names what is wrong; no role and no audit row is written."""
    before = db.scalar(select(func.count()).select_from(AuditEntry))
    with pytest.raises(roles.RoleError) as refused:
        roles.define_role(db, role_id, label=label, actor="ada", now=NOW)
    assert str(refused.value) == message
    assert db.scalar(select(func.count()).select_from(AuditEntry)) == before
    assert "field_crew" not in roles.role_ids(db)


def test_a_grant_waits_for_a_second_person_and_is_audited_with_both(db, city_staff):
    """ada asks to make sam the City Attorney: ada may not approve it, nor may sam; ben does, and sam holds it."""
    change = two_person.ask_grant(db, "sam", "city_attorney", actor="ada", now=NOW)
    assert two_person.describe(change) == "Grant sam the approval role city_attorney"
    assert roles.grants_of(db, "sam") == frozenset()
    with pytest.raises(two_person.ChangeError, match="You asked for this change"):
        two_person.approve(db, change.id, actor="ada", now=NOW)
    assert two_person.approvers(db, change) == ["ben"]
    two_person.approve(db, change.id, actor="ben", now=NOW)
    assert roles.grants_of(db, "sam") == frozenset({"city_attorney"})
    assert audits(db, "role.grant") == [("ben", "sam", {"role": "city_attorney", "change": change.id,
                                                        "asked_by": "ada"})]
    with pytest.raises(roles.RoleError, match="sam already holds City Attorney"):
        two_person.ask_grant(db, "sam", "city_attorney", actor="ada", now=NOW)


def test_only_an_administrator_asks_and_only_for_a_defined_role_and_an_active_user(db, city_staff):
    """A supervisor may not ask; an unknown role or user is named; nothing waits."""
    with pytest.raises(two_person.ChangeError, match="Only an active administrator"):
        two_person.ask_grant(db, "carla", "city_attorney", actor="sam", now=NOW)
    with pytest.raises(roles.RoleError, match="There is no approval role 'city_atty'; approval roles: city_attorney, "
                                              "council_clerk, department_head."):
        two_person.ask_grant(db, "carla", "city_atty", actor="ada", now=NOW)
    with pytest.raises(roles.RoleError, match="There is no active user 'nobody'"):
        two_person.ask_grant(db, "nobody", "city_attorney", actor="ada", now=NOW)
    assert two_person.waiting(db) == []


def test_the_operator_grants_alone_only_while_the_city_has_no_second_person(db):
    """One administrator and no second approver: the operator's bootstrap grant; with two, it must be asked."""
    add(db, "ada", "admin")
    add(db, "carla", "clerk")
    two_person.grant_by_operator(db, "carla", "council_clerk", operator="cli:root", now=NOW)
    assert audits(db, "role.grant") == [("cli:root", "carla", {"role": "council_clerk", "bootstrap": True})]
    add(db, "ben", "admin")
    with pytest.raises(two_person.ChangeError, match="waits for a second person"):
        two_person.grant_by_operator(db, "carla", "city_attorney", operator="cli:root", now=NOW)


def test_a_revocation_applies_at_once_and_is_audited(db, city_staff):
    """Removing a power waits for nobody; revoking what is not held is refused."""
    roles.record_grant(db, "carla", "council_clerk", actor="ada", now=NOW)
    roles.revoke(db, "carla", "council_clerk", actor="ben", now=NOW)
    assert roles.grants_of(db, "carla") == frozenset()
    assert audits(db, "role.revoke") == [("ben", "carla", {"role": "council_clerk"})]
    with pytest.raises(roles.RoleError, match="carla does not hold Council Clerk"):
        roles.revoke(db, "carla", "council_clerk", actor="ben", now=NOW)


def test_a_disabled_user_holds_no_role_for_steps(db, city_staff):
    """The grant stays on file, but a disabled user's grants do not count."""
    roles.record_grant(db, "carla", "council_clerk", actor="ada", now=NOW)
    db.scalars(select(User).where(User.username == "carla")).one().active = False
    assert roles.grants_of(db, "carla") == frozenset()
    assert db.scalar(select(func.count()).select_from(RoleGrant)) == 1


def test_the_running_catalog_checks_workflows_against_the_city_roles(db, tmp_path):
    """A workflow naming field_crew does not load until the city defines field_crew; the cache sees the new role."""
    folder = tmp_path / "workflows"
    folder.mkdir()
    (folder / "crew.yaml").write_text(CREW)
    with pytest.raises(DocumentErrors, match='crew.yaml:13: transitions\\[0\\].roles\\[0\\]: unknown role "field_crew"'):
        current_catalog(db, REPO / "rules", folder)
    cache = CatalogCache(REPO / "rules", folder)
    roles.define_role(db, "field_crew", label="Field Crew", actor="ada", now=NOW)
    assert cache.get(db).workflows.get("crew").transitions[0].roles == ("field_crew",)


CREW = """\
id: crew
title: A field visit
subject: utility_account
version: 1
initial: open
states:
  open: {label: Open}
  visited: {label: Visited, final: true}
transitions:
  - id: visit
    from: open
    to: visited
    roles: [field_crew]
"""
