"""City-wide settings an administrator keeps: the city's name, time zone, languages, contacts.

There is one row; until an administrator saves it, `get_city` hands back the defaults of the
sample city (not yet stored). Changes are audited; nothing here commits or reads the clock.

The city's assistance programs (engine.assistance_programs) are kept here too, guarded: a program
that has had customers enrolled stays on the list (and one that published documents name, checked
by engine.two_person when the change is asked for and approved: engine.rulebook.programs_named).

How often the dashboard's whole-city figures are worked out (`dashboard_figures_seconds`,
engine.office_figures) is an ordinary setting, audited like the name; so is the phone
notification export's file layout for the city's calling vendor (`phone_export_layout`,
engine.phone_export_layout), and the chart of accounts that says which GL fund and account
each kind of money is booked to (`chart_of_accounts`, engine.chart_of_accounts).

The money ceilings and the paid-on window are kept here too and read by
engine.money.limits.city_limits. The settings that guard money or rules (GUARDED) never change here: they change only when a
second person approves (engine.two_person), which calls `apply_approved`.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from engine import audit
from engine.money.amounts import LARGEST_AMOUNT_CENTS, format_money
from engine import duties
from engine.duties import DutyError, checked_duty_roles, duty_roles_of
from engine.adjustment_reasons import SAMPLE_REASONS, ReasonError, checked_reasons
from engine.assistance_programs import SAMPLE_PROGRAMS, ProgramError, checked_programs
from engine.office_figures import DEFAULT_EVERY_SECONDS, FiguresSettingError, checked_every
from engine.receipt_categories import SAMPLE_CATEGORIES, CategoryError, checked_categories
from engine.phone_export_layout import SAMPLE_LAYOUT, LayoutError, checked_layout
from engine.chart_of_accounts import SAMPLE_CHART, ChartError, checked_chart
from engine.store.assistance import AssistanceEnrolment
from engine.store.kept_reads import kept_read
from engine.store.models import (DEFAULT_CEILINGS, DEFAULT_PAID_ON_DAYS_BACK, LONGEST_PAID_ON_WINDOW,
                                 SAMPLE_CASH_ONLY_REFUSED, TENDERS, CitySettings, SettingChange, User)

ENGLISH = "en"  # the language every city prints in, and what a notice falls back to


class Printable(Protocol):
    """The languages the notice templates print (engine.notices.languages.Languages)."""

    def check(self, codes: list[str]) -> list[str]:
        """The codes, each once, or a ValueError naming one the templates cannot print."""
        ...


DEFAULT_NAME = "City of Alder Creek"
DEFAULT_TIMEZONE = "America/Los_Angeles"
# City data typed as lists or mappings, each checked by its own module, whose refusal is the clerk's message.
CITY_DATA_CHECKS = {"receipt_categories": (checked_categories, CategoryError),
                    "adjustment_reasons": (checked_reasons, ReasonError),
                    "duty_roles": (checked_duty_roles, DutyError),
                    "phone_export_layout": (checked_layout, LayoutError),
                    "chart_of_accounts": (checked_chart, ChartError)}
CEILINGS = tuple(f"{kind}_ceiling_cents" for kind in DEFAULT_CEILINGS)
# The settings that guard money or rules: each changes only when a second person approves.
GUARDED = ("rules_need_second_approver", "second_approver", *CEILINGS, "paid_on_days_back",
           "cash_only_refused_tenders", "duty_roles", "assistance_programs")
EDITABLE = ("name", "timezone", "languages", "payment_address", "phone", "website", "receipt_categories",
            "adjustment_reasons", "dashboard_figures_seconds", "phone_export_layout", "chart_of_accounts", *GUARDED)


class CityError(ValueError):
    """A city setting that cannot be saved; the message says why."""


CITY_IN_TRANSACTION = "ordinance.city"  # session.info: (the transaction, the city's settings row read in it)


def get_city(session: Session) -> CitySettings:
    """The city's settings, or the defaults when none have been saved yet.

    The row is read once per transaction: a receipt's post asked for it eleven times, each the
    same object from the session's identity map (a second query does not refresh what the
    first loaded). A change made through the session changes that object; a new transaction
    (after a commit or a rollback) reads the row again.
    """
    transaction = session.get_transaction()
    kept = session.info.get(CITY_IN_TRANSACTION)
    if kept is not None and transaction is not None and kept[0] is transaction and inspect(kept[1]).persistent:
        return kept[1]
    city = session.scalar(select(CitySettings).order_by(CitySettings.id).limit(1))
    if city is not None:
        session.info[CITY_IN_TRANSACTION] = (session.get_transaction(), city)
        return city
    return CitySettings(name=DEFAULT_NAME, timezone=DEFAULT_TIMEZONE, languages=["en", "es"], logo_path=None,
                        payment_address="", phone="", website="", rules_need_second_approver=True,
                        second_approver=None, paid_on_days_back=DEFAULT_PAID_ON_DAYS_BACK,
                        receipt_categories=None, adjustment_reasons=None, duty_roles=None,
                        cash_only_refused_tenders=None, assistance_programs=None,
                        dashboard_figures_seconds=DEFAULT_EVERY_SECONDS, phone_export_layout=None,
                        chart_of_accounts=None,
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


def today_in_city(session: Session, now: datetime) -> date:
    """The city's calendar date at the moment `now`, in the time zone the city saved (not the UTC date of `now`)."""
    return local_today(now, get_city(session).timezone)


