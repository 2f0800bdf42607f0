"""Our conditions as alternatives of plain tests on exactly encoded facts, for durable_rules.

durable_rules has no `not`, and refuses an expression of more than 32 tests. So a
condition is rewritten here, without durable_rules, into a disjunctive normal form: a list
of alternatives, each a list of atoms, where an atom is one test on one JSON field:

    ("ex", field)                 the field is present
    ("nex", field)                the field is absent
    (op, field, value)            present and compares (op: eq ne gt gte lt lte)

durable_rules.py turns each alternative into one durable_rules rule; a rule of the document
matched when any of its alternatives did.

Facts are encoded exactly, never as binary floats (`FactEncoding`): a date as its ordinal;
text and booleans as they are; a number or money x as one integer
y = 2 * floor(x * 10^S) + (1 if x * 10^S is not whole), where S is the largest number of
decimals among the literals x is compared with (2 at least for money). A literal L becomes
2 * L * 10^S, and every comparison of y with it says exactly what x compared with L says
(for a whole x * 10^S, y = 2 x 10^S; otherwise y lies strictly between the two even
numbers around it). So 250.00 >= 250 is exactly true and 249.995 >= 250 exactly false.
A list fact is its field set to true when present (for `exists`), and one true/false field
per text it is said to `contain`: `contains L` is that field equal to true.

`not` is pushed down to the leaves (De Morgan): not(all) = any(not ..), not(any) =
all(not ..); a negated comparison is "absent, or the flipped comparison" (gt <-> lte,
gte <-> lt, eq <-> ne, in <-> not_in); not exists:true = exists:false. A comparison on an
absent field is false in durable_rules, as in ours, so positive comparisons need no
presence test.
"""
from __future__ import annotations

from datetime import date
from decimal import ROUND_FLOOR, Decimal
from collections.abc import Iterable, Mapping

from engine.rules.conditions import AllOf, Condition, Leaf, Node, NotOf, value_family
from engine.rules.document import InputSpec
from engine.rules.errors import EvaluationError
from engine.rules.types import Facts

FLIP = {"eq": "ne", "ne": "eq", "gt": "lte", "gte": "lt", "lt": "gte", "lte": "gt", "in": "not_in", "not_in": "in",
        "contains": "not_contains"}
NUMERIC = ("number", "integer", "money")
ORDERING = ("gt", "gte", "lt", "lte")
MOST_ALTERNATIVES = 256
MOST_TESTS = 31  # durable_rules takes 32 tests in one expression; one is the fact marker

Atom = tuple
Alternatives = list  # of lists of atoms; [] never holds, [[]] always holds


def _places(value: Decimal) -> int:
    """How many decimals a Decimal is written with."""
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def literals(node: Node, found: dict[str, list[object]]) -> None:
    """Collect, per fact, every literal the condition compares it with (and every fact it tests)."""
    if isinstance(node, Leaf):
        values = found.setdefault(node.fact, [])
        for op, value in node.comparisons:
            if op != "exists":
                values.extend(value if op in ("in", "not_in") else [value])
    elif isinstance(node, NotOf):
        literals(node.part, found)
    else:
        for part in node.parts:
            literals(part, found)


def family(kind: str) -> str:
    """The family an input type compares in."""
    return "number" if kind in NUMERIC else kind if kind in ("date", "boolean", "list") else "text"


class FactEncoding:
    """How the facts of one criteria version are put into JSON fields, exactly."""

    def __init__(self, inputs: Mapping[str, InputSpec], conditions: Iterable[Condition | None]) -> None:
        """Choose each numeric fact's decimal scale from the literals it is compared with."""
        found: dict[str, list] = {}
        for condition in conditions:
            if condition is not None:
                literals(condition.root, found)
        self.kinds: dict[str, str] = {}
        self.scales: dict[str, Decimal] = {}
        self.members: dict[str, dict[str, str]] = {}  # a list fact's texts compared with `contains`, by field
        for fact, values in found.items():
            spec = inputs.get(fact)
            kind = spec.type if spec is not None else next(
                (value_family(v) for v in values if value_family(v) != "text"), "text")
            self.kinds[fact] = kind
            if kind == "list":
                texts = sorted({v for v in values if isinstance(v, str)})
                self.members[fact] = {text: f"f_{fact}__{i}" for i, text in enumerate(texts)}
            if family(kind) == "number":
                places = [_places(v) for v in values if isinstance(v, Decimal)]
                self.scales[fact] = Decimal(10) ** max(places + [2 if kind == "money" else 0])

    @staticmethod
    def field(fact: str) -> str:
        """The JSON field of a fact."""
        return f"f_{fact}"

    def encode(self, facts: Facts, index: int, sid: str) -> dict[str, int | str | bool]:
        """One fact set as a durable_rules fact: absent facts are left out."""
        out: dict[str, int | str | bool] = {"sid": sid, "i": index}
        for fact in self.kinds:
            value = facts.get(fact)
            if value is None:
                continue
            if fact in self.members:
                out[f"f_{fact}"] = True
                out.update((field, text in value) for text, field in self.members[fact].items())
                continue
            if fact in self.scales and not isinstance(value, bool) and isinstance(value, (int, Decimal)):
                scaled = Decimal(value) * self.scales[fact]
                floor = scaled.to_integral_value(ROUND_FLOOR)
                out[f"f_{fact}"] = 2 * int(floor) + (0 if floor == scaled else 1)
            elif isinstance(value, date):
                out[f"f_{fact}"] = value.toordinal()
            elif isinstance(value, (bool, str)):
                out[f"f_{fact}"] = value
            else:
                raise EvaluationError(f"{fact}: {value!r} cannot be handed to durable_rules")
        return out

    def literal(self, fact: str, value: object) -> object:
        """A literal in its fact's encoding."""
        if fact in self.scales:
            scaled = Decimal(value) * self.scales[fact]
            return 2 * int(scaled)
        return value.toordinal() if isinstance(value, date) else value


