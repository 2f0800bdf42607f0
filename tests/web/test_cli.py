"""The ordinance commands for users, the audit log and the database."""
from __future__ import annotations

from sqlalchemy import select, text

from engine import users
from engine.store.db import make_engine, make_sessionmaker
from engine.store.models import AuditEntry, User
from tests.factories import NOW


def rows(url: str, model):
    """Every row of a table, by id, in a database the CLI committed to."""
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        found = list(session.scalars(select(model).order_by(model.id)))
    engine.dispose()
    return found


def test_users_add_list_disable_each_write_an_audit_row(cli, committing_url):
    added = cli("users", "add", "maria", "--role", "clerk", "--name", "Maria Lopez", "--password-stdin",
                input="counter-password\n")
    assert added.exit_code == 0, added.output
    assert "Added maria (clerk): Maria Lopez" in added.output
    listed = cli("users", "list")
    assert listed.exit_code == 0 and "maria" in listed.output and "active" in listed.output
    disabled = cli("users", "disable", "maria")
    assert disabled.exit_code == 0 and "Disabled maria." in disabled.output
    assert "disabled" in cli("users", "list").output

    [user] = rows(committing_url, User)
    assert user.active is False and user.password_hash.startswith("scrypt:")
    audit = [(row.action, row.subject_id, row.actor.startswith("cli")) for row in rows(committing_url, AuditEntry)]
    assert audit == [("user.add", "maria", True), ("user.disable", "maria", True)]


def test_users_add_prompts_for_the_password_twice(cli, committing_url):
    result = cli("users", "add", "sam", "--role", "supervisor", "--name", "Sam Ortiz",
                 input="supervisor-pass\nsupervisor-pass\n")
    assert result.exit_code == 0, result.output
    assert rows(committing_url, User)[0].role == "supervisor"


def test_a_bad_user_is_refused_with_a_message_and_nothing_saved(cli, committing_url):
    short = cli("users", "add", "kim", "--role", "clerk", "--name", "Kim", "--password-stdin", input="short\n")
    assert short.exit_code == 1 and "at least 12 characters" in short.stderr
    cli("users", "add", "kim", "--role", "clerk", "--name", "Kim", "--password-stdin", input="long enough now\n")
    again = cli("users", "add", "kim", "--role", "admin", "--name", "Kim", "--password-stdin",
                input="long enough now\n")
    assert again.exit_code == 1 and "already taken" in again.stderr
    unknown = cli("users", "disable", "nobody")
    assert unknown.exit_code == 1 and "There is no user 'nobody'" in unknown.stderr
    assert len(rows(committing_url, User)) == 1 and len(rows(committing_url, AuditEntry)) == 1


def test_audit_verify_says_ok_for_an_intact_log(cli):
    cli("users", "add", "ann", "--role", "admin", "--name", "Ann", "--password-stdin", input="admin-password\n")
    cli("users", "disable", "ann")
    result = cli("audit", "verify")
    assert result.exit_code == 0
    assert "Audit log OK: 2 rows checked" in result.output


def test_audit_verify_names_the_first_edited_row(cli, committing_url):
    for name in ("ann", "bob", "cy"):
        cli("users", "add", name, "--role", "clerk", "--name", name.title(), "--password-stdin",
            input="harbor-lantern-1887\n")
    second = rows(committing_url, AuditEntry)[1]
    engine = make_engine(committing_url)
    with engine.begin() as connection:  # someone with database access drops the guard and edits a row
        postgres = connection.dialect.name == "postgresql"
        connection.execute(text("DROP TRIGGER audit_log_no_update" + (" ON audit_log" if postgres else "")))
        connection.execute(text("UPDATE audit_log SET detail = :d WHERE id = :i"),
                           {"d": '{"role": "admin", "full_name": "Bob"}', "i": second.id})
    engine.dispose()
    result = cli("audit", "verify")
    assert result.exit_code == 1
    assert f"Audit log BROKEN at row {second.id}: row {second.id} was changed after it was written" in result.stderr


def test_a_malformed_database_url_is_a_clear_message_not_a_traceback(cli):
    for args in (("users", "list"), ("audit", "verify"), ("db", "upgrade")):
        result = cli(*args, env_overrides={"DATABASE_URL": "postgres//nowhere"})
        assert result.exit_code == 2
        assert "DATABASE_URL 'postgres//nowhere' is not a database URL" in result.stderr
        assert "Traceback" not in result.output


def test_a_database_without_tables_says_to_upgrade_it(cli, tmp_path):
    result = cli("users", "list", env_overrides={"DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"})
    assert result.exit_code == 1 and "ordinance db upgrade" in result.stderr


def test_db_upgrade_creates_then_upgrades(cli, tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    assert "Created the database" in cli("db", "upgrade", env_overrides={"DATABASE_URL": url}).output
    assert "Upgraded the database" in cli("db", "upgrade", env_overrides={"DATABASE_URL": url}).output


def test_serve_documents_its_options(cli):
    result = cli("serve", "--help")
    assert "gunicorn" in result.output and "--debug" in result.output and "--workers" in result.output
    assert "--no-scheduler" in result.output and "ORDINANCE_PLAIN_HTTP=trusted" in result.output


def test_users_password_sets_a_new_one_and_lifts_the_user_s_waits(cli, committing_url, committing_db):
    cli("users", "add", "ann", "--role", "admin", "--name", "Ann", "--password-stdin", input="first-password\n")
    with committing_db() as session, session.begin():
        for _ in range(5):
            users.authenticate(session, "ann", "wrong password", NOW)
    result = cli("users", "password", "ann", "--password-stdin", input="second-password\n")
    assert result.exit_code == 0 and "New password set for ann." in result.output
    with committing_db() as session:
        assert users.authenticate(session, "ann", "second-password", NOW).ok
    assert [row.action for row in rows(committing_url, AuditEntry)] == ["user.add", "sign_in.username_waits",
                                                                        "user.password"]