def _second_approver(session: Session, username: str | None) -> str | None:
    """The username of an active supervisor to name as the second approver (None: nobody), or a CityError."""
    if not username:
        return None
    user = session.scalar(select(User).where(User.username == username.lower()))
    if user is None or not user.active or user.role != "supervisor":
        raise CityError(f"The second approver must be an active supervisor; {username!r} is not one.")
    return user.username


def checked(session: Session, changes: dict[str, Any], printable: Printable | None = None) -> dict[str, Any]:
    """The changes, cleaned, or a CityError naming the first bad one. The languages are chosen among those the notice
    templates print (`printable`, engine.notices.languages.discover), English always among them."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise CityError(f"Unknown city setting(s): {', '.join(sorted(unknown))}.")
    cleaned = {key: value.strip() if isinstance(value, str) else value for key, value in changes.items()}
    if "name" in cleaned and not cleaned["name"]:
        raise CityError("The city needs a name.")
    if "timezone" in cleaned:
        zone(cleaned["timezone"])
    if "languages" in cleaned:
        cleaned["languages"] = _languages(cleaned["languages"], printable)
    for key, (check, refusal) in CITY_DATA_CHECKS.items():
        if key in cleaned:
            try:
                cleaned[key] = check(cleaned[key])
            except refusal as bad:
                raise CityError(f"{bad}.") from None
    if "assistance_programs" in cleaned:
        cleaned["assistance_programs"] = _programs(session, cleaned["assistance_programs"])
    if "cash_only_refused_tenders" in cleaned:
        cleaned["cash_only_refused_tenders"] = _tenders(cleaned["cash_only_refused_tenders"])
    if "second_approver" in cleaned:
        cleaned["second_approver"] = _second_approver(session, cleaned["second_approver"])
    for key in CEILINGS:
        if key in cleaned and not (type(cleaned[key]) is int and 1 <= cleaned[key] <= LARGEST_AMOUNT_CENTS):
            raise CityError(f"{key.removesuffix('_ceiling_cents').replace('_', ' ')} ceiling: from $0.01 to "
                            f"{format_money(LARGEST_AMOUNT_CENTS)}, not {cleaned[key]!r} cents.")
    if "dashboard_figures_seconds" in cleaned:
        try:
            cleaned["dashboard_figures_seconds"] = checked_every(cleaned["dashboard_figures_seconds"])
        except FiguresSettingError as bad:
            raise CityError(f"{bad}.") from None
    if "paid_on_days_back" in cleaned:
        cleaned["paid_on_days_back"] = _whole_number("paid_on_days_back", cleaned["paid_on_days_back"], 0,
                                                     LONGEST_PAID_ON_WINDOW)
    return cleaned


def _languages(value: Any, printable: Printable | None) -> list[str]:
    """The city's languages: codes the notice templates hold a complete set for, each once, English among them."""
    if not isinstance(value, (list, tuple)) or not all(isinstance(code, str) for code in value):
        raise CityError(f"Languages: a list of language codes such as en, not {value!r}.")
    if ENGLISH not in value:
        raise CityError("Languages must include English (en): a notice falls back to it.")
    if printable is None:
        raise CityError("Languages: the languages the notice templates print were not given, so none can be chosen.")
    try:
        return printable.check(value)
    except ValueError as error:  # engine.notices.languages.LanguageError: what the language's set lacks
        raise CityError(f"Languages: {error}.") from None


def offered(session: Session) -> list[str]:
    """The languages the city prints in (its `languages` setting, English always among them); read once a sweep
    chunk (engine.store.kept_reads: a flush of the city's settings forgets it)."""
    return list(kept_read(session, "offered_languages", lambda: tuple(get_city(session).languages or [ENGLISH])))


def printed_in(offered_languages: list[str] | tuple[str, ...], wanted: str | None) -> str:
    """The language a customer's letters and receipts are printed in: theirs when the city offers it, else English."""
    return wanted if wanted in offered_languages else ENGLISH


def _programs(session: Session, value: Any) -> list[dict]:
    """The assistance programs, cleaned; a CityError for a bad entry or for a program left out that has enrolments."""
    try:
        programs = checked_programs(value)
    except ProgramError as bad:
        raise CityError(f"{bad}.") from None
    kept = {program["id"] for program in programs}
    enrolled = session.scalar(select(AssistanceEnrolment.program).where(AssistanceEnrolment.program.not_in(kept))
                              .order_by(AssistanceEnrolment.program).limit(1))
    if enrolled is not None:
        raise CityError(f"assistance programs: {enrolled!r} has customers enrolled (now or before); keep it in "
                        "the list (a program's enrolments are its history).")
    return programs


