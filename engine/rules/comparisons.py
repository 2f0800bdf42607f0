"""Conditions decided a column at a time: the fast path of criteria and of schedule lines' `when:`.

A set of conditions (the rules of one criteria version, or the `when:` of a schedule's lines)
is compiled once into a `ComparisonTable`:

- its *comparisons*: every distinct test the conditions make on a fact. A text or boolean
  fact is one comparison, its value itself (or `elsewhere` when it equals none of the
  literals); a number, money, integer or date fact is one comparison per literal and test
  (`< L`, `<= L`, `== L`; `> L` is "present and not <= L", and so on), and one more saying
  whether it is present when it may be absent. A list fact is one comparison per text it is
  said to `contain`, and one more saying whether it is present when it may be absent.
- a *key* per fact set: the results of all its comparisons, computed for every fact set, one
  column (one comparison over all fact sets) at a time.
- which conditions hold for a key: a function of the key alone, compiled from the condition
  trees (`all`, `any`, `not`, every operator), worked out once per distinct key and kept.

Two fact sets with the same key give every comparison the same answer, so every condition
(and every test durable_rules makes on them, see `engine.rules.dnf`) comes out the same for
both. That is what lets durable_rules decide once per key (`engine.rules.criteria`).
Absent facts fail every comparison; only `exists: false` holds for them, as in
`engine.rules.conditions`, whose explaining evaluation gives the same answers (a Hypothesis
property in tests/rules/test_compiled.py compares the two).
"""
from __future__ import annotations

import sys
from array import array
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import repeat
from operator import eq, le, lt
from typing import TypeAlias

from engine.rules.conditions import AllOf, AnyOf, Condition, Leaf, Node, NotOf, value_family
from engine.rules.document import InputSpec

ELSEWHERE = ("elsewhere",)  # a text or boolean value equal to none of the literals
Key: TypeAlias = tuple  # one fact set's comparison results, in the table's order
Test = Callable[[Key], bool]
ORDERED = {"lt": lt, "lte": le, "eq": eq}
FAMILIES = {"number": "number", "integer": "number", "money": "number", "date": "date", "boolean": "boolean",
            "text": "text", "list": "list"}


@dataclass(frozen=True)
class Comparison:
    """One column of the key: a fact's value among its literals (`value`), or one test (`lt`, `lte`, `eq`, `present`)."""

    fact: str
    test: str  # value (text), itself (boolean), present, lt, lte, eq, contains (list)
    literal: object = None


class NotCompiled(Exception):
    """A condition the table does not take (a comparison across kinds); its evaluation stays the explaining one."""


def _always(key: Key) -> bool:
    """A test that always holds."""
    return True


def _never(key: Key) -> bool:
    """A test that never holds."""
    return False


def _valued(value: object) -> bool:
    """Whether a literal is one a fact can equal (a YAML null never is)."""
    return value is not None


