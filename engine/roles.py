"""Approval roles: roles the city defines (city attorney, department head, council clerk, ...) and who holds them.

Page access stays clerk / supervisor / admin (`User.role`, engine.users). An approval role
is city data: an administrator defines it (id, label, description) and grants it to users;
a workflow step or a rule outcome that names it may be taken only by its holders
(engine.workflow.guards). A grant waits for a second person, as a role change does
(engine.two_person asks for it and calls `apply_approved_grant`); a revocation applies at
once, as disabling a user does. Every change writes an audit row in the caller's
transaction; nothing here commits or reads the clock.
"""
from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from engine import audit
from engine.store.models import ROLES, ApprovalRole, RoleGrant, SettingChange, User
from engine.users import UserError, get_user

ROLE_ID = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
LONGEST_LABEL, LONGEST_DESCRIPTION = 80, 2000
GRANT = "grant:"  # a waiting change's `setting` for a grant: "grant:city_attorney"
PAGE_ROLE_LABELS = {"clerk": "Clerk", "supervisor": "Supervisor", "admin": "Administrator"}


class RoleError(UserError):
    """A change to the approval roles that cannot be made; the message says why."""


# --- reading ----------------------------------------------------------------------------------


def list_roles(session: Session) -> list[ApprovalRole]:
    """Every approval role, by id."""
    return list(session.scalars(select(ApprovalRole).order_by(ApprovalRole.id)))


def role_ids(session: Session) -> frozenset[str]:
    """The ids of the approval roles the city has defined (what a workflow may name beside the page roles)."""
    return frozenset(session.scalars(select(ApprovalRole.id)))


def role_labels(session: Session) -> dict[str, str]:
    """The words for every role a step may need: the page roles' and each approval role's label, by id."""
    return {**PAGE_ROLE_LABELS, **{role.id: role.label for role in list_roles(session)}}


def get_role(session: Session, role_id: str) -> ApprovalRole | None:
    """The approval role with this id, or None."""
    return session.get(ApprovalRole, role_id.strip().lower())


def existing_role(session: Session, role_id: str) -> ApprovalRole:
    """The approval role with this id, or a RoleError naming the roles there are."""
    role = get_role(session, role_id)
    if role is None:
        known = ", ".join(r.id for r in list_roles(session)) or "none yet"
        raise RoleError(f"There is no approval role {role_id!r}; approval roles: {known}.")
    return role


def grants_of(session: Session, username: str) -> frozenset[str]:
    """The approval roles an active user holds (none for a disabled or unknown user)."""
    return frozenset(session.scalars(select(RoleGrant.role_id).join(User, User.id == RoleGrant.user_id)
                                     .where(User.username == username, User.active.is_(True))))


def holders(session: Session) -> dict[str, list[str]]:
    """Each approval role's holders (usernames, active or not), by role id."""
    found: dict[str, list[str]] = {}
    for role_id, username in session.execute(select(RoleGrant.role_id, User.username)
                                             .join(User, User.id == RoleGrant.user_id)
                                             .order_by(RoleGrant.role_id, User.username)):
        found.setdefault(role_id, []).append(username)
    return found


def held_by_user(session: Session) -> dict[str, list[str]]:
    """The approval roles each user holds, by username (for the users page)."""
    found: dict[str, list[str]] = {}
    for role_id, names in holders(session).items():
        for name in names:
            found.setdefault(name, []).append(role_id)
    return found


def holds(session: Session, username: str, role_id: str) -> bool:
    """Whether the user holds the approval role (active or not)."""
    return session.scalar(select(RoleGrant.id).join(User, User.id == RoleGrant.user_id)
                          .where(User.username == username, RoleGrant.role_id == role_id)) is not None


# --- defining ---------------------------------------------------------------------------------


def _checked_words(label: str, description: str) -> tuple[str, str]:
    """The label and description, trimmed and within their lengths; a RoleError naming the field if not."""
    label, description = label.strip(), (description or "").strip()
    if not label:
        raise RoleError("An approval role needs a label (the words people see, e.g. City Attorney).")
    if len(label) > LONGEST_LABEL:
        raise RoleError(f"label: at most {LONGEST_LABEL} characters, not {len(label)}.")
    if len(description) > LONGEST_DESCRIPTION:
        raise RoleError(f"description: at most {LONGEST_DESCRIPTION} characters, not {len(description)}.")
    return label, description