def _tenders(value: Any) -> list[str]:
    """The tenders a cash-only account may not use: known tenders, each once, in the usual order; or a CityError."""
    if not isinstance(value, (list, tuple)) or not all(isinstance(t, str) for t in value):
        raise CityError(f"tenders refused to cash-only accounts: a list of tenders, not {value!r}.")
    unknown = [t for t in value if t not in TENDERS]
    if unknown:
        raise CityError(f"tenders refused to cash-only accounts: {unknown[0]!r} is not a tender "
                        f"({', '.join(TENDERS)}).")
    if "cash" in value:
        raise CityError("tenders refused to cash-only accounts: cash is always accepted.")
    return [t for t in TENDERS if t in value]


def _whole_number(key: str, value: Any, least: int, most: int) -> int:
    """A whole-number setting within its range, or a CityError naming it and the range."""
    if isinstance(value, bool) or not isinstance(value, int) or not least <= value <= most:
        raise CityError(f"{key.replace('_', ' ')}: a whole number from {least:,} to {most:,}, not {value!r}.")
    return value


def setting_value(city: CitySettings, key: str) -> Any:
    """A setting's value in force: the sample city's for a list not saved yet (receipt categories, refused tenders,
    adjustment reasons, who does each duty, assistance programs, the phone export's layout, the chart of accounts)."""
    if key == "receipt_categories" and city.receipt_categories is None:
        return [dict(entry) for entry in SAMPLE_CATEGORIES]
    if key == "cash_only_refused_tenders" and city.cash_only_refused_tenders is None:
        return list(SAMPLE_CASH_ONLY_REFUSED)
    if key == "duty_roles":
        return duty_roles_of(city.duty_roles)
    if key == "adjustment_reasons" and city.adjustment_reasons is None:
        return [dict(entry) for entry in SAMPLE_REASONS]
    if key == "assistance_programs" and city.assistance_programs is None:
        return [{**entry, "name": dict(entry["name"])} for entry in SAMPLE_PROGRAMS]
    if key == "phone_export_layout" and city.phone_export_layout is None:
        return checked_layout(SAMPLE_LAYOUT)
    if key == "chart_of_accounts" and city.chart_of_accounts is None:
        return checked_chart(SAMPLE_CHART)
    return getattr(city, key)


def duty_refusal(session: Session, *, role: str, username: str, duty: str) -> str | None:
    """Why this person may not do a counter duty (engine.duties) under the city's setting, or None when they may."""
    return duties.refusal(get_city(session).duty_roles, role=role, username=username, duty=duty)


def changed_settings(city: CitySettings, cleaned: dict[str, Any]) -> dict[str, list[Any]]:
    """Each setting whose value would change: [old, new] (the sample city's lists in force until first saved)."""
    return {key: [setting_value(city, key), value] for key, value in cleaned.items()
            if setting_value(city, key) != value}


def update_city(session: Session, *, actor: str, now: datetime, printable: Printable | None = None,
                **changes: Any) -> CitySettings:
    """Save changed city settings and audit what changed (old and new values); a guarded one is refused. `printable`:
    the languages the notice templates print, which the `languages` setting chooses among."""
    cleaned = checked(session, changes, printable)
    city = get_city(session)
    changed = changed_settings(city, cleaned)
    guarded = [key for key in changed if key in GUARDED]
    if guarded:
        raise CityError(f"{', '.join(guarded)} changes only when a second person approves it: ask for the change "
                        "on the city settings page.")
    if not changed and city.id is not None:
        return city
    return _save(session, city, changed, actor=actor, now=now)


def _save(session: Session, city: CitySettings, changed: dict[str, list[Any]], *, actor: str, now: datetime,
          **detail: Any) -> CitySettings:
    """Set the changed settings and write their audit row."""
    for key, (_old, new) in changed.items():
        setattr(city, key, new)
    session.add(city)
    session.flush()
    audit.record(session, actor=actor, action="city.update", subject_type="city", subject_id=city.id,
                 detail={**changed, **detail}, at=now)
    return city


def apply_approved(session: Session, change: SettingChange, *, now: datetime) -> CitySettings:
    """Set a guarded setting that a second person has approved; its audit row names the change and both people."""
    if change.status != "approved" or change.setting not in GUARDED or change.decided_by in (None, change.requested_by):
        raise CityError(f"change {change.id} has not been approved by a second person")
    value = checked(session, {change.setting: change.new_value})[change.setting]
    city = get_city(session)
    return _save(session, city, {change.setting: [setting_value(city, change.setting), value]},
                 actor=change.decided_by,
                 now=now, change=change.id, asked_by=change.requested_by)
