"""`ordinance rules lint`: warnings about valid documents that are probably not what was meant.

Warnings, not errors: criteria rules that can never match because an earlier rule always
wins; holidays outside the years their version is in force; declared inputs that nothing
reads; table and `by` keys that are not among the input's `values` (and values with no key).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Iterable, Iterator, Mapping

from engine.rules.document import RuleDocument, Version


@dataclass(frozen=True)
class LintWarning:
    """One warning, naming the file, the line and the path."""

    source: str
    line: int
    path: str
    message: str

    def __str__(self) -> str:
        """`file:line: path: message`, as the command line prints it."""
        return f"{self.source}:{self.line}: {self.path}: {self.message}"


def lint_documents(documents: Iterable[RuleDocument]) -> list[LintWarning]:
    """Every warning of every document, in file and line order."""
    documents = list(documents)
    by_id = {doc.id: doc for doc in documents}
    warnings = [w for doc in documents for w in lint_document(doc, by_id)]
    return sorted(warnings, key=lambda w: (w.source, w.line, w.path))


def lint_document(doc: RuleDocument, others: Mapping[str, RuleDocument] | None = None) -> list[LintWarning]:
    """The warnings of one document (`others` resolves the penalty schedule of a deadline)."""
    others = others or {}
    found: list[tuple[str, str]] = list(_unread_inputs(doc, others))
    for version in doc.versions:
        if version.retired:
            continue
        path = f"versions[{version.index}]"
        if doc.kind == "criteria":
            found += _unreachable_rules(version, path)
        elif doc.kind == "calendar":
            found += _stray_holidays(doc, version, path)
        elif doc.kind == "schedule":
            found += _table_keys(doc, version, path)
    return [LintWarning(doc.source, doc.line_of(path), path, message) for path, message in found]


def _unreachable_rules(version: Version, path: str) -> Iterator[tuple[str, str]]:
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


def _comparisons(condition: Any, *, partial: bool = False) -> list[tuple[str, str, Any]] | None:
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


def _implies(later: Any, earlier: Any) -> bool:
    """Whether `later` holding always means `earlier` holds (both plain conjunctions of comparisons)."""
    theirs, ours = _comparisons(earlier), _comparisons(later, partial=True)
    if theirs is None or ours is None:
        return later == earlier and later is not None
    return all(any(_one_implies(mine, needed) for mine in ours if mine[0] == needed[0]) for needed in theirs)


def _one_implies(mine: tuple[str, str, Any], needed: tuple[str, str, Any]) -> bool:
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


def _value_meets(value: Any, need: str, bound: Any) -> bool:
    """Whether a fact equal to `value` meets the comparison `need bound`."""
    if isinstance(value, bool) != isinstance(bound, bool) and need not in ("in", "not_in"):
        return False
    checks = {"eq": lambda: value == bound, "ne": lambda: value != bound, "in": lambda: value in bound,
              "not_in": lambda: value not in bound, "gt": lambda: value > bound, "gte": lambda: value >= bound,
              "lt": lambda: value < bound, "lte": lambda: value <= bound}
    return checks[need]()


def _in_force_years(doc: RuleDocument, version: Version) -> tuple[int, int | None]:
    """The first and last year a version is in force (last None: open-ended)."""
    later = [v.effective for v in doc.versions if v.effective > version.effective]
    return version.effective.year, (min(later) - timedelta(days=1)).year if later else None


def _stray_holidays(doc: RuleDocument, version: Version, path: str) -> Iterator[tuple[str, str]]:
    """Holidays dated outside the years their version is in force."""
    holidays = version.body.get("holidays", [])
    first, last = _in_force_years(doc, version)
    entries = holidays.items() if isinstance(holidays, dict) else ((day, None) for day in holidays)
    for i, (day, _name) in enumerate(entries):
        when = date.fromisoformat(day) if isinstance(day, str) else day
        if when.year < first or (last is not None and when.year > last):
            years = f"{first} on" if last is None else (f"{first}" if first == last else f"{first} to {last}")
            where = f"{path}.holidays.{day}" if isinstance(holidays, dict) else f"{path}.holidays[{i}]"
            yield where, f"holiday {when.isoformat()} is outside the years this version is in force ({years})"


def _facts_of_condition(condition: Any) -> Iterator[str]:
    """Every fact a condition reads."""
    if not isinstance(condition, dict):
        return
    for key, value in condition.items():
        if key in ("all", "any"):
            for part in value:
                yield from _facts_of_condition(part)
        elif key == "not":
            yield from _facts_of_condition(value)
        elif key == "fact":
            yield value
        elif "fact" not in condition:
            yield key


def facts_read(doc: RuleDocument, others: Mapping[str, RuleDocument]) -> set[str]:
    """The names of the facts a document reads, in any version (a deadline: its penalty's too)."""
    read: set[str] = set()
    for version in doc.versions:
        body = version.body
        for item in body.get("lines", []) + body.get("rules", []):
            read.update(_facts_of_condition(item.get("when")))
            for spec in (item.get(key) for key in ("table", "per_unit", "tiers", "multiply_by")):
                read.update(spec[k] for k in ("fact", "by") if isinstance(spec, dict) and k in spec)
            of = item.get("percent", {}).get("of")
            if isinstance(of, dict) and "fact" in of:
                read.add(of["fact"])
        if doc.kind == "deadline":
            read.update(("issued_on", "expires_on"))
            penalty = others.get(body.get("late_penalty", {}).get("schedule", ""))
            if penalty is not None:
                read.update(penalty.inputs)
    return read


def _unread_inputs(doc: RuleDocument, others: Mapping[str, RuleDocument]) -> Iterator[tuple[str, str]]:
    """Declared inputs that no line, rule or linked document reads."""
    read = facts_read(doc, others)
    for name in doc.inputs:
        if name not in read:
            yield f"inputs.{name}", f"{name} is declared but nothing reads it"


def _table_keys(doc: RuleDocument, version: Version, path: str) -> Iterator[tuple[str, str]]:
    """Table and `by` keys that are not among the input's values, and values without a key."""
    for i, line in enumerate(version.body["lines"]):
        keyed = []
        if "table" in line:
            keyed.append((line["table"]["fact"], line["table"]["values"], f"{path}.lines[{i}].table.values",
                          "default" in line["table"]))
        if "tiers" in line and "by" in line["tiers"]:
            keyed.append((line["tiers"]["by"], line["tiers"]["blocks"], f"{path}.lines[{i}].tiers.blocks", False))
        for fact, table, where, has_default in keyed:
            values = doc.inputs[fact].values if fact in doc.inputs else None
            if values is None:
                continue
            for key in table:
                if key not in values:
                    yield f"{where}.{key}", f'key "{key}" is not among the values of {fact} ({", ".join(values)})'
            for value in values:
                if value not in table and not has_default:
                    yield where, f'no entry for "{value}", a value of {fact}, and no default'