def define_role(session: Session, role_id: str, *, label: str, description: str = "", actor: str,
                now: datetime) -> ApprovalRole:
    """Define a new approval role; refuse a malformed id, a page role's name or an id already defined."""
    role_id = role_id.strip().lower()
    if not ROLE_ID.match(role_id):
        raise RoleError("A role id is 2 to 40 lower-case letters, digits or underscores, starting with a letter "
                        f"(e.g. city_attorney); {role_id!r} is not one.")
    if role_id in ROLES:
        raise RoleError(f"{role_id!r} is a page role (clerk, supervisor, admin); an approval role needs another id.")
    if get_role(session, role_id) is not None:
        raise RoleError(f"The approval role {role_id!r} is already defined; edit it instead.")
    label, description = _checked_words(label, description)
    role = ApprovalRole(id=role_id, label=label, description=description, created_by=actor, created_at=now)
    session.add(role)
    session.flush()
    audit.record(session, actor=actor, action="role.define", subject_type="approval_role", subject_id=role_id,
                 detail={"label": label, "description": description}, at=now)
    return role


def edit_role(session: Session, role_id: str, *, label: str, description: str, actor: str,
              now: datetime) -> ApprovalRole:
    """Change an approval role's label or description (its id never changes); audited when something changed."""
    role = existing_role(session, role_id)
    label, description = _checked_words(label, description)
    changed = {key: [old, new] for key, old, new in (("label", role.label, label),
                                                     ("description", role.description, description)) if old != new}
    if not changed:
        return role
    role.label, role.description = label, description
    session.flush()
    audit.record(session, actor=actor, action="role.edit", subject_type="approval_role", subject_id=role.id,
                 detail=changed, at=now)
    return role


# --- granting and revoking --------------------------------------------------------------------


def grant_setting(role_id: str) -> str:
    """The `setting` of a waiting change that grants this role."""
    return f"{GRANT}{role_id}"


def granted_role(change: SettingChange) -> str | None:
    """The approval role a waiting change grants, or None when it is another kind of change."""
    return change.setting[len(GRANT):] if change.setting.startswith(GRANT) else None


def grantee(session: Session, username: str, role_id: str) -> tuple[User, ApprovalRole]:
    """The active user and the role of a grant to be asked for; a RoleError when either is not there or it is held."""
    role = existing_role(session, role_id)
    user = get_user(session, username)
    if user is None or not user.active:
        raise RoleError(f"There is no active user {username!r}.")
    if holds(session, user.username, role.id):
        raise RoleError(f"{user.username} already holds {role.label} ({role.id}).")
    return user, role


def record_grant(session: Session, username: str, role_id: str, *, actor: str, now: datetime,
                 **detail: object) -> RoleGrant:
    """Give the user the approval role and audit it (`detail`: the change and both people, or the bootstrap)."""
    user, role = grantee(session, username, role_id)
    grant = RoleGrant(role_id=role.id, user_id=user.id, granted_by=actor, granted_at=now)
    session.add(grant)
    session.flush()
    audit.record(session, actor=actor, action="role.grant", subject_type="user", subject_id=user.username,
                 detail={"role": role.id, **detail}, at=now)
    return grant


def apply_approved_grant(session: Session, change: SettingChange, *, now: datetime) -> RoleGrant:
    """Grant the role a second person approved; refused unless it was approved by someone other than the asker."""
    role_id = granted_role(change)
    if role_id is None or change.status != "approved" or change.decided_by in (None, change.requested_by):
        raise RoleError(f"change {change.id} has not been approved by a second person")
    return record_grant(session, change.username or "", role_id, actor=change.decided_by, now=now,
                        change=change.id, asked_by=change.requested_by)


def revoke(session: Session, username: str, role_id: str, *, actor: str, now: datetime) -> None:
    """Take an approval role from a user at once (removing a power waits for nobody); audited."""
    role = existing_role(session, role_id)
    user = get_user(session, username)
    if user is None or not holds(session, user.username, role.id):
        raise RoleError(f"{username} does not hold {role.label} ({role.id}).")
    session.execute(delete(RoleGrant).where(RoleGrant.role_id == role.id, RoleGrant.user_id == user.id))
    session.flush()
    audit.record(session, actor=actor, action="role.revoke", subject_type="user", subject_id=user.username,
                 detail={"role": role.id}, at=now)
