"""One step being taken: what every action reads and adds to, handed to the actions by the runtime.

The runtime builds the context and runs the actions; the actions never call back into the
runtime. What an action needs of it (opening a linked case) comes in as `open_linked`.
"""
from __future__ import annotations

from collections.abc import Mapping, Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.orm import Session

from engine.rules.errors import EvaluationError
from engine.rules.library import RuleLibrary
from engine.rules.types import JsonValue
from engine.store.models import Case
from engine.workflow.facts import CaseFields
from engine.workflow.fees import case_reference
from engine.workflow.guards import Actor
from engine.workflow.model import Workflow

ACCOUNT_SUBJECTS = ("utility_account", "lien", "refund", "adjustment")


@dataclass
class StepContext:
    """One step being taken: the case, who, the day, the fields as they change, what was done."""

    session: Session
    rules: RuleLibrary
    workflow: Workflow
    case: Case
    actor: Actor
    on: date
    now: datetime
    fields: CaseFields
    facts_of: Callable[[CaseFields], dict[str, object]]
    open_linked: Callable[[str], Case]  # a linked case of the named workflow on the same subject
    consulted: list[dict[str, str]] = field(default_factory=list)
    done: list[dict[str, JsonValue]] = field(default_factory=list)
    sweep_run_id: int | None = None
    # (workflow id, version): the city's states tagged service_off (a lien letter's measures may count shut-offs)
    service_off: Mapping[tuple[str, int], tuple[str, ...]] = field(default_factory=dict)

    def facts(self) -> dict[str, object]:
        """The facts as they stand now (after the fees and fields of the actions before)."""
        return self.facts_of(self.fields)

    @property
    def reference(self) -> str:
        """What ledger entries and audit rows of this step point back to."""
        return case_reference(self.case.id)

    @property
    def on_account(self) -> bool:
        """Whether the case is about a utility account (a delinquency, a refund, a lien)."""
        return self.case.subject_type in ACCOUNT_SUBJECTS

    def account_only(self, what: str) -> None:
        """Refuse a ledger action on a case that is not about a utility account."""
        if not self.on_account:
            raise EvaluationError(f"{what} posts to a utility account's ledger; "
                                  f"this case is about a {self.case.subject_type}")
