"""Shared set-up for payment and cash tests: staff users and payment files."""
from __future__ import annotations

import itertools
from pathlib import Path

from engine.store.models import User
from tests.factories import NOW

_serial = itertools.count(1)


def create_user(session, role: str = "clerk") -> User:
    """A member of staff with the given role."""
    n = next(_serial)
    user = User(username=f"{role}{n}-{id(session) % 9973}", full_name=f"Test {role.title()} {n}", role=role,
                password_hash="x", created_at=NOW)
    session.add(user)
    session.flush()
    return user


def payment_file(path: Path, rows: list[str],
                 header: str = "account_number,amount,paid_on,tender,check_number,transaction_id") -> Path:
    """A payment CSV with the header and rows given."""
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path
