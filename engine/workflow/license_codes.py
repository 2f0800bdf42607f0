"""The verification code printed on a license certificate (given when a license is issued), and what checking one answers.

A license gets its code the first time it becomes active (issued). The code is 10 characters
from an alphabet without look-alikes (no 0/O, 1/I/L), written in groups: `K7WQ-3XHM-PA`. It is
random, not derived from the license, so it cannot be worked out from a license number; the
certificate prints it with where to check it, and the check answers from the license as it
stands now (active, expired, lapsed, closed), not from what the certificate says.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.store.models import License

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 10


def new_code() -> str:
    """A fresh code, grouped 4-4-2."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def give_code(session: Session, lic: License) -> str:
    """The license's code, given now if it has none (a new one until no other license has it)."""
    while lic.verification_code is None:
        code = new_code()
        if session.scalar(select(License.id).where(License.verification_code == code)) is None:
            lic.verification_code = code
    return lic.verification_code


def normalized(typed: str) -> str:
    """A code as typed (any case, spaces or dashes anywhere) in its printed form; "" when it cannot be one."""
    raw = "".join(ch for ch in typed.upper() if ch.isalnum())
    if len(raw) != LENGTH or any(ch not in ALPHABET for ch in raw):
        return ""
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


@dataclass(frozen=True)
class Verification:
    """What the verification page says of a code."""

    found: bool
    valid: bool = False
    license_number: str = ""
    business_name: str = ""
    business_address: str = ""
    status: str = ""
    expires_on: date | None = None


def verify(session: Session, typed: str, today: date) -> Verification:
    """The license a code belongs to and whether it is in force today (active and not past its expiry)."""
    code = normalized(typed)
    lic = session.scalar(select(License).where(License.verification_code == code)) if code else None
    if lic is None:
        return Verification(found=False)
    valid = lic.status == "active" and (lic.expires_on is None or lic.expires_on >= today)
    return Verification(True, valid, lic.number, lic.business.name, lic.business.address, lic.status, lic.expires_on)
