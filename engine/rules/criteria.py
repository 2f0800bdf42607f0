"""kind: criteria — decisions (lien eligibility, shut-off eligibility, approval limits).

Which rules match is decided by durable_rules (`engine.rules.durable`) together with the
version's compiled conditions (`engine.rules.comparisons`); the trace (every leaf with the
fact's value) comes from `engine.rules.conditions`, built only when read.

Each version is compiled once (kept on the document instance): its rules' conditions become
a `ComparisonTable`. A batch (`evaluate_batch`, what sweeps and a draft's impact use) checks
its fact sets a column at a time, computes every comparison for every fact set, and so
gives each fact set a *key*: the answers of all its comparisons. Fact sets with one key
agree on every comparison, so every rule (and every test durable_rules makes) comes out the
same for all of them. durable_rules decides the first fact set of each key it has not seen,
once, and the compiled conditions must give the same rules for that key, or the evaluation
stops with an error saying they disagree; the answer is kept in the version's key cache
(at most 100,000 keys). A result's trace is built, on demand, from the fact set itself,
exactly as a single evaluation builds it.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TypeAlias, overload

from engine.rules.comparisons import ComparisonTable, Key
from engine.rules.conditions import Condition
from engine.rules.document import Documents, RuleDocument, Version
from engine.rules.durations import Duration
from engine.rules.durable import DurableCriteria, criteria_ruleset
from engine.rules.errors import EvaluationError
from engine.rules.facts import FactChecker, fact_checker
from engine.rules.results import json_value, per_document
from engine.rules.types import Facts, YamlValue
from engine.rules.versions import version_in_force

REGION_CACHE_LIMIT = 100_000
CHUNK = 2048  # fact sets checked and decided together
Then: TypeAlias = dict[str, YamlValue]  # what one rule gives
Outcome: TypeAlias = "Then | list[Then]"  # the rule that decided, or every match under hit: all


@dataclass(frozen=True)
class CriteriaRule:
    """One rule of a version: its name, its condition (None: always) and its `then`."""

    name: str
    when: Condition | None
    then: Then
    lasts: Duration | None = None  # `for:` — the outcome holds until a day computed from the decision


@dataclass(frozen=True)
class Decision:
    """What one set of matching rules gives: the outcome by the hit policy and the matched names."""

    numbers: tuple[int, ...]
    outcome: Outcome
    matched: tuple[str, ...]
    refusal: str | None = None  # hit: unique with two or more matches: the error it is


class CriteriaVersion:
    """One criteria version, compiled: its rules, hit policy, comparison table, durable_rules ruleset and key cache."""

    def __init__(self, doc: RuleDocument, version: Version) -> None:
        """Compile every rule's condition, register the version's ruleset and build its comparison table."""
        self.document_id = doc.id
        self.version = version
        self.hit = version.body.get("hit", "first")
        self.rules = []
        for i, raw in enumerate(version.body.get("rules", [])):
            when = raw.get("when")
            path = f"versions[{version.index}].rules[{i}].when"
            condition = None if when is None else Condition.compile(when, doc.inputs, path)
            lasts = Duration.read(raw["for"]) if raw.get("for") else None
            self.rules.append(CriteriaRule(raw["name"], condition, raw.get("then", {}), lasts))
        self.timed = any(rule.lasts for rule in self.rules)  # whether some outcome carries `until`
        self.from_facts = any(rule.lasts and rule.lasts.start for rule in self.rules)  # some `for:` has `from:`
        conditions = [rule.when for rule in self.rules]
        self.durable: DurableCriteria = criteria_ruleset(doc.id, version.effective, doc.inputs, conditions)
        self.table = ComparisonTable(conditions, doc.inputs)  # durable_rules took them: so does the table
        self.regions: dict[Key, Decision] = {}  # durable_rules' decision per key
        self.refusals = False  # whether some key's matches are refused (hit: unique)
        self.lock = threading.Lock()

    def decide_keys(self, keys: Sequence[Key], facts_of: Callable[[int], Facts]) -> list[Decision]:
        """The decision for each key: durable_rules decides each key not seen yet, checked against the table.

        `facts_of(i)` gives the checked facts of the i-th key's fact set (asked only for new keys).
        A key whose matches hit: unique refuses raises that refusal, for the first such fact set.
        """
        decisions = self._decisions(keys, facts_of)
        if self.refusals and any(decision.refusal for decision in decisions):
            raise EvaluationError(next(decision.refusal for decision in decisions if decision.refusal))
        return decisions

    def _decisions(self, keys: Sequence[Key], facts_of: Callable[[int], Facts]) -> list[Decision]:
        """The decision for each key, refusals included (`decide_keys` raises them)."""
        try:
            return list(map(self.regions.__getitem__, keys))
        except KeyError:
            return self._decide_new(keys, facts_of)

    def _decide_new(self, keys: Sequence[Key], facts_of: Callable[[int], Facts]) -> list[Decision]:
        """Decide the keys not seen yet by durable_rules (each by its first fact set), keep them, and map every key."""
        with self.lock:
            known = self.regions
            first: dict[Key, int] = {}
            for i, key in enumerate(keys):
                if key not in known and key not in first:
                    first[key] = i
            facts = [facts_of(i) for i in first.values()]
            decided = {key: known[key] for key in set(keys) if key in known}
            for key, numbers, checked in zip(first, self.durable.decide_many(facts), facts):
                if numbers != self.table.holding(key):
                    raise EvaluationError(
                        f"{self.document_id}: durable_rules and the compiled conditions disagree on {checked} "
                        f"(rules {list(numbers)} against {list(self.table.holding(key))})")
                decided[key] = self.decision(numbers)
            if len(known) + len(first) > REGION_CACHE_LIMIT:
                known.clear()
            known.update((key, decided[key]) for key in first)
        return list(map(decided.__getitem__, keys))

    def decide_many(self, checked: Sequence[Facts]) -> list[tuple[int, ...]]:
        """Which rules hold for each checked fact set, by durable_rules per key (a refusal of hit: unique included)."""
        columns = {fact: [facts.get(fact) for facts in checked] for fact in self.table.inputs}
        keys = self.table.keys(columns, len(checked))
        return [decision.numbers for decision in self._decisions(keys, checked.__getitem__)]

    def decision(self, numbers: tuple[int, ...]) -> Decision:
        """The decision for a set of matching rules, or the refusal of hit: unique for two or more."""
        rules = self.rules
        matched = tuple(rules[n].name for n in numbers)
        if self.hit == "all":
            return Decision(numbers, [rules[n].then for n in numbers], matched)
        if self.hit == "unique" and len(numbers) > 1:
            refusal = (f"{self.document_id}: hit unique, but both {matched[0]!r} and {matched[1]!r} match"
                       + (f" (and {len(matched) - 2} more)" if len(matched) > 2 else ""))
            self.refusals = True
            return Decision(numbers, {}, matched, refusal)
        return Decision(numbers, rules[numbers[0]].then if numbers else {}, matched)

    def dated(self, decision: Decision, facts: Facts, as_of: date) -> Outcome:
        """The decision's outcome, each `then` of a rule with `for:` given its `until` (the day it ends)."""
        if not self.timed or decision.refusal:
            return decision.outcome
        if self.hit == "all":
            return [self._until(self.rules[n], then, facts, as_of) for n, then in zip(decision.numbers,
                                                                                      decision.outcome)]
        if not decision.numbers:
            return decision.outcome
        return self._until(self.rules[decision.numbers[0]], decision.outcome, facts, as_of)

    def counts_from_facts(self, decision: Decision) -> bool:
        """Whether a matched rule's duration counts from a date fact (else from the day: the same for every fact set)."""
        return any(self.rules[n].lasts is not None and self.rules[n].lasts.start for n in decision.numbers)

    @staticmethod
    def _until(rule: CriteriaRule, then: Then, facts: Facts, as_of: date) -> Then:
        """`then` with `until` (an ISO date) when the rule lasts for a while; as it is otherwise."""
        if rule.lasts is None:
            return then
        return {**then, "until": rule.lasts.until(facts, as_of).isoformat()}


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


