"""Criteria decided by durable_rules: the only module of Ordinance that imports durable_rules.

Each published criteria version becomes one durable_rules ruleset, named
`ordinance-{doc id}-{effective}-{hash of its conditions}`, registered once per process
(the registry below, guarded by one lock, is the only module-level mutable state of the
engine). Each rule of the version becomes durable_rules rules (one per alternative, see
below) whose action records that it fired. An evaluation asserts the facts under a fresh session id (`sid`), runs the actions,
then deletes that session's state, so nothing piles up between evaluations; a fact that
no rule matches (durable_rules' "message not handled") is simply an empty result.

How our conditions become durable_rules rules: `engine.rules.dnf` encodes the facts
exactly (integers, never binary floats) and rewrites each condition, `not` included, into
alternatives of plain tests; here each alternative becomes one durable_rules rule
(`when_all` of `&`-joined tests, `+` exists, `-` does not exist), and a rule of the
document matched when any of its alternatives fired. Every durable_rules rule also requires
our marker field `i` (the fact's index in the batch), so a rule made only of "does not
exist" tests can never match durable_rules' own session state object (which would make
its actions fire forever), nor the session mark (see `_session_marked`).
"""
from __future__ import annotations

import hashlib
import itertools
import json
import threading
from datetime import date
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeAlias

import durable_rules_engine
from durable import engine as durable_engine
from durable.lang import m, when_all

from engine.rules.conditions import Condition
from engine.rules.dnf import FactEncoding, Translator
from engine.rules.document import InputSpec
from engine.rules.errors import EvaluationError
from engine.rules.types import Facts

BATCH = 1000
# durable_rules' own objects (its expressions, the `c` its actions get, a state handle) have no types
DurableExpression: TypeAlias = Any
DurableClosure: TypeAlias = Any
StateHandle: TypeAlias = int

_LOCK = threading.RLock()
_REGISTRY: dict[str, "DurableCriteria"] = {}
_SESSIONS = itertools.count(1)


def _test(atom: tuple[str, ...]) -> DurableExpression:
    """One atom of `engine.rules.dnf` as a durable_rules test."""
    if atom[0] == "ex":
        return +getattr(m, atom[1])
    if atom[0] == "nex":
        return -getattr(m, atom[1])
    op, field, value = atom
    left = getattr(m, field)
    if op == "eq":
        return left == value
    if op == "ne":
        return left != value
    if op == "gt":
        return left > value
    if op == "gte":
        return left >= value
    if op == "lt":
        return left < value
    return left <= value


def _expression(alternative: list[tuple[str, ...]]) -> DurableExpression:
    """One alternative: the fact marker `i`, and every test."""
    expression = +m.i
    for atom in alternative:
        expression = expression & _test(atom)
    return expression


def _session_marked(c: DurableClosure) -> None:
    """The action of the session mark: nothing to do, but it must run.

    durable_rules 2.0.28 crashes the process ("free(): invalid pointer") when it deletes
    the state of a session in which no action ever ran, which is what a batch of facts
    matching no rule would leave. Every session therefore asserts one mark fact, which only
    this rule matches (it has no `i`, so no rule of the document can match it), and whose
    action runs with the others before the state is deleted.
    """


