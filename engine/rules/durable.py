"""Criteria decided by durable_rules: the only module of Ordinance that imports durable_rules.

Each published criteria version becomes one durable_rules ruleset, named
`ordinance-{doc id}-{effective}-{hash of its conditions}`, registered once per process
(the registry below, guarded by one lock, is the only module-level mutable state of the
engine). Each rule of the version is one durable_rules rule whose action records that it
fired. An evaluation asserts the facts under a fresh session id (`sid`), runs the actions,
then deletes that session's state, so nothing piles up between evaluations; a fact that
no rule matches (durable_rules' "message not handled") is simply an empty result.

How our conditions become durable_rules expressions (only `&`, `|`, `+` exists and
`-` does-not-exist are needed):

- Facts are encoded exactly, never as binary floats: a date as its ordinal; a number or
  money as two integers, floor and ceiling of value x 10^S, where S is the largest number
  of decimals among the literals it is compared with (2 at least for money). For an
  integer literal L (scaled), `x > L` iff ceil > L, `x >= L` iff floor >= L, `x < L` iff
  floor < L, `x <= L` iff ceil <= L, `x == L` iff floor == ceil == L: so 250.00 >= 250
  is exactly true and 249.995 >= 250 exactly false.
- Every comparison on a fact is "present and compares": an absent fact fails them all.
  `exists: true` is `+field`, `exists: false` is `-field`. `in` is an `|` of equalities,
  `not_in` an `&` of inequalities.
- `not` has no durable_rules form, so it is pushed down to the leaves (De Morgan):
  not(all) = any(not ..), not(any) = all(not ..), and a negated comparison is "absent,
  or present and the flipped comparison" (gt <-> lte, gte <-> lt, eq <-> ne, in <-> not_in;
  not exists:true = exists:false).
- Every rule also requires our marker field `i` (the fact's index in the batch), so a
  rule made only of "does not exist" tests can never match durable_rules' own session
  state object (which would make its actions fire forever).
"""
from __future__ import annotations

import hashlib
import itertools
import json
import threading
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any, Iterable, Mapping, Sequence

import durable_rules_engine
from durable import engine as durable_engine
from durable.lang import m, when_all

from engine.rules.conditions import AllOf, AnyOf, Condition, Leaf, NotOf
from engine.rules.document import InputSpec
from engine.rules.errors import EvaluationError

FLIP = {"eq": "ne", "ne": "eq", "gt": "lte", "gte": "lt", "lt": "gte", "lte": "gt", "in": "not_in", "not_in": "in"}
NUMERIC = ("number", "integer", "money")
BATCH = 1000

_LOCK = threading.RLock()
_REGISTRY: dict[str, "DurableCriteria"] = {}
_SESSIONS = itertools.count(1)


def _places(value: Decimal) -> int:
    """How many decimals a Decimal is written with."""
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _literals(node: Any, found: dict[str, list]) -> None:
    """Collect, per fact, every literal the condition compares it with."""
    if isinstance(node, Leaf):
        values = found.setdefault(node.fact, [])  # a fact only tested with `exists` is handed over too
        for op, value in node.comparisons:
            if op != "exists":
                values.extend(value if op in ("in", "not_in") else [value])
    elif isinstance(node, NotOf):
        _literals(node.part, found)
    else:
        for part in node.parts:
            _literals(part, found)


