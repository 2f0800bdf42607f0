"""What a workflow action is: the name a step's YAML gives it, the check of its value, what it does.

Each action is one module of this package holding one `WorkflowAction`; the package lists
them (`engine.workflow.actions.ACTIONS`). The definition reader calls `check` with itself
(as a `DefinitionChecker`) while it reads a workflow; the runtime calls `run` with the step
being taken; the case history shows what was done in `words`; a night's sweep report counts
the fees an action charged (`fee`) and the notices it wrote (`notices`) from its record.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from engine.rules.library import RuleLibrary
from engine.rules.types import JsonValue, YamlValue
from engine.workflow.context import StepContext
from engine.workflow.model import Action


class DefinitionChecker(Protocol):
    """What an action's check may use of the workflow definition being read."""

    field_types: dict[str, str]
    fees_charged: set[str]
    rules: RuleLibrary

    @property
    def subject(self) -> str:
        """The subject type the workflow's cases are about."""

    def error(self, path: str, message: str) -> None:
        """Record one error at a path."""

    def keys(self, mapping: Mapping[str, object], allowed: tuple[str, ...], path: str, what: str) -> None:
        """An error for each key not among `allowed`."""

    def rule(self, path: str, rule_id: object, kind: str | None) -> bool:
        """Whether `rule_id` names a rule document of `kind` (None: of any kind); an error if not."""

    def set_type(self, value: YamlValue, path: str) -> str | None:
        """The type of a `set:` value (a date counted, a deadline's field, ...), its form checked; None if wrong."""


Done = Mapping[str, JsonValue]


def done_words(done: Done) -> str:
    """What an action did in plain words, from its record: "Refund: amount 40.00, ledger entry 7"."""
    kind = str(done.get("action", ""))
    details = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in done.items() if k != "action")
    return f"{kind.replace('_', ' ').capitalize()}: {details}" if details else kind.replace("_", " ").capitalize()


def no_fee(_done: Done) -> tuple[str, Decimal] | None:
    """An action that charges no fee."""
    return None


def no_notices(_done: Done) -> tuple[int, ...]:
    """An action that writes no notice."""
    return ()


@dataclass(frozen=True)
class WorkflowAction:
    """One kind of action: its YAML name, the check of its value in a definition, and its run in a step."""

    name: str
    check: Callable[[DefinitionChecker, YamlValue, str], None]
    run: Callable[[StepContext, Action], None]
    words: Callable[[Done], str] = done_words
    fee: Callable[[Done], tuple[str, Decimal] | None] = no_fee  # (schedule, amount) of the fee its record says
    notices: Callable[[Done], tuple[int, ...]] = no_notices     # the ids of the Notice rows its record says it wrote
