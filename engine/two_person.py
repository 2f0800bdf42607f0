"""Two people means two people: the settings that guard money or rules, roles and approval-role grants change only
with a second person.

    change = ask_city_change(session, "rules_need_second_approver", False, actor="ada", now=now)
    approve(session, change.id, actor="ada", now=now)    # ChangeError: you asked for this change
    approve(session, change.id, actor="ben", now=now)    # applied now, and audited

Who asks: an active administrator. Who approves or refuses: another active administrator,
or the supervisor the city names as its second approver (a city with a single
administrator) -- never the person who asked, nor the person a role change is about. The
one who asked may withdraw it. A city's first naming: while no second approver is named and
no other administrator exists, the supervisor the change would name may accept it (their
acceptance is the second person's). When nobody can approve, the change waits and
`who_can_approve` says so and what to do. Every step writes an audit row; nothing here
commits or reads the clock.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit, city, duties, roles, users
from engine.assistance_programs import programs_of
from engine.rulebook.programs_named import removal_refusal
from engine.money.amounts import format_money
from engine.money.bounds import CEILING_NAMES
from engine.money.tenders import TENDER_WORDS
from engine.store.models import ROLES, SettingChange, User

PENDING, APPROVED, REFUSED, WITHDRAWN = "pending", "approved", "refused", "withdrawn"
DECISIONS = {APPROVED: "approve", REFUSED: "refuse", WITHDRAWN: "withdraw"}  # status -> its audit action
ROLE = "role"  # the `setting` of a change to a user's role
ROLE_WORDS = {"clerk": "a clerk", "supervisor": "a supervisor", "admin": "an administrator"}
SETTING_WORDS = {"rules_need_second_approver": "Rule versions need a second person to approve them",
                 "second_approver": "The city's second approver (a supervisor)",
                 "paid_on_days_back": "Days a paid-on date may lie before the business day",
                 "cash_only_refused_tenders": "Tenders a cash-only account may not pay with",
                 **{f"{kind}_ceiling_cents": f"At most, {what}" for kind, what in CEILING_NAMES.items()}}
NOBODY = ("Nobody can approve this yet: it needs an active administrator other than {others}, or the city's "
          "second approver, and there is none. Name a supervisor as the second approver (while the city has "
          "none, that supervisor accepts it), or have the machine operator add a second administrator with "
          "`ordinance users add NAME --role admin`, which works only until the city has a second person.")


class ChangeError(ValueError):
    """A change that cannot be asked for, approved or refused; the message says why."""


# --- asking -----------------------------------------------------------------------------------


def _administrator(session: Session, username: str) -> User:
    """The active administrator asking, or a ChangeError."""
    user = users.get_user(session, username)
    if user is None or not user.active or user.role != "admin":
        raise ChangeError(f"Only an active administrator may ask for this change; {username} is not one.")
    return user


def _waiting_for(session: Session, setting: str, username: str | None) -> SettingChange | None:
    """The change of this setting (or this user's role) already waiting, if any."""
    return session.scalar(select(SettingChange).where(SettingChange.status == PENDING,
                                                      SettingChange.setting == setting,
                                                      SettingChange.username.is_(None) if username is None
                                                      else SettingChange.username == username))


def _ask(session: Session, *, setting: str, username: str | None, old: Any, new: Any, actor: str,
         now: datetime) -> SettingChange:
    """File one change (or hand back the same one already waiting) and audit the asking."""
    same = _waiting_for(session, setting, username)
    if same is not None and same.new_value == new:
        return same
    if same is not None:
        raise ChangeError(f"{describe(same)} is already waiting for a second person (change {same.id}); "
                          "refuse or withdraw it first.")
    change = SettingChange(setting=setting, username=username, old_value=old, new_value=new, requested_by=actor,
                           requested_at=now, status=PENDING)
    session.add(change)
    session.flush()
    audit.record(session, actor=actor, action="change.ask", subject_type="setting_change", subject_id=change.id,
                 detail={"setting": setting, "username": username, "old": old, "new": new}, at=now)
    return change


def ask_city_change(session: Session, setting: str, value: Any, *, actor: str, now: datetime) -> SettingChange | None:
    """Ask for a guarded city setting to change; None when it already has that value."""
    _administrator(session, actor)
    if setting not in city.GUARDED:
        raise ChangeError(f"{setting} is not a setting that waits for a second person.")
    new = city.checked(session, {setting: value})[setting]
    old = city.setting_value(city.get_city(session), setting)
    if old == new:
        return None
    _still_named(session, setting, new, now)
    return _ask(session, setting=setting, username=None, old=old, new=new, actor=actor, now=now)


def _still_named(session: Session, setting: str, value: Any, now: datetime) -> None:
    """A list of assistance programs that leaves out one a published rule or workflow in force (on the city's day at
    `now`) or to come still names is refused, naming those versions (engine.rulebook.programs_named): checked when
    the change is asked for and again when it is approved, since documents may be published in between."""
    if setting != "assistance_programs":
        return
    today = city.today_in_city(session, now)
    refusal = removal_refusal(session, {program["id"] for program in value}, today)
    if refusal is not None:
        raise city.CityError(refusal)


def save_city(session: Session, *, actor: str, now: datetime, printable: city.Printable | None = None,
              **changes: Any) -> list[SettingChange]:
    """The city settings page saved: plain settings at once, each changed guarded one asked for (returned);
    `printable`: the languages the notice templates print (engine.notices.languages)."""
    cleaned = city.checked(session, changes, printable)
    city.update_city(session, actor=actor, now=now, printable=printable,
                     **{k: v for k, v in cleaned.items() if k not in city.GUARDED})
    asked = [ask_city_change(session, k, v, actor=actor, now=now) for k, v in cleaned.items() if k in city.GUARDED]
    return [change for change in asked if change is not None]


def ask_role_change(session: Session, username: str, role: str, *, actor: str, now: datetime) -> SettingChange | None:
    """Ask for a user's role to change; None when they already have it."""
    _administrator(session, actor)
    if role not in ROLES:
        raise users.UserError(f"Role {role!r} is not one of {', '.join(ROLES)}.")
    user = users.get_user(session, username)
    if user is None or not user.active:
        raise users.UserError(f"There is no active user {username!r}.")
    if user.role == role:
        return None
    return _ask(session, setting=ROLE, username=user.username, old=user.role, new=role, actor=actor, now=now)


def ask_grant(session: Session, username: str, role_id: str, *, actor: str, now: datetime) -> SettingChange:
    """Ask for a user to be granted an approval role: it waits for a second person, as a role change does."""
    _administrator(session, actor)
    user, role = roles.grantee(session, username, role_id)
    return _ask(session, setting=roles.grant_setting(role.id), username=user.username, old=False, new=True,
                actor=actor, now=now)


def grant_by_operator(session: Session, username: str, role_id: str, *, operator: str, now: datetime) -> None:
    """The machine operator grants an approval role without naming an administrator: only while the city has no
    second person yet (its bootstrap, audited as such)."""
    if second_person_exists(session):
        raise ChangeError(f"Granting {role_id} to {username} waits for a second person: say which administrator "
                          "asks for it with --as USERNAME.")
    roles.record_grant(session, username, role_id, actor=operator, now=now, bootstrap=True)


def add_staff(session: Session, *, username: str, full_name: str, role: str, password: str, actor: str,
              now: datetime) -> tuple[User, SettingChange | None]:
    """Add a user: a clerk at once; a supervisor or administrator starts as a clerk, the role asked for."""
    _administrator(session, actor)
    if role not in ROLES:
        raise users.UserError(f"Role {role!r} is not one of {', '.join(ROLES)}.")
    user = users.add_user(session, username=username, full_name=full_name, role="clerk", password=password,
                          actor=actor, now=now)
    return user, ask_role_change(session, user.username, role, actor=actor, now=now)


def enable_staff(session: Session, username: str, *, actor: str, now: datetime) -> tuple[User, SettingChange | None]:
    """Let a disabled user sign in again: as a clerk at once; a supervisor's or administrator's role asked for again."""
    _administrator(session, actor)
    before = users.get_user(session, username)
    role_before = before.role if before is not None else "clerk"
    user = users.enable_user(session, username, actor=actor, now=now)
    if role_before == "clerk":
        return user, None
    return user, ask_role_change(session, user.username, role_before, actor=actor, now=now)


def reset_password(session: Session, username: str, password: str, *, actor: str, now: datetime) -> User:
    """An administrator gives a clerk or supervisor a new password (their sessions end).

    Not their own (they change it themselves, with the current one), not another
    administrator's and not the second approver's: a password one administrator chose would
    let that one person act as two.
    """
    _administrator(session, actor)
    user = users.get_user(session, username)
    if user is None:
        raise users.UserError(f"There is no user {username!r}.")
    if user.username == actor:
        raise ChangeError("Change your own password on the My password page; it asks for the current one.")
    if user.role == "admin" or user.username == city.get_city(session).second_approver:
        who = "an administrator" if user.role == "admin" else "the city's second approver"
        raise ChangeError(f"{user.username} is {who}: only they (My password) or the machine operator "
                          f"(`ordinance users password {user.username}`) set their password, so that no one "
                          "person can act as two.")
    return users.set_password(session, user.username, password, actor=actor, now=now)


def add_by_operator(session: Session, *, username: str, full_name: str, role: str, password: str, operator: str,
                    now: datetime) -> User:
    """The machine operator adds a user without naming an administrator: a clerk always; a supervisor or an
    administrator only while the city has no second person yet (its bootstrap, audited as such)."""
    if role != "clerk" and second_person_exists(session):
        raise ChangeError(f"Making {username} {ROLE_WORDS.get(role, role)} waits for a second person: say which "
                          "administrator asks for it with --as USERNAME.")
    return users.add_user(session, username=username, full_name=full_name, role=role, password=password,
                          actor=operator, now=now, bootstrap=role != "clerk")


# --- who may decide ---------------------------------------------------------------------------


def second_approver(session: Session) -> str | None:
    """The city's named second approver while they are an active supervisor, else None."""
    named = city.get_city(session).second_approver
    user = users.get_user(session, named) if named else None
    return user.username if user is not None and user.active and user.role == "supervisor" else None


def second_person_exists(session: Session) -> bool:
    """Whether the city has two people for these changes: two administrators, or one and a second approver."""
    admins = users.active_admins(session)
    return len(admins) >= 2 or (len(admins) == 1 and second_approver(session) is not None)


def _first_naming(session: Session, change: SettingChange) -> list[str]:
    """The supervisor a change names as the city's first second approver (they may accept it), if it is one."""
    if change.setting != "second_approver" or not change.new_value or city.get_city(session).second_approver:
        return []
    user = users.get_user(session, str(change.new_value))
    return [user.username] if user is not None and user.active and user.role == "supervisor" else []


def approvers(session: Session, change: SettingChange) -> list[str]:
    """Who may approve or refuse a waiting change now: never the one who asked, nor the one it is about."""
    excluded = {change.requested_by, change.username}
    people = [name for name in users.active_admins(session) if name not in excluded]
    named = second_approver(session)
    if named and named not in excluded:
        people.append(named)
    return people or [name for name in _first_naming(session, change) if name not in excluded]


def who_can_approve(session: Session, change: SettingChange) -> str:
    """Who may approve a waiting change, in words; when nobody can, what to do."""
    people = approvers(session, change)
    if people:
        return f"{', '.join(people)} may approve or refuse it."
    others = change.requested_by + (f" and {change.username}" if change.username else "")
    return NOBODY.format(others=others)


# --- deciding ---------------------------------------------------------------------------------


def _pending(session: Session, change_id: int) -> SettingChange:
    """The waiting change, or a ChangeError."""
    change = session.get(SettingChange, change_id)
    if change is None:
        raise ChangeError(f"There is no change {change_id}.")
    if change.status != PENDING:
        raise ChangeError(f"Change {change_id} is already {change.status} (by {change.decided_by}).")
    return change


def _refuse_to_decide(session: Session, change: SettingChange, actor: str) -> None:
    """A ChangeError unless `actor` may approve or refuse this change."""
    if actor == change.requested_by:
        raise ChangeError("You asked for this change; another person must approve it.")
    if actor == change.username:
        raise ChangeError("This change is about your own role; another person must approve it.")
    if actor not in approvers(session, change):
        raise ChangeError(f"You may not approve or refuse this change: {who_can_approve(session, change)}")


def _decide(session: Session, change: SettingChange, status: str, *, actor: str, now: datetime) -> None:
    """Record the decision and audit it."""
    change.status, change.decided_by, change.decided_at = status, actor, now
    session.flush()
    audit.record(session, actor=actor, action=f"change.{DECISIONS[status]}", subject_type="setting_change",
                 subject_id=change.id, at=now,
                 detail={"setting": change.setting, "username": change.username, "old": change.old_value,
                         "new": change.new_value, "asked_by": change.requested_by})


def approve(session: Session, change_id: int, *, actor: str, now: datetime) -> SettingChange:
    """A second person approves a waiting change: it applies now (refused if the setting moved since it was asked)."""
    change = _pending(session, change_id)
    _refuse_to_decide(session, change, actor)
    if _value_now(session, change) != change.old_value:
        raise ChangeError(f"{describe(change)}: it is no longer {_value_words(change.old_value)}, as when this was "
                          "asked; refuse it and ask again.")
    _still_named(session, change.setting, change.new_value, now)
    _decide(session, change, APPROVED, actor=actor, now=now)
    if change.setting == ROLE:
        users.apply_approved_role(session, change, now=now)
    elif roles.granted_role(change) is not None:
        roles.apply_approved_grant(session, change, now=now)
    else:
        city.apply_approved(session, change, now=now)
    return change


def _value_now(session: Session, change: SettingChange) -> Any:
    """The setting's value now, the user's role now (None when they are gone or disabled), or whether they hold
    the approval role a grant asks for."""
    granted = roles.granted_role(change)
    if granted is not None:
        user = users.get_user(session, change.username or "")
        return roles.holds(session, user.username, granted) if user is not None and user.active else None
    if change.setting != ROLE:
        return city.setting_value(city.get_city(session), change.setting)
    user = users.get_user(session, change.username or "")
    return user.role if user is not None and user.active else None


def refuse(session: Session, change_id: int, *, actor: str, now: datetime) -> SettingChange:
    """Another person refuses a waiting change, or the one who asked withdraws it; nothing is applied."""
    change = _pending(session, change_id)
    if actor == change.requested_by:
        _decide(session, change, WITHDRAWN, actor=actor, now=now)
        return change
    _refuse_to_decide(session, change, actor)
    _decide(session, change, REFUSED, actor=actor, now=now)
    return change


# --- reading ----------------------------------------------------------------------------------


def waiting(session: Session) -> list[SettingChange]:
    """Every change waiting for a second person, oldest first."""
    return list(session.scalars(select(SettingChange).where(SettingChange.status == PENDING)
                                .order_by(SettingChange.id)))


def decided(session: Session, limit: int = 20) -> list[SettingChange]:
    """The latest changes approved, refused or withdrawn, newest first."""
    return list(session.scalars(select(SettingChange).where(SettingChange.status != PENDING)
                                .order_by(SettingChange.id.desc()).limit(limit)))


def _value_words(value: Any) -> str:
    """A setting's value in words: yes/no, nobody, or as it is."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return ", ".join(TENDER_WORDS.get(item, item) for item in value) or "none"
    return "nobody" if value in (None, "") else str(value)


def _programs_words(kept: Any) -> str:
    """A list of assistance programs in words: 'Customer Assistance Program (low income), Medical Baseline'."""
    return ", ".join(program.name_in() + (" (low income)" if program.counts_as_low_income else "")
                     for program in programs_of(kept))


def describe(change: SettingChange) -> str:
    """What a change does, in words: 'Make jlee a supervisor (now a clerk)'."""
    granted = roles.granted_role(change)
    if granted is not None:
        return f"Grant {change.username} the approval role {granted}"
    if change.setting == ROLE:
        return f"Make {change.username} {ROLE_WORDS[change.new_value]} (now {ROLE_WORDS[change.old_value]})"
    if change.setting == "duty_roles":
        old, new = duties.duty_roles_of(change.old_value), duties.duty_roles_of(change.new_value)
        return "; ".join(f"Who may {what}: {duties.roles_in_words(old[duty])} \u2192 "
                         f"{duties.roles_in_words(new[duty])}" for duty, what in duties.DUTIES.items()
                         if old[duty] != new[duty]) or "Who does each duty: unchanged"
    if change.setting == "assistance_programs":
        return (f"Assistance programs: {_programs_words(change.old_value)} \u2192 "
                f"{_programs_words(change.new_value)}")
    words = SETTING_WORDS.get(change.setting, change.setting.replace("_", " ").capitalize())
    shown = format_money if change.setting in city.CEILINGS else _value_words
    return f"{words}: {shown(change.old_value)} \u2192 {shown(change.new_value)}"
