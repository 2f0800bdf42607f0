"""City-wide settings an administrator keeps: the city's name, time zone, languages, contacts.

There is one row; until an administrator saves it, `get_city` hands back the defaults of the
sample city (not yet stored). Changes are audited; nothing here commits or reads the clock.

The money ceilings and the paid-on window are kept here too and read by
engine.money.limits.city_limits; they are not among the settings an administrator edits on
the city page (changing them will take two people).
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from engine.store.models import DEFAULT_CEILINGS, DEFAULT_PAID_ON_DAYS_BACK, LANGUAGES, CitySettings

DEFAULT_NAME = "City of Alder Creek"
DEFAULT_TIMEZONE = "America/Los_Angeles"
EDITABLE = ("name", "timezone", "languages", "payment_address", "phone", "website",
            "rules_need_second_approver")


class CityError(ValueError):
    """A city setting that cannot be saved; the message says why."""


def get_city(session: Session) -> CitySettings:
    """The city's settings, or the defaults when none have been saved yet."""
    city = session.scalar(select(CitySettings).order_by(CitySettings.id).limit(1))
    if city is not None:
        return city
    return CitySettings(name=DEFAULT_NAME, timezone=DEFAULT_TIMEZONE, languages=["en", "es"], logo_path=None,
                        payment_address="", phone="", website="", rules_need_second_approver=True,
                        paid_on_days_back=DEFAULT_PAID_ON_DAYS_BACK,
                        **{f"{kind}_ceiling_cents": cents for kind, cents in DEFAULT_CEILINGS.items()})



def zone(name: str) -> ZoneInfo:
    """The time zone with this IANA name, or a CityError."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise CityError(f"{name!r} is not a time zone; use a name such as America/Los_Angeles.") from None


def local_today(now: datetime, tz: str) -> date:
    """The city's calendar date at the moment `now` (an aware datetime)."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    return now.astimezone(zone(tz)).date()


def _checked(changes: dict[str, Any]) -> dict[str, Any]:
    """The changes, cleaned, or a CityError naming the first bad one."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise CityError(f"Unknown city setting(s): {', '.join(sorted(unknown))}.")
    cleaned = {key: value.strip() if isinstance(value, str) else value for key, value in changes.items()}
    if "name" in cleaned and not cleaned["name"]:
        raise CityError("The city needs a name.")
    if "timezone" in cleaned:
        zone(cleaned["timezone"])
    if "languages" in cleaned:
        languages = list(dict.fromkeys(cleaned["languages"]))
        if "en" not in languages or not set(languages) <= set(LANGUAGES):
            raise CityError(f"Languages must include English and be among {', '.join(LANGUAGES)}.")
        cleaned["languages"] = languages
    return cleaned


def update_city(session: Session, *, actor: str, now: datetime, **changes: Any) -> CitySettings:
    """Save changed city settings and audit what changed (old and new values)."""
    cleaned = _checked(changes)
    city = get_city(session)
    changed = {key: [getattr(city, key), value] for key, value in cleaned.items() if getattr(city, key) != value}
    if not changed and city.id is not None:
        return city
    for key, (_old, new) in changed.items():
        setattr(city, key, new)
    session.add(city)
    session.flush()
    audit.record(session, actor=actor, action="city.update", subject_type="city", subject_id=city.id,
                 detail=changed, at=now)
    return city
