"""`when:` conditions: compiled once, evaluated on checked facts, with a trace of every leaf.

    cond = Condition.compile({"all": [{"fact": "days_past_due", "gte": 90}, {"sewer": True}]})
    cond.evaluate(facts)   # ConditionResult(holds=True, trace=["days_past_due = 91 >= 90: yes", ...])
    cond.holds(facts)      # the same decision, no trace (fast path)
    cond.facts_read()      # {"days_past_due", "sewer"}

An absent fact (not in `facts`) fails every comparison; only `exists: false` holds for it.
Dates compare as dates, money and numbers as decimals, text exactly. The compiled tree
(`AllOf`, `AnyOf`, `NotOf`, `Leaf`) is public so other evaluators (durable_rules) can
translate it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from collections.abc import Callable, Mapping
from typing import TypeAlias, TypeVar, Union

from engine.rules.document import InputSpec
from engine.rules.errors import EvaluationError
from engine.rules.results import as_text
from engine.rules.types import Facts, YamlValue
from engine.rules.yamlsafe import join_key

COMBINATORS = ("all", "any", "not")
OPERATORS = ("eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in", "exists", "contains")
ORDERING = ("gt", "gte", "lt", "lte")
SYMBOLS = {"eq": "==", "ne": "!=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<=", "in": "in", "not_in": "not in",
           "contains": "contains"}


def shown(value: object) -> str:
    """A value as a trace shows it: text quoted, lists bracketed, the rest as written."""
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(shown(v) for v in value) + "]"
    return as_text(value)


def comparison_words(op: str, literal: object) -> str:
    """One comparison as traces and a version in words write it: `>= 90`, `in ['A', 'B']`, `exists`."""
    if op == "exists":
        return "exists" if literal else "does not exist"
    return f"{SYMBOLS[op]} {shown(literal)}"


Piece = TypeVar("Piece")


def condition_pieces(raw: object, literal: Callable[[object, str], list[str | Piece]],
                     path: str = "") -> list[str | Piece]:
    """A `when:` as written, in the trace's words, as pieces: words, and what `literal` makes of each value compared
    with (given its path under `path`); joined with `shown` literals, it is `condition_words`."""
    if not isinstance(raw, Mapping) or not raw:
        return ["always"]
    if "all" in raw or "any" in raw:
        key = "all" if "all" in raw else "any"
        pieces: list[str | Piece] = []
        for i, part in enumerate(raw[key]):
            inner = condition_pieces(part, literal, f"{path}.{key}[{i}]")
            if len(raw[key]) > 1 and isinstance(part, Mapping) and ("all" in part or "any" in part):
                inner = ["(", *inner, ")"]
            pieces += ([" and " if key == "all" else " or "] if i else []) + inner
        return pieces
    if "not" in raw:
        return ["not (", *condition_pieces(raw["not"], literal, f"{path}.not"), ")"]
    if "fact" in raw:
        pieces = [f"{raw['fact']} "]
        for n, (op, value) in enumerate((op, v) for op, v in raw.items() if op != "fact"):
            pieces += [" and "] if n else []
            pieces += [comparison_words(op, value)] if op == "exists" else \
                [f"{SYMBOLS[op]} ", *literal(value, join_key(path, op))]
        return pieces
    (fact, value), = raw.items()
    return [f"{fact} {SYMBOLS['eq']} ", *literal(value, join_key(path, fact))]


def condition_words(raw: object) -> str:
    """A `when:` as written, in the trace's words: `days_past_due >= 90 and (sewer == true or ...)`."""
    return "".join(condition_pieces(raw, lambda value, _path: [shown(value)]))


