"""Open cases chosen by tags: what a sweep document's `works:`, `lists:` and `feeds:` say, read once.

A selector takes the states (not final) of a workflow tagged one of `workflows` (any workflow
when empty), tagged one of `states` (any state when empty), and not tagged one of
`except_states`: by the tags of the version a case is on, never by a workflow's id or a
state's name (engine.rules.kinds.sweep).
"""
from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from engine.rules.types import YamlValue
from engine.workflow.model import State, Workflow


@dataclass(frozen=True)
class Selector:
    """Open cases by the tags of their workflow and their state."""

    workflows: tuple[str, ...] = ()
    states: tuple[str, ...] = ()
    except_states: tuple[str, ...] = ()

    @classmethod
    def read(cls, spec: Mapping[str, YamlValue] | None) -> Selector | None:
        """The selector of a document's entry (None when absent)."""
        if spec is None:
            return None
        return cls(tuple(spec.get("workflows") or ()), tuple(spec.get("states") or ()),
                   tuple(spec.get("except_states") or ()))

    def chosen(self, workflow_tags: Collection[str], states: Mapping[str, State]) -> frozenset[str]:
        """The names of the states (of a workflow carrying `workflow_tags`) the selector takes."""
        if self.workflows and not set(self.workflows) & set(workflow_tags):
            return frozenset()
        return frozenset(name for name, state in states.items()
                         if not state.final and (not self.states or set(self.states) & set(state.tags))
                         and not set(self.except_states) & set(state.tags))

    def states_of(self, workflow: Workflow) -> frozenset[str]:
        """The states of this workflow version the selector takes."""
        return self.chosen(workflow.tags, workflow.states)


def chosen_by_any(selectors: Iterable[Selector], workflow_tags: Collection[str],
                  states: Mapping[str, State]) -> frozenset[str]:
    """The states any of the selectors takes."""
    return frozenset(name for selector in selectors for name in selector.chosen(workflow_tags, states))