class FactEncoding:
    """How the facts of one criteria version are put into durable_rules JSON, exactly."""

    def __init__(self, inputs: Mapping[str, InputSpec], conditions: Iterable[Condition | None]) -> None:
        """Choose each numeric fact's decimal scale from the literals it is compared with."""
        literals: dict[str, list] = {}
        for condition in conditions:
            if condition is not None:
                _literals(condition.root, literals)
        self.kinds: dict[str, str] = {}
        self.scales: dict[str, Decimal] = {}
        for fact in literals:
            spec = inputs.get(fact)
            kind = spec.type if spec is not None else _guess_kind(literals[fact])
            self.kinds[fact] = kind
            if kind in NUMERIC:
                places = [_places(v) for v in literals[fact] if isinstance(v, Decimal)]
                self.scales[fact] = Decimal(10) ** max(places + [2 if kind == "money" else 0])

    def field(self, fact: str) -> str:
        """The JSON field that tells whether a fact is present (its floor, for numbers)."""
        return f"f_{fact}_lo" if fact in self.scales else f"f_{fact}"

    def encode(self, facts: Mapping[str, Any], index: int, sid: str) -> dict:
        """One fact set as the durable_rules fact: absent facts are left out."""
        out: dict[str, Any] = {"sid": sid, "i": index}
        for fact, kind in self.kinds.items():
            value = facts.get(fact)
            if value is None:
                continue
            if fact in self.scales and not isinstance(value, bool) and isinstance(value, (int, Decimal)):
                scaled = Decimal(value) * self.scales[fact]
                out[f"f_{fact}_lo"] = int(scaled.to_integral_value(ROUND_FLOOR))
                out[f"f_{fact}_hi"] = int(scaled.to_integral_value(ROUND_CEILING))
            elif isinstance(value, date):
                out[f"f_{fact}"] = value.toordinal()
            elif isinstance(value, (bool, str)):
                out[f"f_{fact}"] = value
            else:
                raise EvaluationError(f"{fact}: {value!r} cannot be handed to durable_rules")
        return out


def _guess_kind(literals: list) -> str:
    """The kind of an undeclared fact, from its literals (conditions compiled without inputs)."""
    for value in literals:
        if isinstance(value, bool):
            return "boolean"
        if isinstance(value, (int, Decimal)):
            return "number"
        if isinstance(value, date):
            return "date"
    return "text"


def _true() -> Any:
    """An expression that always holds: our marker field is always there."""
    return +m.i


def _false() -> Any:
    """An expression that never holds."""
    return -m.i


def _any(parts: list) -> Any:
    """`|` of expressions (never, for none)."""
    if not parts:
        return _false()
    expression = parts[0]
    for part in parts[1:]:
        expression = expression | part
    return expression


def _all(parts: list) -> Any:
    """`&` of expressions (always, for none)."""
    if not parts:
        return _true()
    expression = parts[0]
    for part in parts[1:]:
        expression = expression & part
    return expression


class _Translator:
    """Our condition tree as a durable_rules expression, with `not` pushed to the leaves."""

    def __init__(self, encoding: FactEncoding) -> None:
        """Translate against one fact encoding."""
        self.encoding = encoding

    def node(self, node: Any, negated: bool) -> Any:
        """The expression for a node (or for its negation)."""
        if isinstance(node, NotOf):
            return self.node(node.part, not negated)
        if isinstance(node, Leaf):
            return self.leaf(node, negated)
        parts = [self.node(part, negated) for part in node.parts]
        conjunction = isinstance(node, AllOf) != negated
        return _all(parts) if conjunction else _any(parts)

    def leaf(self, leaf: Leaf, negated: bool) -> Any:
        """All comparisons hold; negated: some comparison fails (De Morgan)."""
        if not negated:
            return _all([self.atom(leaf.fact, op, value) for op, value in leaf.comparisons])
        flipped = []
        for op, value in leaf.comparisons:
            if op == "exists":
                flipped.append(self.atom(leaf.fact, "exists", not value))
            else:
                flipped.append(self.atom(leaf.fact, "exists", False) | self.atom(leaf.fact, FLIP[op], value))
        return _any(flipped)

    def atom(self, fact: str, op: str, value: Any) -> Any:
        """One comparison on a present fact (or a presence test)."""
        present_field = getattr(m, self.encoding.field(fact))
        if op == "exists":
            return +present_field if value else -present_field
        if op == "in":
            return _any([self.atom(fact, "eq", item) for item in value])
        if op == "not_in":
            return _all([+present_field] + [self.atom(fact, "ne", item) for item in value])
        return (+present_field) & self.compare(fact, op, value)

    def compare(self, fact: str, op: str, literal: Any) -> Any:
        """A comparison of a fact known to be present."""
        kind = self.encoding.kinds.get(fact, "text")
        literal_kind = _literal_kind(literal)
        if op in ("gt", "gte", "lt", "lte") and (kind not in NUMERIC + ("date",) or literal_kind != _family(kind)):
            raise EvaluationError(f"{fact}: {op} applies to numbers, money and dates only")
        if literal_kind != _family(kind):
            return _false() if op == "eq" else _true()  # true is never 1, text '1' never the number 1
        if kind in NUMERIC:
            scaled = Decimal(literal) * self.encoding.scales[fact]
            if scaled != scaled.to_integral_value():
                raise EvaluationError(f"{fact}: {literal} has more decimals than its scale")  # scale covers all literals
            whole = int(scaled)
            low, high = getattr(m, f"f_{fact}_lo"), getattr(m, f"f_{fact}_hi")
            return {
                "gt": lambda: high > whole, "gte": lambda: low >= whole, "lt": lambda: low < whole,
                "lte": lambda: high <= whole, "eq": lambda: (low == whole) & (high == whole),
                "ne": lambda: (low != whole) | (high != whole),
            }[op]()
        value = literal.toordinal() if kind == "date" else literal
        field = getattr(m, f"f_{fact}")
        return {
            "gt": lambda: field > value, "gte": lambda: field >= value, "lt": lambda: field < value,
            "lte": lambda: field <= value, "eq": lambda: field == value, "ne": lambda: field != value,
        }[op]()