def value_family(value: object) -> str:
    """Which family a value compares in: boolean, number, date or text."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, Decimal)):
        return "number"
    if isinstance(value, date):
        return "date"
    return "text"


def _equal(value: object, literal: object) -> bool:
    """Equality within one family (true is never 1; text '1' is never the number 1)."""
    if type(value) is type(literal):
        return value == literal
    return value_family(value) == value_family(literal) and value == literal


def compare(fact: str, op: str, value: object, literal: object) -> bool:
    """One comparison of a present fact value against a literal (a condition's leaf, a measure's filter)."""
    if op == "eq":
        return _equal(value, literal)
    if op == "ne":
        return not _equal(value, literal)
    if op == "in":
        return any(_equal(value, item) for item in literal)
    if op == "not_in":
        return not any(_equal(value, item) for item in literal)
    if op == "exists":
        return literal is True
    if op == "contains":
        if not isinstance(value, (tuple, list, frozenset)):
            raise EvaluationError(f"{fact}: {shown(value)} is not a list, so it cannot contain {shown(literal)}")
        return any(_equal(item, literal) for item in value)
    kind = value_family(value)
    if kind not in ("number", "date") or value_family(literal) != kind:
        raise EvaluationError(f"{fact}: cannot compare {shown(value)} {SYMBOLS[op]} {shown(literal)}")
    if op == "gt":
        return value > literal
    if op == "gte":
        return value >= literal
    if op == "lt":
        return value < literal
    return value <= literal


def _literal(spec: InputSpec | None, value: YamlValue) -> object:
    """A literal from YAML in the family of the input it is compared with."""
    if spec is None or isinstance(value, bool):
        return value
    if isinstance(value, (list, tuple)):
        return tuple(_literal(spec, v) for v in value)
    if spec.type in ("text", "list") and not isinstance(value, str):
        return as_text(value)
    if spec.type == "date" and isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    if spec.type in ("number", "money", "integer") and isinstance(value, int):
        return Decimal(value)
    return value


@dataclass(frozen=True)
class Leaf:
    """One fact and the comparisons that must all hold on it."""

    fact: str
    comparisons: tuple[tuple[str, object], ...]  # (op, literal in the fact's family)

    def holds(self, facts: Facts) -> bool:
        """Whether every comparison holds (absent: only `exists: false` does)."""
        if self.fact not in facts:
            return all(op == "exists" and value is False for op, value in self.comparisons)
        value = facts[self.fact]
        for op, literal in self.comparisons:
            if not compare(self.fact, op, value, literal):
                return False
        return True

    def explain(self, facts: Facts, depth: int, trace: list[str]) -> bool:
        """Add this leaf's line to the trace and say whether it holds."""
        held = self.holds(facts)
        if self.fact not in facts:
            line = f"{self.fact} is absent"
        else:
            tests = " and ".join(comparison_words(op, literal) for op, literal in self.comparisons)
            line = f"{self.fact} = {shown(facts[self.fact])} {tests}"
        trace.append("  " * depth + f"{line}: {'yes' if held else 'no'}")
        return held

    def facts_read(self) -> set[str]:
        """The one fact this leaf reads."""
        return {self.fact}


@dataclass(frozen=True)
class AllOf:
    """Holds when every part holds."""

    parts: tuple[Node, ...]

    def holds(self, facts: Facts) -> bool:
        """Every part holds (stops at the first that does not)."""
        for part in self.parts:
            if not part.holds(facts):
                return False
        return True

    def explain(self, facts: Facts, depth: int, trace: list[str]) -> bool:
        """A header line, then every part (all of them, for the trace)."""
        at = len(trace)
        results = [part.explain(facts, depth + 1, trace) for part in self.parts]
        held = all(results)
        trace.insert(at, "  " * depth + f"all of: {'yes' if held else 'no'}")
        return held

    def facts_read(self) -> set[str]:
        """Every fact the parts read."""
        return set().union(*(p.facts_read() for p in self.parts))


@dataclass(frozen=True)
class AnyOf:
    """Holds when at least one part holds."""

    parts: tuple[Node, ...]

    def holds(self, facts: Facts) -> bool:
        """Some part holds (stops at the first that does)."""
        for part in self.parts:
            if part.holds(facts):
                return True
        return False

    def explain(self, facts: Facts, depth: int, trace: list[str]) -> bool:
        """A header line, then every part."""
        at = len(trace)
        results = [part.explain(facts, depth + 1, trace) for part in self.parts]
        held = any(results)
        trace.insert(at, "  " * depth + f"any of: {'yes' if held else 'no'}")
        return held

    def facts_read(self) -> set[str]:
        """Every fact the parts read."""
        return set().union(*(p.facts_read() for p in self.parts))


@dataclass(frozen=True)
class NotOf:
    """Holds when its part does not."""

    part: Node

    def holds(self, facts: Facts) -> bool:
        """The part does not hold."""
        return not self.part.holds(facts)

    def explain(self, facts: Facts, depth: int, trace: list[str]) -> bool:
        """A header line, then the part."""
        at = len(trace)
        held = not self.part.explain(facts, depth + 1, trace)
        trace.insert(at, "  " * depth + f"not: {'yes' if held else 'no'}")
        return held

    def facts_read(self) -> set[str]:
        """The facts the part reads."""
        return self.part.facts_read()


Node: TypeAlias = Union[Leaf, AllOf, AnyOf, NotOf]  # a compiled condition's tree


