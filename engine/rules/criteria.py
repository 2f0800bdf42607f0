"""kind: criteria — decisions (lien eligibility, shut-off eligibility, approval limits).

Which rules match is decided by durable_rules (`engine.rules.durable`); the trace (every
leaf with the fact's value) comes from `engine.rules.conditions`. For sweeps,
`evaluate_batch` asks durable_rules once per *fact region*: two fact sets fall in the same
region when every fact stands in the same place relative to every literal the version
compares it with (same side of each threshold, equal to the same literal, or both absent).
Every comparison then comes out the same for both, so durable_rules' decision on the
first fact set of a region is exactly its decision for all of them; that decision is kept
in the version's region cache (on the compiled document, at most 100,000 regions).
"""
from __future__ import annotations

import threading
from bisect import bisect_left
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TypeAlias

from engine.rules import dnf
from engine.rules.conditions import Condition
from engine.rules.document import Documents, RuleDocument, Version
from engine.rules.durable import DurableCriteria, criteria_ruleset
from engine.rules.errors import EvaluationError
from engine.rules.facts import fact_checker
from engine.rules.results import json_value, per_document
from engine.rules.types import Facts, YamlValue
from engine.rules.versions import version_in_force

REGION_CACHE_LIMIT = 100_000
_ELSEWHERE = ("elsewhere",)  # a text or boolean value equal to none of the literals
Then: TypeAlias = dict[str, YamlValue]  # what one rule gives
Outcome: TypeAlias = "Then | list[Then]"  # the rule that decided, or every match under hit: all


@dataclass(frozen=True)
class CriteriaRule:
    """One rule of a version: its name, its condition (None: always) and its `then`."""

    name: str
    when: Condition | None
    then: Then


def _region_of(literals: list[YamlValue]) -> Callable[[object], Hashable]:
    """A function placing one fact's value among its literals (see the module docstring).

    A region may be finer than needed (true and false are always apart), never coarser.
    """
    ordered = sorted({v for v in literals if isinstance(v, (int, Decimal, date)) and not isinstance(v, bool)})
    kinds = {type(v) is date for v in ordered}
    texts = {v for v in literals if isinstance(v, str)}

    def _same(value: object) -> Hashable:
        """Booleans and absence as themselves; text as the literal it equals, or elsewhere."""
        if value is None or value is True or value is False:
            return value
        return value if value in texts else _ELSEWHERE

    if ordered and len(kinds) == 1:
        measured = (date,) if kinds.pop() else (Decimal, int)
        top = len(ordered)

        def place(value: object) -> Hashable:
            """Which gap between thresholds, or which threshold, the value is at."""
            if type(value) in measured:
                at = bisect_left(ordered, value)
                return 2 * at + 1 if at < top and ordered[at] == value else 2 * at
            return _same(value)

        return place
    return _same


class CriteriaVersion:
    """One criteria version, compiled: its rules, hit policy, durable_rules ruleset and region cache."""

    def __init__(self, doc: RuleDocument, version: Version) -> None:
        """Compile every rule's condition and register the version's ruleset."""
        self.version = version
        self.hit = version.body.get("hit", "first")
        self.rules = []
        for i, raw in enumerate(version.body.get("rules", [])):
            when = raw.get("when")
            path = f"versions[{version.index}].rules[{i}].when"
            condition = None if when is None else Condition.compile(when, doc.inputs, path)
            self.rules.append(CriteriaRule(raw["name"], condition, raw.get("then", {})))
        self.durable: DurableCriteria = criteria_ruleset(doc.id, version.effective, doc.inputs,
                                                         [rule.when for rule in self.rules])
        literals: dict[str, list] = {}
        for rule in self.rules:
            if rule.when is not None:
                dnf.literals(rule.when.root, literals)
        self.region_facts = [(fact, _region_of(values)) for fact, values in sorted(literals.items())]
        self.regions: dict[tuple, tuple[int, ...]] = {}
        self.lock = threading.Lock()

    def region(self, facts: Facts) -> tuple[Hashable, ...]:
        """The region of a fact set: where each fact stands among its literals."""
        get = facts.get
        return tuple([place(get(fact)) for fact, place in self.region_facts])

    def decide_many(self, checked: Sequence[Facts]) -> list[tuple[int, ...]]:
        """Which rules hold for each fact set: durable_rules once per new region, then the cache."""
        regions = [self.region(facts) for facts in checked]
        with self.lock:
            known = self.regions
            new: dict[tuple[Hashable, ...], Facts] = {}
            for region, facts in zip(regions, checked):
                if region not in known and region not in new:
                    new[region] = facts
            if not new:
                return [known[region] for region in regions]
            fresh = dict(zip(new, self.durable.decide_many(list(new.values()))))
            decided = [fresh[region] if region in fresh else known[region] for region in regions]
            if len(known) + len(fresh) > REGION_CACHE_LIMIT:
                known.clear()
            known.update(fresh)
            return decided