class TooComplex(EvaluationError):
    """A condition that durable_rules cannot take: more alternatives, or longer ones, than it allows."""


def _most(alternatives: Alternatives) -> Alternatives:
    """The alternatives, or TooComplex as soon as there are too many or one is too long (before any grows further)."""
    if len(alternatives) > MOST_ALTERNATIVES or any(len(alt) > MOST_TESTS for alt in alternatives):
        raise TooComplex(f"at most {MOST_ALTERNATIVES} alternatives of {MOST_TESTS} tests")
    return alternatives


def _and(left: Alternatives, right: Alternatives) -> Alternatives:
    """Both: every alternative of one with every alternative of the other (never more than durable_rules takes)."""
    if len(left) * len(right) > MOST_ALTERNATIVES:
        raise TooComplex(f"at most {MOST_ALTERNATIVES} alternatives of {MOST_TESTS} tests")
    combined = [_simplified(a + b) for a in left for b in right]
    return _most([alt for alt in combined if alt is not None])


def _simplified(alternative: list) -> list | None:
    """An alternative without repeated or implied tests; None when it can never hold."""
    seen: list = []
    for atom in alternative:
        if atom not in seen:
            seen.append(atom)
    absent = {a[1] for a in seen if a[0] == "nex"}
    tested = {a[1] for a in seen if a[0] != "nex"}
    if absent & tested:
        return None
    compared = {a[1] for a in seen if a[0] not in ("ex", "nex")}
    return [a for a in seen if not (a[0] == "ex" and a[1] in compared)]


class Translator:
    """A condition tree as alternatives of atoms, on one fact encoding."""

    def __init__(self, encoding: FactEncoding) -> None:
        """Translate against this encoding."""
        self.encoding = encoding

    def alternatives(self, condition: Condition | None, name: str) -> Alternatives:
        """The alternatives of a rule's condition (always, for none); too many is an error naming the rule."""
        try:
            return [[]] if condition is None else self.node(condition.root, False)
        except TooComplex as refused:
            raise TooComplex(f"{name}: the condition is too complex for durable_rules ({refused})") from None

    def node(self, node: Node, negated: bool) -> Alternatives:
        """The alternatives of a node, or of its negation."""
        if isinstance(node, NotOf):
            return self.node(node.part, not negated)
        if isinstance(node, Leaf):
            return self.leaf(node, negated)
        parts = [self.node(part, negated) for part in node.parts]
        if isinstance(node, AllOf) != negated:
            result: Alternatives = [[]]
            for part in parts:
                result = _and(result, part)
            return result
        return _most([alt for part in parts for alt in part])

    def leaf(self, leaf: Leaf, negated: bool) -> Alternatives:
        """All comparisons hold; negated: some comparison fails."""
        fact, field = leaf.fact, FactEncoding.field(leaf.fact)
        if not negated:
            result: Alternatives = [[]]
            for op, value in leaf.comparisons:
                result = _and(result, self.test(fact, op, value))
            return result
        found: Alternatives = []
        for op, value in leaf.comparisons:
            if op == "exists":
                found.extend(self.test(fact, "exists", not value))
            else:
                found.append([("nex", field)])
                found.extend(self.test(fact, FLIP[op], value))
        return _most(found)

    def test(self, fact: str, op: str, value: object) -> Alternatives:
        """One comparison on a fact (or a presence test), as alternatives."""
        field = FactEncoding.field(fact)
        if op == "exists":
            return [[("ex", field)]] if value else [[("nex", field)]]
        if op in ("contains", "not_contains"):
            if fact not in self.encoding.members or not isinstance(value, str):
                raise EvaluationError(f"{fact}: contains applies to a list, compared with text")
            return [[("eq", self.encoding.members[fact][value], op == "contains")]]
        if op == "in":
            return _most([alt for item in value for alt in self.test(fact, "eq", item)])
        if op == "not_in":
            result: Alternatives = [[("ex", field)]]
            for item in value:
                result = _and(result, self.test(fact, "ne", item))
            return result
        kind = self.encoding.kinds.get(fact, "text")
        if op in ORDERING and (family(kind) not in ("number", "date") or value_family(value) != family(kind)):
            raise EvaluationError(f"{fact}: {op} applies to numbers, money and dates only")
        if value_family(value) != family(kind):
            return [] if op == "eq" else [[("ex", field)]]  # true is never 1, text '1' never the number 1
        return [[(op, field, self.encoding.literal(fact, value))]]


def complexity_problem(condition: Condition, inputs: Mapping[str, InputSpec]) -> str | None:
    """Why durable_rules could not take this condition (too many or too long alternatives), or None."""
    try:
        Translator(FactEncoding(inputs, [condition])).node(condition.root, False)
    except TooComplex as refused:
        return f"the condition is too complex for durable_rules ({refused}); split the rule"
    return None
