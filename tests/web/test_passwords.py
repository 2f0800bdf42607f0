"""Passwords the city accepts: 12 characters or more, not a common one, not easily guessed (zxcvbn)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine import passwords, users
from engine.store.models import AuditEntry, User
from samplecity.city import DEMO_LOGINS
from tests.factories import NOW
from tests.web.conftest import create_user


@pytest.mark.parametrize("password, why", [
    ("12345678", "one of the most common passwords"),
    ("password1234", "one of the most common passwords"),
    ("P@ssw0rd", "one of the most common passwords"),
    ("aldercreek2026", "built on the city's name or the user's own name"),
    ("AlderCreek2026!", "built on the city's name or the user's own name"),
    ("marialopez1990", "built on the city's name or the user's own name"),
    ("iloveyou2026", "similar to a commonly used password"),
    ("qwertyuiop12", "one of the most common passwords"),
    ("abcabcabcabc", "too easy to guess: repeats like"),
    ("1987-03-15!!", "too easy to guess: dates are often easy to guess"),
    ("ab1-cd2", "at least 12 characters"),
])
def test_a_weak_password_is_refused_and_the_message_says_why(db, password, why):
    with pytest.raises(users.UserError, match=why):
        users.add_user(db, username="maria", full_name="Maria Lopez", role="clerk", password=password,
                       actor="admin", now=NOW)
    assert users.get_user(db, "maria") is None


@pytest.mark.parametrize("password", ["harbor-lantern-1887", "correct horse battery", "Tuesday kettle arrives late"])
def test_a_strong_password_is_accepted(db, password):
    user = users.add_user(db, username="maria", full_name="Maria Lopez", role="clerk", password=password,
                          actor="admin", now=NOW)
    assert users.authenticate(db, "maria", password, NOW).user is user


def test_the_demo_passwords_are_strong_enough(db):
    for login in DEMO_LOGINS:
        users.add_user(db, username=login.username, full_name=login.full_name, role=login.role,
                       password=login.password, actor="demo", now=NOW)


def test_an_overlong_password_is_refused():
    with pytest.raises(passwords.PasswordRefused, match="at most 256 characters"):
        passwords.check_password("harbor lantern " * 20)


def test_a_new_password_is_held_to_the_same_rules_and_a_refused_one_changes_nothing(db):
    user = create_user(db, "clerk")
    before = user.password_hash
    with pytest.raises(users.UserError, match="one of the most common passwords"):
        users.set_password(db, user.username, "password1234", actor="admin", now=NOW)
    db.expire_all()
    assert db.get(User, user.id).password_hash == before
    assert db.scalar(select(AuditEntry).where(AuditEntry.action == "user.password")) is None


def test_the_command_line_refuses_a_common_password(cli):
    cli("users", "add", "ann", "--role", "admin", "--name", "Ann", "--password-stdin", input="first-password\n")
    result = cli("users", "password", "ann", "--password-stdin", input="12345678\n")
    assert result.exit_code == 1 and "one of the most common passwords" in result.stderr
    added = cli("users", "add", "bob", "--role", "clerk", "--name", "Bob", "--password-stdin",
                input="aldercreek2026\n")
    assert added.exit_code == 1 and "the city's name" in added.stderr


def test_the_admin_form_says_what_a_password_needs(admin):
    page = admin.get("/admin/users").get_data(as_text=True)
    assert "At least 12 characters, and not a common or easily guessed password" in page
