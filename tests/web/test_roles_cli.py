"""`ordinance roles`: define, edit, list, grant (alone only in a city without a second person; else asked and
approved by another administrator) and revoke, each audited; a mistake is one line and exit 1, nothing changed."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from engine import roles
from engine.store.db import make_engine, make_sessionmaker, transaction
from engine.store.models import AuditEntry, User
from tests.factories import NOW
from webapp.cli import main as ordinance


@pytest.fixture()
def cli(committing_url: str, tmp_path: Path):
    """`ordinance ...` on a database of the test's own (with the staff added by `staff`)."""
    runner = CliRunner()
    env = {"DATABASE_URL": committing_url, "ORDINANCE_INSTANCE": str(tmp_path / "instance")}
    return lambda *args: runner.invoke(ordinance, list(args), env=env)


@pytest.fixture()
def sessions(committing_url: str):
    """Sessions on the test's database."""
    engine = make_engine(committing_url)
    yield make_sessionmaker(engine)
    engine.dispose()


def add_staff(sessions, *people: tuple[str, str]) -> None:
    """Staff users (username, role), committed."""
    with transaction(sessions) as session:
        for username, role in people:
            session.add(User(username=username, full_name=username.title(), role=role, password_hash="-",
                             created_at=NOW))


def audited(sessions, action: str) -> list[tuple[str, str]]:
    """(actor, subject) of each audit row of an action."""
    with sessions() as session:
        return [(a.actor, a.subject_id) for a in session.scalars(select(AuditEntry).where(AuditEntry.action == action)
                                                                 .order_by(AuditEntry.id))]


def test_roles_are_defined_edited_listed_and_granted_by_the_operator_while_alone(cli, sessions):
    add_staff(sessions, ("ada", "admin"), ("dcho", "clerk"))
    assert cli("roles", "add", "field_crew", "--label", "Field crew", "--as", "ada").exit_code == 0
    assert cli("roles", "edit", "field_crew", "--label", "Field Crew").exit_code == 0
    assert cli("roles", "grant", "dcho", "city_attorney").output == "Granted city_attorney to dcho.\n"
    listing = cli("roles", "list").output
    assert "city_attorney        City Attorney                held by: dcho" in listing
    assert "field_crew           Field Crew                   held by: nobody" in listing
    assert audited(sessions, "role.define") == [("ada", "field_crew")]
    assert audited(sessions, "role.grant")[0][1] == "dcho"


def test_with_a_second_person_a_grant_is_asked_and_approved_then_revoked(cli, sessions):
    add_staff(sessions, ("ada", "admin"), ("ben", "admin"), ("dcho", "clerk"))
    alone = cli("roles", "grant", "dcho", "city_attorney")
    assert alone.exit_code == 1 and "waits for a second person: say which administrator asks" in alone.output
    asked = cli("roles", "grant", "dcho", "city_attorney", "--as", "ada")
    assert "Grant dcho the approval role city_attorney: waiting for a second person (change 1). ben may approve" \
        in asked.output
    assert cli("users", "approve", "1", "--as", "ada").exit_code == 1
    assert cli("users", "approve", "1", "--as", "ben").exit_code == 0
    with sessions() as session:
        assert roles.grants_of(session, "dcho") == frozenset({"city_attorney"})
    assert cli("roles", "revoke", "dcho", "city_attorney", "--as", "ada").output == \
        "Revoked city_attorney from dcho.\n"
    assert audited(sessions, "role.revoke") == [("ada", "dcho")]


def test_a_mistake_is_one_line_and_changes_nothing(cli, sessions):
    add_staff(sessions, ("ada", "admin"))
    result = cli("roles", "add", "Field Crew", "--label", "Field crew")
    assert result.exit_code == 1 and result.output.startswith("Error: A role id is 2 to 40 lower-case letters")
    result = cli("roles", "revoke", "ada", "city_atty")
    assert result.exit_code == 1 and "There is no approval role 'city_atty'" in result.output
    assert audited(sessions, "role.define") == [] and audited(sessions, "role.revoke") == []
