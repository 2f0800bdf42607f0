"""kind: criteria — decisions: lien eligibility, shut-off eligibility, approval limits (engine.rules.criteria).

Its versions hold a hit policy (first, unique, all) and ordered rules, each with an optional
condition and the outcome it gives. Beyond the schema: unique rule names, conditions over
declared inputs. Lint: rules that can never match because an earlier rule always wins.
A header's `gives: plan_terms` says the outcomes are payment plan terms: each rule's `then`
holds only plan terms, each a good one (engine.rules.plans).
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date

from engine.rules import bounds, criteria, dnf, plans, wording
from engine.rules.durations import UNITS, Duration
from engine.rules.checks import DocumentChecks
from engine.rules.conditions import Condition, condition_words, facts_named
from engine.rules.document import Documents, InputSpec, RuleDocument, Version
from engine.rules.errors import EvaluationError
from engine.rules.kinds.base import Finding, Period, RuleKind, Shown
from engine.rules.results import dumps
from engine.rules.schema_blocks import NAME_LIMIT, JsonSchema, fact_name, listing, mapping, number, ref, text, whole
from engine.rules.types import Facts, YamlMapping, YamlValue
from engine.rules.wording import Term

Comparison = tuple[str, str, YamlValue]  # (fact, op, value)


def version_keys() -> JsonSchema:
    """The version keys of criteria: the hit policy and the ordered rules."""
    outcome = {"description": "text, a number or true/false", "anyOf": [{"type": ["string", "boolean"]}, number()]}
    lasts = mapping({"days": whole(1, bounds.MAX_DAYS), "months": whole(1, bounds.MAX_MONTHS),
                     "years": whole(1, bounds.MAX_YEARS), "from": fact_name()}, minProperties=1)
    rule = mapping({"name": text(NAME_LIMIT), "when": ref("condition"),
                    "then": {"type": "object", "minProperties": 1, "maxProperties": 20,
                             "additionalProperties": outcome},
                    "for": lasts},
                   ("name", "then"))
    return {"hit": {"enum": ["first", "unique", "all"]}, "rules": listing(rule, 200)}


GIVES = ("plan_terms",)  # what a criteria document's outcomes may be declared to be


def header_keys() -> JsonSchema:
    """The header keys of criteria: `gives`, what its outcomes are when the engine reads them as one thing."""
    return {"gives": {"enum": list(GIVES), "description": "plan_terms: each outcome is a payment plan's terms"}}


def check_version(checks: DocumentChecks, version: YamlMapping, path: str) -> None:
    """Rules with unique names whose conditions name declared inputs; plan terms that are plan terms."""
    seen: dict[str, int] = {}
    for i, rule in enumerate(version["rules"]):
        rule_path = f"{path}.rules[{i}]"
        if checks.data.get("gives") == "plan_terms":
            for key, message in plans.term_problems(rule["then"]):
                checks.error(f"{rule_path}.then.{key}", message)
        if rule["name"] in seen:
            checks.error(f"{rule_path}.name",
                         f'rule name "{rule["name"]}" is already used by rules[{seen[rule["name"]]}]')
        seen.setdefault(rule["name"], i)
        if "when" in rule:
            found = len(checks.errors)
            checks.check_condition(rule["when"], f"{rule_path}.when")
            if len(checks.errors) == found:
                _check_durable(checks, rule["when"], f"{rule_path}.when")
        if "for" in rule:
            _check_duration(checks, rule, f"{rule_path}.for")


def _check_duration(checks: DocumentChecks, rule: YamlMapping, path: str) -> None:
    """One unit; `from` a declared date input; `until` left for the duration to give."""
    units = [unit for unit in UNITS if unit in rule["for"]]
    if len(units) != 1:
        checks.error(path, "a duration is one of days, months or years" + (
            f"; this one has {' and '.join(units)}" if units else ""))
    start = rule["for"].get("from")
    if start is not None and checks.check_fact(start, f"{path}.from", "a duration") \
            and checks.inputs[start]["type"] != "date":
        checks.error(f"{path}.from", f"a duration counts from a date; {start} is {checks.inputs[start]['type']}")
    if "until" in rule["then"]:
        checks.error(f"{path[:-len('.for')]}.then.until",
                     "a rule with for: gives until itself (the day the duration ends); remove until from then")


def _check_durable(checks: DocumentChecks, when: YamlMapping, path: str) -> None:
    """A sound condition that durable_rules can take, found when the document is read, not when first evaluated."""
    inputs = {name: InputSpec(name=name, type=spec["type"]) for name, spec in checks.inputs.items()}
    try:
        problem = dnf.complexity_problem(Condition.compile(when, inputs, path), inputs)
    except EvaluationError as error:  # the schema and the checks above should leave nothing to find here
        problem = str(error)
    if problem:
        checks.error(path, problem)


def evaluate(doc: RuleDocument, facts: Facts, as_of: date, *, library: Documents,
             period: Period | None) -> criteria.CriteriaResult:
    """The decision on the day."""
    return criteria.evaluate(doc, facts, as_of, library=library)


def decision_lines(shown: Shown) -> list[str]:
    """The outcome, the rules that matched, and the trace of every rule and leaf."""
    return [f"  outcome: {dumps(shown['outcome'], indent=None)}",
            f"  matched: {', '.join(shown['matched']) or 'none'}",
            *(f"  {step}" for step in shown.get("trace", []))]


def facts_read(doc: RuleDocument, version: Version, others: Mapping[str, RuleDocument]) -> Iterable[str]:
    """The facts the rules' conditions read, and the date facts their durations count from."""
    rules = version.body.get("rules", [])
    return ({fact for rule in rules for fact in facts_named(rule.get("when"))}
            | {rule["for"]["from"] for rule in rules if "from" in (rule.get("for") or {})})