def evaluate(doc: RuleDocument, facts: Facts, as_of: date, *, library: Documents | None = None) -> CriteriaResult:
    """Decide on `as_of`: the outcome, every matched rule and the trace."""
    version = version_in_force(doc, as_of)
    compiled = compiled_criteria(doc).version(version)
    checked = fact_checker(doc).check(facts)
    decision = compiled.decide_keys([compiled.table.key_of(checked)], lambda i: checked)[0]
    return CriteriaResult(compiled.dated(decision, checked, as_of), list(decision.matched), doc.id,
                          version.effective, version.reference, as_of, checked, compiled)


class CriteriaBatch(Sequence[CriteriaResult]):
    """The decisions of many fact sets on one day: outcomes at once, each full result (with its trace) when asked."""

    def __init__(self, doc: RuleDocument, compiled: CriteriaVersion, as_of: date, facts_list: Sequence[Facts],
                 decisions: list[Decision]) -> None:
        """Keep what each result needs: the decisions, and the fact sets to check again for a trace."""
        self.doc, self.compiled, self.as_of = doc, compiled, as_of
        self.facts_list = facts_list
        self.decisions = decisions

    @property
    def outcomes(self) -> list[Outcome]:
        """Each fact set's outcome, in order (shared objects: read them, do not change them)."""
        if not self.compiled.timed:
            return [decision.outcome for decision in self.decisions]
        compiled, checker = self.compiled, None
        if not compiled.from_facts:  # every duration counts from the day: one outcome per decision
            dated = {id(d): compiled.dated(d, {}, self.as_of) for d in {id(d): d for d in self.decisions}.values()}
            return [dated[id(decision)] for decision in self.decisions]
        same_day: dict[int, Outcome] = {}  # a decision whose durations count from the day: one outcome for all
        found = []
        for decision, facts in zip(self.decisions, self.facts_list):
            if compiled.counts_from_facts(decision):
                checker = checker or fact_checker(self.doc)
                found.append(compiled.dated(decision, checker.check(facts), self.as_of))
                continue
            outcome = same_day.get(id(decision))
            if outcome is None:
                outcome = same_day[id(decision)] = compiled.dated(decision, {}, self.as_of)
            found.append(outcome)
        return found

    def __len__(self) -> int:
        """How many fact sets were decided."""
        return len(self.decisions)

    @overload
    def __getitem__(self, index: int) -> CriteriaResult: ...

    @overload
    def __getitem__(self, index: slice) -> list[CriteriaResult]: ...

    def __getitem__(self, index: int | slice) -> CriteriaResult | list[CriteriaResult]:
        """The full result of one fact set (its facts checked again, its trace built when read)."""
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        decision = self.decisions[index]
        version = self.compiled.version
        checked = fact_checker(self.doc).check(self.facts_list[index])
        return CriteriaResult(self.compiled.dated(decision, checked, self.as_of), list(decision.matched),
                              self.doc.id, version.effective, version.reference, self.as_of, checked, self.compiled)