class DurableCriteria:
    """One criteria version as a registered durable_rules ruleset; says which rules fire."""

    def __init__(self, name: str, inputs: Mapping[str, InputSpec], conditions: Sequence[Condition | None]) -> None:
        """Translate every rule's condition and create the ruleset (call through `criteria_ruleset`)."""
        self.name = name
        self.encoding = FactEncoding(inputs, conditions)
        self.fired: list[tuple[int, int]] = []
        translate = Translator(self.encoding)
        definition = {}
        for number, condition in enumerate(conditions):
            recorder = self._recorder(number)
            for j, alternative in enumerate(translate.alternatives(condition, f"{name} rule {number + 1}")):
                rule = when_all(_expression(alternative))
                rule.func = [recorder]
                definition[f"r_{number}_{j}"] = rule.define()
        session_mark = when_all(+m.ordinance_session)
        session_mark.func = [_session_marked]
        definition["session"] = session_mark.define()
        self.ruleset = durable_engine.Ruleset(name, None, definition)

    def _recorder(self, number: int) -> Callable[[DurableClosure], None]:
        """The action of rule `number`: note (fact index, rule number)."""
        fired = self.fired

        def fire(c: DurableClosure) -> None:
            """Record that this rule matched this fact."""
            fired.append((c.m["i"], number))

        return fire

    def decide(self, facts: Facts) -> tuple[int, ...]:
        """The numbers of the rules whose condition holds on these facts, ascending."""
        return self.decide_many([facts])[0]

    def decide_many(self, facts_list: Sequence[Facts]) -> list[tuple[int, ...]]:
        """For each fact set, the numbers of the rules that hold, ascending (batches of 1000)."""
        results: list[tuple[int, ...]] = []
        for start in range(0, len(facts_list), BATCH):
            results.extend(self._session(facts_list[start:start + BATCH]))
        return results

    def _session(self, facts_list: Sequence[Facts]) -> list[tuple[int, ...]]:
        """Assert a batch in a fresh session, run the actions, delete the session's state."""
        matched: list[list[int]] = [[] for _ in facts_list]
        with _LOCK:
            sid = f"s{next(_SESSIONS)}"
            encoded = [self.encoding.encode(facts, i, sid) for i, facts in enumerate(facts_list)]
            encoded.append({"sid": sid, "ordinance_session": 1})  # see _session_marked
            self.fired.clear()
            try:
                handle = self._assert(encoded)
                if handle is not None:
                    errors: list[object] = []
                    self.ruleset.do_actions(handle, lambda error, state: errors.append(error) if error else None)
                    if errors:
                        raise EvaluationError(f"durable_rules could not run {self.name}: {errors[0]}")
                for index, number in self.fired:
                    matched[index].append(number)
            finally:
                self.fired.clear()
                self.ruleset.delete_state(sid)
        return [tuple(sorted(set(numbers))) for numbers in matched]  # an `|` may match one fact twice

    def _assert(self, encoded: list[dict[str, int | str | bool]]) -> StateHandle | None:
        """Assert a batch of facts; the state handle whose actions to run, or None when nothing matched.

        `Ruleset.assert_facts` raises MessageNotHandledException as soon as one fact of a
        batch matches no rule, and the handle of the facts that did match is lost with it;
        so the batch goes to durable_rules' engine directly, where "some not handled" is
        code 1 with the handle still given.
        """
        code, handle = durable_rules_engine.assert_facts(self.ruleset._handle, json.dumps(encoded, ensure_ascii=False))
        if code in (0, 1):
            return handle
        if code == 3:
            return None
        raise EvaluationError(f"durable_rules refused the facts for {self.name} (code {code})")

    def session_facts(self, sid: str) -> list | None:
        """The facts durable_rules still holds for a session; None once its state is deleted."""
        with _LOCK:
            try:
                return self.ruleset.get_facts(sid)
            except durable_rules_engine.error:
                return None


def ruleset_name(document_id: str, effective: date, inputs: Mapping[str, InputSpec], raw_conditions: list) -> str:
    """The unique ruleset name of a version: document, effective date and a hash of what it decides."""
    content = json.dumps(
        {"when": raw_conditions, "inputs": {k: v.type for k, v in sorted(inputs.items())}},
        sort_keys=True, default=str,
    )
    digest = hashlib.sha256(content.encode()).hexdigest()[:16]
    return f"ordinance-{document_id}-{effective.isoformat()}-{digest}"


def criteria_ruleset(document_id: str, effective: date, inputs: Mapping[str, InputSpec],
                     conditions: Sequence[Condition | None]) -> DurableCriteria:
    """The DurableCriteria of one version, compiled and registered once per process."""
    name = ruleset_name(document_id, effective, inputs, [c.raw if c is not None else None for c in conditions])
    with _LOCK:
        found = _REGISTRY.get(name)
        if found is None:
            found = _REGISTRY[name] = DurableCriteria(name, inputs, conditions)
        return found


def registered_rulesets() -> list[str]:
    """The names of every ruleset registered in this process."""
    with _LOCK:
        return sorted(_REGISTRY)