class ComparisonTable:
    """Conditions compiled over one document's inputs: comparisons, keys, and the conditions that hold per key."""

    def __init__(self, conditions: Sequence[Condition | None], inputs: Mapping[str, InputSpec]) -> None:
        """Collect the comparisons every condition makes, and compile each condition into a test on a key."""
        self.inputs = inputs
        self.comparisons: list[Comparison] = []
        self._at: dict[Comparison, int] = {}
        self.values: dict[str, set] = {}  # text and boolean facts: the literals their value is kept for
        for condition in conditions:
            if condition is not None:
                self._collect(condition.root)
        for fact in sorted(self.values):
            self._value_column(fact)
        self.tests = [_always if c is None else self._test(c.root) for c in conditions]
        self.known: dict[Hashable, tuple[int, ...]] = {}
        self._layout()

    # --- compiling ----------------------------------------------------------------------------

    def _family(self, fact: str) -> str:
        """The family a fact's values compare in (by its declared type)."""
        return FAMILIES[self.inputs[fact].type]

    def _may_be_absent(self, fact: str) -> bool:
        """Whether a checked fact set can lack this fact (optional, with no default)."""
        spec = self.inputs[fact]
        return not spec.required and not (spec.has_default and spec.default is not None)

    def _column(self, comparison: Comparison) -> int:
        """The position of a comparison in the key, added when new."""
        if comparison not in self._at:
            self._at[comparison] = len(self.comparisons)
            self.comparisons.append(comparison)
        return self._at[comparison]

    def _collect(self, node: Node) -> None:
        """Note the literals text and boolean facts are compared with (their value column comes last)."""
        if isinstance(node, Leaf):
            if self._family(node.fact) in ("text", "boolean"):
                found = self.values.setdefault(node.fact, set())
                for op, literal in node.comparisons:
                    if op in ("in", "not_in"):
                        found.update(v for v in literal if self._matches(node.fact, v))
                    elif op != "exists" and self._matches(node.fact, literal):
                        found.add(literal)
        elif isinstance(node, NotOf):
            self._collect(node.part)
        else:
            for part in node.parts:
                self._collect(part)

    def _matches(self, fact: str, literal: object) -> bool:
        """Whether a literal is of the fact's family (text '1' never equals the number 1, nor true 1)."""
        return _valued(literal) and value_family(literal) == self._family(fact)

    def _test(self, node: Node) -> Test:
        """A condition tree as a test on a key."""
        if isinstance(node, Leaf):
            tests = [self._comparison(node.fact, op, literal) for op, literal in node.comparisons]
            return tests[0] if len(tests) == 1 else (lambda key: all(test(key) for test in tests))
        if isinstance(node, NotOf):
            part = self._test(node.part)
            return lambda key: not part(key)
        parts = [self._test(p) for p in node.parts]
        if isinstance(node, AllOf):
            return lambda key: all(part(key) for part in parts)
        return lambda key: any(part(key) for part in parts)

    def _value_column(self, fact: str) -> int:
        """The position of a text or boolean fact's value column."""
        if self._family(fact) == "boolean":
            return self._column(Comparison(fact, "itself"))
        return self._column(Comparison(fact, "value", frozenset(self.values.get(fact, ()))))

    def _present(self, fact: str) -> Test:
        """Whether the fact is present."""
        if not self._may_be_absent(fact):
            return _always
        if self._family(fact) in ("text", "boolean"):
            at = self._value_column(fact)
            return lambda key: key[at] is not None
        at = self._column(Comparison(fact, "present"))
        return lambda key: key[at]

    def _comparison(self, fact: str, op: str, literal: object) -> Test:
        """One comparison of a leaf as a test on a key (an absent fact fails all but `exists: false`)."""
        present = self._present(fact)
        if op == "exists":
            return present if literal else (lambda key: not present(key))
        if (op == "contains") != (self._family(fact) == "list"):  # the document's checks refuse it: leave it to them
            raise NotCompiled(f"{fact}: {op} on a {self.inputs[fact].type} fact")
        if op == "contains":
            at = self._column(Comparison(fact, "contains", literal))
            return lambda key: key[at]
        if op in ("ne", "not_in"):
            equal = self._comparison(fact, "eq" if op == "ne" else "in", literal)
            return lambda key: present(key) and not equal(key)
        if op == "in":
            tests = [self._comparison(fact, "eq", item) for item in literal if self._matches(fact, item)]
            return lambda key: any(test(key) for test in tests)
        if op == "eq" and not self._matches(fact, literal):
            return _never
        if self._family(fact) in ("text", "boolean"):
            at = self._value_column(fact)
            if isinstance(literal, bool):
                return lambda key: key[at] is literal
            return lambda key: key[at] == literal
        if not self._matches(fact, literal):  # today's evaluation refuses it when it is reached: leave it to that
            raise NotCompiled(f"{fact}: {op} {literal!r} compares across kinds")
        if op in ("gt", "gte"):  # present and not the opposite: fewer columns
            opposite = self._comparison(fact, "lte" if op == "gt" else "lt", literal)
            return lambda key: present(key) and not opposite(key)
        if self.inputs[fact].type == "integer" and isinstance(literal, Decimal) and literal == int(literal):
            literal = int(literal)  # an integer fact compares with an int far faster than with a Decimal
        at = self._column(Comparison(fact, op, literal))
        return lambda key: key[at]

    # --- evaluating ---------------------------------------------------------------------------

    def _layout(self) -> None:
        """How each comparison's answer is written into a key: as a small code in a few bits of one integer."""
        self.codes: list[tuple[Comparison, dict | None, list, int]] = []  # comparison, code of each answer, answers
        offset = 0
        for comparison in self.comparisons:
            absent = self._may_be_absent(comparison.fact)
            if comparison.test == "value":
                answers = sorted(comparison.literal) + [ELSEWHERE] + ([None] if absent else [])
            elif comparison.test == "itself" and absent:
                answers = [False, True, None]
            else:
                answers = [False, True]
            code = None if answers == [False, True] else {a: i for i, a in enumerate(answers) if a is not ELSEWHERE}
            self.codes.append((comparison, code, answers, offset))
            offset += (len(answers) - 1).bit_length()
        self.lane = next((size for size in LANES if offset <= 8 * size), None)  # None: keys stay tuples

    def keys(self, columns: Mapping[str, list], size: int) -> list[Hashable]:
        """Each fact set's key, from its checked columns (see `FactChecker.columns`), a column at a time.

        The answers of one comparison over all fact sets become one big integer with one lane
        (1, 2, 4 or 8 bytes) per fact set; shifted into place and or-ed together, the lanes
        are the keys. More answers than 64 bits hold: a tuple per fact set instead.
        """
        answers = [self._answers(c, code, answers, columns[c.fact]) for c, code, answers, _ in self.codes]
        if self.lane is None:
            return list(zip(*answers)) if answers else [()] * size
        packed = 0
        for (_, _, _, offset), column in zip(self.codes, answers):
            packed |= int.from_bytes(_lanes(column, self.lane), sys.byteorder) << offset
        data = packed.to_bytes(size * self.lane, sys.byteorder)
        return list(data) if self.lane == 1 else array(LANE_TYPES[self.lane], data).tolist()

    def _answers(self, comparison: Comparison, code: dict | None, answers: list, column: list) -> list:
        """One comparison over a column of checked values, as codes (or as the answers, for tuple keys)."""
        found = _results(comparison, column, self._may_be_absent(comparison.fact))
        if code is None or self.lane is None:
            return found
        return list(map(code.get, found, repeat(answers.index(ELSEWHERE) if ELSEWHERE in answers else 0)))

    def answers_of(self, key: Hashable) -> Key:
        """A key's answers, one per comparison (what the compiled conditions read)."""
        if self.lane is None:
            return key
        found = []
        for comparison, code, answers, offset in self.codes:
            width = (len(answers) - 1).bit_length()
            found.append(answers[(key >> offset) & ((1 << width) - 1)])
        return tuple(found)

    def key_of(self, facts: Mapping[str, object]) -> Hashable:
        """One checked fact set's key."""
        return self.keys({c.fact: [facts.get(c.fact)] for c in self.comparisons}, 1)[0]

    def holding_all(self, keys: Sequence[Hashable]) -> list[tuple[int, ...]]:
        """`holding` for many keys (most of them seen before)."""
        try:
            return list(map(self.known.__getitem__, keys))
        except KeyError:
            for key in set(keys):
                self.holding(key)
            return list(map(self.known.__getitem__, keys))

    def holding(self, key: Hashable) -> tuple[int, ...]:
        """The numbers of the conditions that hold for a key, ascending (worked out once per key)."""
        found = self.known.get(key)
        if found is None:
            answers = self.answers_of(key)
            found = tuple(i for i, test in enumerate(self.tests) if test(answers))
            if len(self.known) >= KNOWN_LIMIT:
                self.known = {}  # a new dictionary: one being read by `holding_all` stays whole
            self.known[key] = found
        return found


KNOWN_LIMIT = 100_000  # keys kept per table; at most 2 ** 64 could exist, far fewer do
LANES = (1, 2, 4, 8)
LANE_TYPES = {size: next(t for t in "BHILQ" if array(t).itemsize == size) for size in LANES[1:]}


def _lanes(column: list, lane: int) -> bytes:
    """A column of small non-negative integers (or booleans) as lanes of `lane` bytes, in this machine's order."""
    return bytes(column) if lane == 1 else array(LANE_TYPES[lane], column).tobytes()


def _results(comparison: Comparison, column: list, may_be_absent: bool) -> list[Hashable]:
    """One comparison over a column of checked values (None: absent, for a fact that may be)."""
    test, literal = comparison.test, comparison.literal
    if test == "itself":
        return column
    if test == "value":
        return [value if value is None or value in literal else ELSEWHERE for value in column]
    if test == "present":
        return [value is not None for value in column]
    if test == "contains":
        return [value is not None and literal in value for value in column]
    compare = ORDERED[test]
    if may_be_absent:
        return [value is not None and compare(value, literal) for value in column]
    return list(map(compare, column, repeat(literal)))