@dataclass(frozen=True)
class ConditionResult:
    """Whether a condition held, and the trace of how."""

    holds: bool
    trace: list[str]


def _node(raw: YamlValue, inputs: Mapping[str, InputSpec] | None, path: str) -> Node:
    """The compiled node for one mapping of a `when:`."""
    if not isinstance(raw, Mapping) or not raw:
        raise EvaluationError(f"{path}: a condition is a mapping, not {shown(raw)}")
    if len(raw) == 1:
        (key, value), = raw.items()
        if key in ("all", "any"):
            if not isinstance(value, (list, tuple)) or not value:
                raise EvaluationError(f"{path}.{key}: a list of conditions is needed")
            parts = tuple(_node(v, inputs, f"{path}.{key}[{i}]") for i, v in enumerate(value))
            return AllOf(parts) if key == "all" else AnyOf(parts)
        if key == "not":
            return NotOf(_node(value, inputs, f"{path}.not"))
        if key != "fact":
            return _leaf(key, [("eq", value)], inputs, path)
    if "fact" not in raw:
        raise EvaluationError(f"{path}: a condition needs `fact`, `all`, `any` or `not`")
    comparisons = [(op, value) for op, value in raw.items() if op != "fact"]
    for op, _ in comparisons:
        if op not in OPERATORS:
            raise EvaluationError(f"{path}: unknown comparison {op!r}")
    if not comparisons:
        raise EvaluationError(f"{path}: {raw['fact']} is compared with nothing")
    return _leaf(str(raw["fact"]), comparisons, inputs, path)


def _leaf(fact: str, comparisons: list[tuple[str, YamlValue]], inputs: Mapping[str, InputSpec] | None, path: str) -> Leaf:
    """A leaf, its literals put in the family of the fact's declared type."""
    if inputs is not None and fact not in inputs:
        raise EvaluationError(f"{path}: {fact} is not a declared input")
    spec = inputs.get(fact) if inputs is not None else None
    typed = []
    for op, value in comparisons:
        if op in ("in", "not_in") and not isinstance(value, (list, tuple)):
            raise EvaluationError(f"{path}.{op}: a list of values is needed")
        if op == "exists" and not isinstance(value, bool):
            raise EvaluationError(f"{path}.exists: true or false")
        if spec is not None and op != "exists" and (op == "contains") != (spec.type == "list"):
            raise EvaluationError(f"{path}.{op}: {fact} is a list: compare it with contains (or exists)"
                                  if spec.type == "list" else f"{path}.{op}: contains applies to a list; {fact} is "
                                  f"{spec.type}")
        typed.append((op, value if op == "exists" else _literal(spec, value)))
    return Leaf(fact, tuple(typed))


class Condition:
    """A compiled `when:` condition."""

    __slots__ = ("root", "raw")

    def __init__(self, root: Node, raw: YamlValue = None) -> None:
        """Wrap a compiled tree (use `Condition.compile`)."""
        self.root = root
        self.raw = raw

    @classmethod
    def compile(cls, raw: YamlValue, inputs: Mapping[str, InputSpec] | None = None, path: str = "when") -> Condition:
        """Compile a `when:` mapping; with `inputs`, literals take the type of their fact."""
        return cls(_node(raw, inputs, path), raw)

    def holds(self, facts: Facts) -> bool:
        """Whether the condition holds on these (checked) facts."""
        return self.root.holds(facts)

    def evaluate(self, facts: Facts) -> ConditionResult:
        """Whether it holds, with a trace line for every leaf and combinator."""
        trace: list[str] = []
        if isinstance(self.root, AllOf):
            results = [part.explain(facts, 0, trace) for part in self.root.parts]
            return ConditionResult(all(results), trace)
        return ConditionResult(self.root.explain(facts, 0, trace), trace)

    def facts_read(self) -> set[str]:
        """The names of every fact the condition reads."""
        return self.root.facts_read()

    def __repr__(self) -> str:
        """The tree, for debugging."""
        return f"Condition({self.root!r})"


def facts_named(raw: object) -> set[str]:
    """Every fact a `when:` as written names (nothing for no condition), without compiling it."""
    if not isinstance(raw, Mapping):
        return set()
    named: set[str] = set()
    for key, value in raw.items():
        if key in ("all", "any"):
            for part in value:
                named |= facts_named(part)
        elif key == "not":
            named |= facts_named(value)
        elif key == "fact":
            named.add(value)
        elif "fact" not in raw:
            named.add(key)
    return named