def _family(kind: str) -> str:
    """The family an input type compares in."""
    return "number" if kind in NUMERIC else kind if kind in ("date", "boolean") else "text"


def _literal_kind(value: Any) -> str:
    """The family of a literal."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, Decimal)):
        return "number"
    if isinstance(value, date):
        return "date"
    return "text"


class DurableCriteria:
    """One criteria version as a registered durable_rules ruleset; says which rules fire."""

    def __init__(self, name: str, inputs: Mapping[str, InputSpec], conditions: Sequence[Condition | None]) -> None:
        """Translate every rule's condition and create the ruleset (call through `criteria_ruleset`)."""
        self.name = name
        self.encoding = FactEncoding(inputs, conditions)
        self.fired: list[tuple[int, int]] = []
        translate = _Translator(self.encoding)
        definition = {}
        for number, condition in enumerate(conditions):
            expression = _true() if condition is None else _true() & translate.node(condition.root, False)
            rule = when_all(expression)
            rule.func = [self._recorder(number)]
            definition[f"r_{number}"] = rule.define()
        self.ruleset = durable_engine.Ruleset(name, None, definition)

    def _recorder(self, number: int) -> Any:
        """The action of rule `number`: note (fact index, rule number)."""
        fired = self.fired

        def fire(c: Any) -> None:
            """Record that this rule matched this fact."""
            fired.append((c.m["i"], number))

        return fire

    def decide(self, facts: Mapping[str, Any]) -> tuple[int, ...]:
        """The numbers of the rules whose condition holds on these facts, ascending."""
        return self.decide_many([facts])[0]

    def decide_many(self, facts_list: Sequence[Mapping[str, Any]]) -> list[tuple[int, ...]]:
        """For each fact set, the numbers of the rules that hold, ascending (batches of 1000)."""
        results: list[tuple[int, ...]] = []
        for start in range(0, len(facts_list), BATCH):
            results.extend(self._session(facts_list[start:start + BATCH]))
        return results

    def _session(self, facts_list: Sequence[Mapping[str, Any]]) -> list[tuple[int, ...]]:
        """Assert a batch in a fresh session, run the actions, delete the session's state."""
        matched: list[list[int]] = [[] for _ in facts_list]
        with _LOCK:
            sid = f"s{next(_SESSIONS)}"
            encoded = [self.encoding.encode(facts, i, sid) for i, facts in enumerate(facts_list)]
            self.fired.clear()
            try:
                handle = self._assert(encoded)
                if handle is not None:
                    errors: list[Any] = []
                    self.ruleset.do_actions(handle, lambda error, state: errors.append(error) if error else None)
                    if errors:
                        raise EvaluationError(f"durable_rules could not run {self.name}: {errors[0]}")
                for index, number in self.fired:
                    matched[index].append(number)
            finally:
                self.fired.clear()
                self.ruleset.delete_state(sid)
        return [tuple(sorted(set(numbers))) for numbers in matched]  # an `|` may match one fact twice

    def _assert(self, encoded: list[dict]) -> Any:
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
