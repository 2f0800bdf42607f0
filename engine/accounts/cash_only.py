"""An account's cash-only status: set, extended and ended by rule, with the day it ends and why.

The status is decided by the rule document tagged `cash_only_status` (engine.accounts.returns,
on the day a payment is returned). When the rule that decides says how long it lasts (`for:` on a
criteria rule, engine.rules.durations), its outcome carries `until`, and the account keeps
that day (`cash_only_until`) and the rule's name (`cash_only_reason`); the cash-only review
(engine.sweeps.cash_only_review) ends the status on that day, not before, whatever the
trailing counts say meanwhile. A later decision with a later day extends it; one with an
earlier day (a shorter duration published since) leaves the day already set as it is.
A status without an end (a rule without `for:`) is reviewed by the rule each night, as before.
Every change writes an audit row `account.cash_only`.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from engine import audit
from engine.store.models import UtilityAccount

ACTION = "account.cash_only"


def until_of(outcome: dict) -> date | None:
    """The day a decided status ends (`until` of the outcome, an ISO date), or None without an end."""
    until = outcome.get("until")
    return date.fromisoformat(until) if isinstance(until, str) else None


def apply_decision(session: Session, account: UtilityAccount, status: dict, *, actor: str, now: datetime,
                   detail: dict) -> str | None:
    """Apply a cash-only decision (the JSON of a cash-only-status result) that holds the account cash-only.

    Returns what changed — "set", "extended", "bounded" (an open-ended status given an end),
    "unbounded" (an end removed by a decision without one) — or None when nothing did. Each
    change writes an audit row with `detail` (the facts read, the payment) and the rule's words.
    """
    until = until_of(status["outcome"])
    reason = (status.get("matched") or [None])[0]
    before = account.cash_only_until
    if not account.cash_only:
        change = "set"
    elif before is not None and until is None:
        change = "unbounded"
    elif before is not None and until > before:
        change = "extended"
    elif before is None and until is not None:
        change = "bounded"
    else:
        return None
    account.cash_only, account.cash_only_until, account.cash_only_reason = True, until, reason
    session.flush()
    audit.record(session, actor=actor, action=ACTION, subject_type="utility_account", subject_id=account.id, at=now,
                 detail={"cash_only": True, **detail, "rule_id": status.get("rule"),
                         "rule_version": status.get("version"), "rule": reason,
                         **({"until": until.isoformat()} if until else {}),
                         **({"change": change} if change != "set" else {}),
                         **({"until_before": before.isoformat()} if before and change != "set" else {})})
    return change


def end(session: Session, account: UtilityAccount, *, actor: str, now: datetime, detail: dict) -> None:
    """Clear the status (its day has come, or the rule no longer holds), with an audit row."""
    until = account.cash_only_until
    account.cash_only, account.cash_only_until, account.cash_only_reason = False, None, None
    session.flush()
    audit.record(session, actor=actor, action=ACTION, subject_type="utility_account", subject_id=account.id, at=now,
                 detail={"cash_only": False, **({"until": until.isoformat()} if until else {}), **detail})


def ends_on(account: UtilityAccount, day: date) -> bool:
    """Whether a cash-only status with an end has reached it on `day` (it holds through the day before)."""
    return account.cash_only and account.cash_only_until is not None and day >= account.cash_only_until
