"""Bearer tokens for the JSON API: added with scopes, listed, revoked, and checked on each call.

A token is shown once, when it is added; only its SHA-256 is kept, so a stolen database
holds no usable token. A presented token is checked by looking its hash up (the lookup key
is a digest the caller cannot steer byte by byte) and comparing the digests in constant time.
Adding and revoking write audit rows in the caller's transaction; nothing here commits.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from engine.store.models import ApiToken

SCOPES = ("payments:write", "accounts:read", "liens:read", "shutoffs:read")
SCOPE_WORDS = {"payments:write": "post payments (a lockbox or online payments)",
               "accounts:read": "read accounts and their balances",
               "liens:read": "read liens filed and released",
               "shutoffs:read": "read the shut-off lists"}
NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
# last_used_at is written at most this often per token, so reads do not each cost a write.
LAST_USED_PRECISION = timedelta(minutes=1)


class TokenError(ValueError):
    """A change to a token that cannot be made; the message says why."""


def digest(token: str) -> str:
    """The hex SHA-256 of a token: what the database keeps."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def parse_scopes(text: str) -> list[str]:
    """The scopes of a comma-separated list, checked against SCOPES, in SCOPES order."""
    asked = {part.strip() for part in text.split(",") if part.strip()}
    if not asked:
        raise TokenError(f"A token needs at least one scope: {', '.join(SCOPES)}.")
    unknown = asked - set(SCOPES)
    if unknown:
        raise TokenError(f"Unknown scope(s) {', '.join(sorted(unknown))}; scopes are {', '.join(SCOPES)}.")
    return [scope for scope in SCOPES if scope in asked]


def get_token(session: Session, name: str) -> ApiToken | None:
    """The token with this name, or None."""
    return session.scalar(select(ApiToken).where(ApiToken.name == name.strip().lower()))


def list_tokens(session: Session) -> list[ApiToken]:
    """Every token, revoked ones too, by name."""
    return list(session.scalars(select(ApiToken).order_by(ApiToken.name)))


def add_token(session: Session, *, name: str, scopes: list[str], actor: str, now: datetime) -> tuple[ApiToken, str]:
    """Create a token with these scopes; return the row and the token itself (shown once, never kept)."""
    name = name.strip().lower()
    if not NAME.match(name):
        raise TokenError("A token name is 2 to 64 lower-case letters, digits, dots, dashes or underscores.")
    scopes = parse_scopes(",".join(scopes))
    if get_token(session, name) is not None:
        raise TokenError(f"There is already a token named {name!r} (revoked tokens keep their name); "
                         "choose another name.")
    token = secrets.token_urlsafe(32)
    row = ApiToken(name=name, token_hash=digest(token), scopes=scopes, created_at=now, created_by=actor)
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="api_token.add", subject_type="api_token", subject_id=name,
                 detail={"scopes": scopes}, at=now)
    return row, token


def revoke_token(session: Session, name: str, *, actor: str, now: datetime) -> ApiToken:
    """Revoke a token: from now on it is refused; refuse an unknown or already revoked one."""
    row = get_token(session, name)
    if row is None:
        raise TokenError(f"There is no token named {name!r}.")
    if row.revoked_at is not None:
        raise TokenError(f"The token {row.name!r} was already revoked at {row.revoked_at.isoformat()}.")
    row.revoked_at = now
    session.flush()
    audit.record(session, actor=actor, action="api_token.revoke", subject_type="api_token", subject_id=row.name,
                 detail={"scopes": list(row.scopes)}, at=now)
    return row


def authenticate(session: Session, presented: str, now: datetime) -> ApiToken | None:
    """The live token matching the presented one (noting when it was last used), or None."""
    if not presented:
        return None
    wanted = digest(presented)
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == wanted))
    if row is None or not hmac.compare_digest(row.token_hash, wanted) or row.revoked_at is not None:
        return None
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_PRECISION:
        row.last_used_at = now
        session.flush()
    return row
