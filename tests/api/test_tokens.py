"""API tokens: shown once, kept only as a hash, scoped, revocable, audited; the `ordinance tokens` commands."""
from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine import api_tokens
from engine.store.db import make_engine, make_sessionmaker
from engine.store.models import ApiToken, AuditEntry
from tests.factories import NOW


def audits(db, action):
    """The audit rows of an action, oldest first."""
    return db.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)).all()


def test_only_the_tokens_hash_is_kept_and_adding_it_is_audited(db):
    row, token = api_tokens.add_token(db, name="Portal", scopes=["accounts:read", "payments:write"], actor="cli:ana",
                                      now=NOW)
    assert len(token) >= 43
    assert row.name == "portal" and row.scopes == ["payments:write", "accounts:read"]
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = db.execute(select(ApiToken.__table__)).one()._asdict()
    assert token not in {str(value) for value in stored.values()}
    (entry,) = audits(db, "api_token.add")
    assert (entry.actor, entry.subject_id, entry.detail) == ("cli:ana", "portal",
                                                             {"scopes": ["payments:write", "accounts:read"]})
    assert token not in str(entry.detail)


def test_a_token_authenticates_until_it_is_revoked_and_the_revocation_is_audited(db):
    row, token = api_tokens.add_token(db, name="phone-vendor", scopes=["shutoffs:read"], actor="cli:ana", now=NOW)
    assert api_tokens.authenticate(db, token, NOW) is row
    assert api_tokens.authenticate(db, token + "x", NOW) is None
    assert api_tokens.authenticate(db, "", NOW) is None
    api_tokens.revoke_token(db, "phone-vendor", actor="cli:ben", now=NOW + timedelta(hours=1))
    assert api_tokens.authenticate(db, token, NOW + timedelta(hours=2)) is None
    (entry,) = audits(db, "api_token.revoke")
    assert (entry.actor, entry.subject_id) == ("cli:ben", "phone-vendor")


def test_last_used_is_noted_at_most_once_a_minute(db):
    row, token = api_tokens.add_token(db, name="portal", scopes=["accounts:read"], actor="test", now=NOW)
    api_tokens.authenticate(db, token, NOW)
    api_tokens.authenticate(db, token, NOW + timedelta(seconds=30))
    assert row.last_used_at == NOW
    api_tokens.authenticate(db, token, NOW + timedelta(minutes=2))
    assert row.last_used_at == NOW + timedelta(minutes=2)


@pytest.mark.parametrize("name, scopes, message", [
    ("portal", ["payments:read"], "Unknown scope(s) payments:read"),
    ("portal", [" "], "A token needs at least one scope"),
    ("a b", ["accounts:read"], "A token name is 2 to 64"),
])
def test_a_bad_name_or_scope_is_refused(db, name, scopes, message):
    with pytest.raises(api_tokens.TokenError, match=message.replace("(", r"\(").replace(")", r"\)")):
        api_tokens.add_token(db, name=name, scopes=scopes, actor="test", now=NOW)
    assert db.scalars(select(ApiToken)).all() == []


def test_a_name_is_never_reused_and_a_token_is_revoked_once(db):
    api_tokens.add_token(db, name="portal", scopes=["accounts:read"], actor="test", now=NOW)
    api_tokens.revoke_token(db, "portal", actor="test", now=NOW)
    with pytest.raises(api_tokens.TokenError, match="already a token named 'portal'"):
        api_tokens.add_token(db, name="portal", scopes=["accounts:read"], actor="test", now=NOW)
    with pytest.raises(api_tokens.TokenError, match="already revoked"):
        api_tokens.revoke_token(db, "portal", actor="test", now=NOW)
    with pytest.raises(api_tokens.TokenError, match="no token named 'nobody'"):
        api_tokens.revoke_token(db, "nobody", actor="test", now=NOW)


def test_the_command_line_adds_prints_once_lists_and_revokes(cli, committing_url):
    added = cli("tokens", "add", "portal", "--scopes", "payments:write,accounts:read")
    assert added.exit_code == 0, added.output
    token = added.stdout.strip().splitlines()[-1]
    assert "shown only this once" in added.stderr
    listed = cli("tokens", "list")
    assert "portal" in listed.stdout and "active" in listed.stdout and "payments:write,accounts:read" in listed.stdout
    assert token not in listed.stdout
    assert cli("tokens", "revoke", "portal").exit_code == 0
    again = cli("tokens", "revoke", "portal")
    assert again.exit_code == 1 and "already revoked" in again.stderr
    assert "revoked" in cli("tokens", "list").stdout
    bad = cli("tokens", "add", "vendor", "--scopes", "everything")
    assert bad.exit_code == 1 and "Unknown scope(s) everything" in bad.stderr
    engine = make_engine(committing_url)
    with make_sessionmaker(engine)() as session:
        row = api_tokens.get_token(session, "portal")
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest() and row.revoked_at is not None
        assert row.created_by.startswith("cli")
        assert [e.action for e in session.scalars(select(AuditEntry).where(AuditEntry.subject_type == "api_token")
                                                  .order_by(AuditEntry.id))] == ["api_token.add", "api_token.revoke"]
        assert api_tokens.get_token(session, "vendor") is None
    engine.dispose()
