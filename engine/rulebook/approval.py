"""Who may publish a rule version: never its author alone when the city requires a second approver.

One rule, asked in one place: the store refuses such a publication (and such an import),
and the draft page says the draft is waiting for a second approver instead of offering the
button. That the approver is an active supervisor or administrator is the store's check.
"""
from __future__ import annotations

from engine.store.models import CitySettings, RuleVersion, WorkflowVersion

WAITING_FOR_SECOND_APPROVER = ("Waiting for a second approver: the city asks for someone other than the author "
                               "to publish it.")


def may_publish(author: str, approver: str, city: CitySettings) -> str | None:
    """Why `approver` may not publish what `author` drafted (None when they may)."""
    if approver == author and city.rules_need_second_approver:
        return f"a rule version needs a second person to approve it: {author} drafted it"
    return None


def publish_refusal(row: RuleVersion | WorkflowVersion, username: str, city: CitySettings) -> str | None:
    """Why the draft page offers `username` no publish button (None when it does), in the page's words."""
    if row.status != "draft":
        return f"Revision {row.revision} is {row.status}, not a draft."
    if may_publish(row.author, username, city) is not None:
        return WAITING_FOR_SECOND_APPROVER
    return None