class CompiledCriteria:
    """A criteria document with each version compiled on first use (one per document instance)."""

    def __init__(self, doc: RuleDocument) -> None:
        """Keep the document; versions are compiled as first needed."""
        self.doc = doc
        self.versions: dict[date, CriteriaVersion] = {}

    def version(self, version: Version) -> CriteriaVersion:
        """The compiled form of one version."""
        found = self.versions.get(version.effective)
        if found is None:
            found = self.versions.setdefault(version.effective, CriteriaVersion(self.doc, version))
        return found


def compiled_criteria(doc: RuleDocument) -> CompiledCriteria:
    """The CompiledCriteria kept on this document instance."""
    return per_document(doc, "criteria", lambda: CompiledCriteria(doc))


@dataclass(slots=True)
class CriteriaResult:
    """A decision: the outcome by the hit policy, every rule that matched, and (on demand) the trace."""

    outcome: Outcome
    matched: list[str]
    rule: str
    version: date
    reference: str | None
    as_of: date
    facts: dict[str, object] = field(repr=False, default_factory=dict)
    compiled: CriteriaVersion | None = field(repr=False, default=None)
    _trace: list[str] | None = field(repr=False, default=None)

    @property
    def trace(self) -> list[str]:
        """For each rule, matched or not, and each leaf with the fact's value (built when first read)."""
        if self._trace is None:
            self._trace = explain(self.compiled, self.facts) if self.compiled else []
        return self._trace

    def to_json(self) -> dict:
        """The result as `--json` prints it (`then` numbers stay numbers)."""
        return {
            "outcome": json_value(self.outcome),
            "matched": list(self.matched),
            "trace": list(self.trace),
            "rule": self.rule,
            "version": self.version.isoformat(),
            "reference": self.reference,
            "as_of": self.as_of.isoformat(),
        }


def explain(compiled: CriteriaVersion, facts: Facts) -> list[str]:
    """The trace: each rule, matched or not, then its leaves indented."""
    trace = []
    for rule in compiled.rules:
        if rule.when is None:
            trace.append(f"{rule.name}: matched (no condition)")
            continue
        result = rule.when.evaluate(facts)
        trace.append(f"{rule.name}: {'matched' if result.holds else 'not matched'}")
        trace.extend("  " + line for line in result.trace)
    return trace


def _decision(doc: RuleDocument, compiled: CriteriaVersion, numbers: tuple[int, ...]) -> tuple[Outcome, list[str]]:
    """The outcome by the hit policy, and the names of every matched rule."""
    rules = compiled.rules
    matched = [rules[n].name for n in numbers]
    if compiled.hit == "all":
        return [rules[n].then for n in numbers], matched
    if compiled.hit == "unique" and len(numbers) > 1:
        raise EvaluationError(
            f"{doc.id}: hit unique, but both {matched[0]!r} and {matched[1]!r} match"
            + (f" (and {len(matched) - 2} more)" if len(matched) > 2 else ""))
    return (rules[numbers[0]].then if numbers else {}), matched


def evaluate(doc: RuleDocument, facts: Facts, as_of: date, *, library: Documents | None = None) -> CriteriaResult:
    """Decide on `as_of`: the outcome, every matched rule and the trace."""
    return evaluate_batch(doc, [facts], as_of)[0]


def evaluate_batch(doc: RuleDocument, facts_list: Sequence[Facts], as_of: date) -> list[CriteriaResult]:
    """Decide for many fact sets on one day (a sweep); traces are built only when read."""
    version = version_in_force(doc, as_of)
    compiled = compiled_criteria(doc).version(version)
    check = fact_checker(doc).check
    checked = [check(facts) for facts in facts_list]
    results, decisions = [], {}
    rule, effective, reference = doc.id, version.effective, version.reference
    for facts, numbers in zip(checked, compiled.decide_many(checked)):
        decision = decisions.get(numbers)
        if decision is None:
            decision = decisions[numbers] = _decision(doc, compiled, numbers)
        results.append(CriteriaResult(decision[0], list(decision[1]), rule, effective, reference, as_of, facts, compiled))
    return results


def decide_in_python(compiled: CriteriaVersion, facts: Facts) -> tuple[int, ...]:
    """The rules that hold by the pure-Python conditions (the trace's reading), for cross-checks."""
    return tuple(i for i, rule in enumerate(compiled.rules) if rule.when is None or rule.when.holds(facts))
