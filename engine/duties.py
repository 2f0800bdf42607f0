"""Who may do the counter's guarded duties: record a returned payment, close the business day, export to the GL,
record the day's weather forecast (what a calendar's `no_shutoff.forecast` rule reads), run a cycle's billing and
print its bills (the Billing page).

Each duty names the page roles that may do it, a city setting (`duty_roles`, changed only when a second
person approves, engine.two_person). Until the city saves its own, the sample city's: supervisors and
administrators. The pages and commands ask `refusal` on the server; nothing here reads the database.
"""
from __future__ import annotations

from typing import Any

from engine.store.models import ROLES

DUTIES = {"returned_payments": "record a returned payment",
          "day_close": "close the business day",
          "gl_export": "download the day's GL export and counter journal",
          "day_forecast": "record the day's weather forecast",
          "billing_run": "run a cycle's billing and print its bills"}
SAMPLE_DUTY_ROLES = {duty: ["supervisor", "admin"] for duty in DUTIES}
ROLE_PLURALS = {"clerk": "clerks", "supervisor": "supervisors", "admin": "administrators"}
ROLE_WORDS = {"clerk": "a clerk", "supervisor": "a supervisor", "admin": "an administrator"}


class DutyError(ValueError):
    """A duty setting that cannot be saved; the message names the duty and what is wrong."""


def duty_roles_of(stored: dict[str, Any] | None) -> dict[str, list[str]]:
    """The roles in force for every duty: the stored setting, the sample city's for a duty it does not name."""
    return {duty: list((stored or {}).get(duty) or SAMPLE_DUTY_ROLES[duty]) for duty in DUTIES}


def checked_duty_roles(value: Any) -> dict[str, list[str]]:
    """Every duty with its page roles (known roles, each once, in the usual order), or a DutyError."""
    if not isinstance(value, dict):
        raise DutyError(f"who may do the counter's duties: a mapping of duty to page roles, not {value!r}")
    unknown = [key for key in value if key not in DUTIES]
    if unknown:
        raise DutyError(f"who may do the counter's duties: {unknown[0]!r} is not a duty ({', '.join(DUTIES)})")
    cleaned = {}
    for duty in DUTIES:
        roles = value.get(duty, SAMPLE_DUTY_ROLES[duty])
        if not isinstance(roles, (list, tuple)) or not all(isinstance(role, str) for role in roles):
            raise DutyError(f"who may {DUTIES[duty]}: a list of page roles, not {roles!r}")
        strange = [role for role in roles if role not in ROLES]
        if strange:
            raise DutyError(f"who may {DUTIES[duty]}: {strange[0]!r} is not a page role ({', '.join(ROLES)})")
        if not roles:
            raise DutyError(f"who may {DUTIES[duty]}: at least one page role")
        cleaned[duty] = [role for role in ROLES if role in roles]
    return cleaned


def roles_in_words(roles: list[str]) -> str:
    """'clerks, supervisors and administrators'."""
    words = [ROLE_PLURALS.get(role, role) for role in roles]
    return " and ".join(filter(None, [", ".join(words[:-1]), words[-1]])) if words else "nobody"


def refusal(stored: dict[str, Any] | None, *, role: str, username: str, duty: str) -> str | None:
    """Why this person may not do the duty under the city's setting, or None when they may."""
    allowed = duty_roles_of(stored)[duty]
    if role in allowed:
        return None
    return (f"only {roles_in_words(allowed)} may {DUTIES[duty]} here ({username} is {ROLE_WORDS.get(role, role)}); "
            "the city settings say who may")