# --- lint: rules that can never match ------------------------------------------------------


def unreachable_rules(doc: RuleDocument, version: Version, path: str) -> Iterator[Finding]:
    """Rules that an earlier rule always beats under hit first/unique (it matches whenever they do)."""
    hit = version.body.get("hit", "first")
    if hit == "all":
        return
    rules = version.body["rules"]
    for i, rule in enumerate(rules):
        for j, earlier in enumerate(rules[:i]):
            if "when" not in earlier:
                why = f'rules[{j}] "{earlier["name"]}" has no condition and always matches first'
            elif _implies(rule.get("when"), earlier["when"]):
                why = f'rules[{j}] "{earlier["name"]}" matches whenever it does, and comes first'
            else:
                continue
            if hit == "unique":
                why += "; under hit: unique every match of this rule is an error"
            yield f"{path}.rules[{i}]", f'"{rule["name"]}" can never match: {why}'
            break


def _comparisons(condition: YamlValue, *, partial: bool = False) -> list[Comparison] | None:
    """A condition as (fact, op, value) comparisons that must all hold, or None if it is not one.

    With `partial`, parts that are not plain comparisons (`any`, `not`) are left out: what
    remains still holds whenever the whole does, which is all a later rule needs.
    """
    if not isinstance(condition, dict):
        return None
    if "all" in condition:
        parts = [_comparisons(part, partial=partial) for part in condition["all"]]
        if any(p is None for p in parts) and not partial:
            return None
        return [c for p in parts if p is not None for c in p]
    if "any" in condition or "not" in condition:
        return [] if partial else None
    if "fact" in condition:
        return [(condition["fact"], op, value) for op, value in condition.items() if op != "fact"]
    return [(fact, "eq", value) for fact, value in condition.items()]


def _implies(later: YamlValue, earlier: YamlValue) -> bool:
    """Whether `later` holding always means `earlier` holds (both plain conjunctions of comparisons)."""
    theirs, ours = _comparisons(earlier), _comparisons(later, partial=True)
    if theirs is None or ours is None:
        return later == earlier and later is not None
    return all(any(_one_implies(mine, needed) for mine in ours if mine[0] == needed[0]) for needed in theirs)


def _one_implies(mine: Comparison, needed: Comparison) -> bool:
    """Whether one comparison on a fact guarantees another on the same fact."""
    _, op, value = mine
    _, need, bound = needed
    if need == "exists":
        return (op == "exists" and value == bound) or (bound is True and op != "exists")
    try:
        if op == "eq":
            return _value_meets(value, need, bound)
        return {
            ("ne", "ne"): lambda: value == bound,
            ("in", "in"): lambda: all(v in bound for v in value),
            ("in", "not_in"): lambda: all(v not in bound for v in value),
            ("not_in", "not_in"): lambda: all(v in value for v in bound),
            ("not_in", "ne"): lambda: bound in value,
            ("gte", "gte"): lambda: value >= bound, ("gt", "gte"): lambda: value >= bound,
            ("gt", "gt"): lambda: value >= bound, ("gte", "gt"): lambda: value > bound,
            ("lte", "lte"): lambda: value <= bound, ("lt", "lte"): lambda: value <= bound,
            ("lt", "lt"): lambda: value <= bound, ("lte", "lt"): lambda: value < bound,
        }.get((op, need), lambda: False)()
    except TypeError:  # a date against a number: no conclusion
        return False


def _value_meets(value: YamlValue, need: str, bound: YamlValue) -> bool:
    """Whether a fact equal to `value` meets the comparison `need bound`."""
    if isinstance(value, bool) != isinstance(bound, bool) and need not in ("in", "not_in"):
        return False
    checks = {"eq": lambda: value == bound, "ne": lambda: value != bound, "in": lambda: value in bound,
              "not_in": lambda: value not in bound, "gt": lambda: value > bound, "gte": lambda: value >= bound,
              "lt": lambda: value < bound, "lte": lambda: value <= bound}
    return checks[need]()


# --- a version in words ------------------------------------------------------------------

HIT_WORDS = {"first": "the first rule that matches decides",
             "unique": "the one rule that matches decides (two matching is an error)",
             "all": "every rule that matches adds its outcome, in order"}


def terms(doc: RuleDocument, version: Version) -> list[Term]:
    """The hit policy, then each rule: its place in the order, its condition in the trace's words, its outcome."""
    found = [Term("Decision", "hit policy", HIT_WORDS[version.body.get("hit", "first")])]
    for n, rule in enumerate(version.body.get("rules", []), start=1):
        group = f"Rule “{rule['name']}”"
        found.append(Term(group, "order", f"{wording.ordinal(n)} rule"))
        found.append(Term(group, "when", condition_words(rule.get("when"))))
        found += [Term(group, f"then {key}", wording.figure(value)) for key, value in rule["then"].items()]
        if rule.get("for"):
            found.append(Term(group, "for", Duration.read(rule["for"]).words()))
    return found


KIND = RuleKind("criteria", version_keys, ("rules",), check_version, evaluate, decision_lines,
                lint=unreachable_rules, facts_read=facts_read, terms=terms, header_keys=header_keys)