def evaluate_batch(doc: RuleDocument, facts_list: Sequence[Facts], as_of: date) -> CriteriaBatch:
    """Decide for many fact sets on one day (a sweep, a draft's impact): the fast path, explained on demand.

    The fact sets go a chunk at a time (what a chunk touches stays in the processor's cache).
    """
    version = version_in_force(doc, as_of)
    compiled = compiled_criteria(doc).version(version)
    checker, table = fact_checker(doc), compiled.table
    decisions: list[Decision] = []
    for start in range(0, len(facts_list), CHUNK):
        chunk = facts_list[start:start + CHUNK]
        keys = table.keys(checker.columns(chunk), len(chunk))
        try:
            decisions.extend(compiled.decide_keys(keys, chunk_facts(checker, chunk)))
        except EvaluationError:  # a refusal of hit: unique; a bad fact further on is said first, as always
            checker.columns(facts_list[start + CHUNK:])
            raise
    return CriteriaBatch(doc, compiled, as_of, facts_list, decisions)


def chunk_facts(checker: FactChecker, chunk: Sequence[Facts]) -> Callable[[int], Facts]:
    """The checked facts of the i-th fact set of a chunk (what durable_rules is given for a new key)."""
    return lambda i: checker.check(chunk[i])


def decide_in_python(compiled: CriteriaVersion, facts: Facts) -> tuple[int, ...]:
    """The rules that hold by the pure-Python conditions (the trace's reading), for cross-checks."""
    return tuple(i for i, rule in enumerate(compiled.rules) if rule.when is None or rule.when.holds(facts))
