"""kind: measure — a fact a subject has from the events it keeps (engine.rules.measure).

Its header names the subject (account, license) and the fact it provides; each version holds
one aggregation (count, sum, earliest, latest, days_since) of one of the subject's streams
(engine.rules.streams), with an optional window, filters and take. Beyond the schema: the
stream is the subject's, the fields named are the stream's and fit their comparisons, a sum
is of a money field, a default fits the fact's type, and every version gives one type.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from engine.rules import bounds, measure
from engine.rules.checks import DocumentChecks, fits, found
from engine.rules.document import Documents, RuleDocument, Version
from engine.rules.wording import Term
from engine.rules.kinds.base import Period, RuleKind, Shown
from engine.rules.schema_blocks import JsonSchema, fact_name, listing, mapping, ref, whole
from engine.rules.streams import STREAMS, SUBJECTS, Stream
from engine.rules.types import Facts, YamlMapping, YamlValue
from engine.rules.versions import version_in_force

ORDERED_FIELDS = ("date", "money", "integer")
FIELD_OPS = ("eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in")
STREAM_NAMES = sorted({name for streams in STREAMS.values() for name in streams})


def header_keys() -> JsonSchema:
    """The header keys of a measure: its subject and the fact it provides."""
    return {"subject": {"enum": list(SUBJECTS)}, "provides": fact_name()}


def version_keys() -> JsonSchema:
    """The version keys of a measure: one aggregation of a stream, windowed, filtered and taken."""
    window = mapping({"days": whole(1, bounds.MAX_DAYS), "months": whole(1, bounds.MAX_MONTHS),
                      "years": whole(1, bounds.MAX_YEARS)}, minProperties=1)
    comparisons = mapping({op: listing(ref("scalar"), 100) if op in ("in", "not_in") else ref("scalar")
                           for op in FIELD_OPS}, minProperties=1)
    where = {"type": "object", "maxProperties": 20, "propertyNames": fact_name(),
             "additionalProperties": {"if": {"type": "object"}, "then": comparisons, "else": ref("scalar")}}
    take = mapping({"newest": whole(1, bounds.MAX_TAKE), "oldest": whole(1, bounds.MAX_TAKE)}, minProperties=1)
    common = {"of": {"enum": STREAM_NAMES}, "within": window, "where": where, "take": take}
    nth = whole(1, bounds.MAX_NTH)
    return {
        "count": mapping(common, ("of",)),
        "sum": mapping({**common, "field": fact_name()}, ("of", "field")),
        "earliest": mapping({**common, "nth": nth, "default": ref("date")}, ("of",)),
        "latest": mapping({**common, "nth": nth, "default": ref("date")}, ("of",)),
        "days_since": mapping({**common, "default": whole(0, bounds.MAX_DAYS * 10)}, ("of",)),
    }


def check_version(checks: DocumentChecks, version: YamlMapping, path: str) -> None:
    """One aggregation, of a stream of the subject, on its fields, compared sensibly."""
    present = [name for name in measure.AGGREGATIONS if name in version]
    if not present:
        checks.error(path, f"a measure version needs one aggregation: {', '.join(measure.AGGREGATIONS[:-1])} "
                           f"or {measure.AGGREGATIONS[-1]}")
        return
    if len(present) > 1:
        checks.error(f"{path}.{present[1]}", f"a measure version has exactly one aggregation; this one has "
                                             f"{' and '.join(present)}")
        return
    name = present[0]
    spec, where_path = version[name], f"{path}.{name}"
    for key, words in (("within", "a window is one of days, months or years"),
                       ("take", "take is one of newest or oldest")):
        if len(spec.get(key) or {}) > 1:
            checks.error(f"{where_path}.{key}", f"{words}; this one has {' and '.join(spec[key])}")
    subject = checks.data["subject"]
    stream = STREAMS[subject].get(spec["of"])
    if stream is None:
        checks.error(f"{where_path}.of", f'"{spec["of"]}" is not a stream of a {subject} '
                                         f'(its streams: {", ".join(STREAMS[subject])})')
        return
    if name == "sum":
        field = spec["field"]
        if _field(checks, stream, field, f"{where_path}.field") and stream.type_of(field) != "money":
            checks.error(f"{where_path}.field", f"a sum adds up money; {field} of {stream.name} is "
                                                f"{stream.type_of(field)}")
    for field, test in (spec.get("where") or {}).items():
        field_path = f"{where_path}.where.{field}"
        if _field(checks, stream, field, field_path):
            for op, value in (test.items() if isinstance(test, dict) else [("eq", test)]):
                _check_comparison(checks, stream, field, op, value, field_path if op == "eq" and not
                                  isinstance(test, dict) else f"{field_path}.{op}")


def _field(checks: DocumentChecks, stream: Stream, field: str, path: str) -> bool:
    """Whether `field` is a field of the stream; records the error if not."""
    if field in stream.fields:
        return True
    checks.error(path, f'"{field}" is not a field of {stream.name} (its fields: {", ".join(stream.fields)})')
    return False


def _fits(kind: str, value: YamlValue) -> bool:
    """Whether a literal of a filter is of a field's type (money compares with any number of cents)."""
    return fits("number" if kind == "money" else kind, value)


def _check_comparison(checks: DocumentChecks, stream: Stream, field: str, op: str, value: YamlValue,
                      path: str) -> None:
    """A filter's comparison fits its field's type."""
    kind = stream.type_of(field)
    if op in ("gt", "gte", "lt", "lte") and kind not in ORDERED_FIELDS:
        checks.error(path, f"{op} applies to dates, money and whole numbers; {field} of {stream.name} is {kind}")
        return
    for item in value if op in ("in", "not_in") else [value]:
        if not _fits(kind, item):
            checks.error(path, f"{field} of {stream.name} is {kind}: expected {_TYPE_WORDS[kind]}, found {found(item)}")


_TYPE_WORDS = {"date": "a date", "money": "an amount of money", "integer": "a whole number", "text": "text",
               "boolean": "true or false"}


def check_document(checks: DocumentChecks) -> None:
    """Every version of a measure gives one type of fact."""
    seen: tuple[int, str, str] | None = None
    for i, version in enumerate(checks.data["versions"]):
        present = [name for name in measure.AGGREGATIONS if name in version]
        if version.get("retired") or len(present) != 1:
            continue
        kind = measure.TYPES[present[0]]
        if seen is None:
            seen = (i, present[0], kind)
        elif kind != seen[2]:
            checks.error(f"versions[{i}].{present[0]}",
                         f"every version of a measure gives one type of fact: versions[{seen[0]}] gives "
                         f"{seen[2]} ({seen[1]}), this one {kind} ({present[0]})")


def evaluate(doc: RuleDocument, facts: Facts, as_of: date, *, library: Documents,
             period: Period | None) -> measure.MeasureResult:
    """The fact on the day from the events given (`{stream: [events]}`)."""
    return measure.evaluate(doc, facts, as_of)


def measure_lines(shown: Shown) -> list[str]:
    """The value, the window, and the events that counted."""
    window = shown["window"]
    lines = [f"  {shown['fact']} = {shown['value']}" + (" (the default: no event counted)" if shown["defaulted"]
                                                          else ""),
             f"  {shown['stream']} from {window['from'] or 'the first event'} to {window['to']}: "
             f"{len(shown['counted'])} counted"]
    return lines + [f"    {_event_words(event)}" for event in shown["counted"]]


def _event_words(event: Mapping[str, object]) -> str:
    """One event as a line: its date, then its other fields."""
    rest = ", ".join(f"{k} {v}" for k, v in event.items() if k != "date")
    return f"{event['date']}" + (f": {rest}" if rest else "")


# --- the measures in force, for the facts providers --------------------------------------------


def in_force(documents: Iterable[RuleDocument], subject: str, as_of: date) -> list[RuleDocument]:
    """The measures of a subject with a version in force on the day, in id order."""
    found = []
    for doc in documents:
        if doc.kind == "measure" and doc.header.get("subject") == subject:
            current = [v for v in doc.versions if v.effective <= as_of]
            if current and not current[-1].retired:
                found.append(doc)
    return sorted(found, key=lambda d: d.id)


def streams_read(measures: Iterable[RuleDocument], as_of: date) -> set[str]:
    """The streams the versions in force on the day of these measures read."""
    return {measure.measure_stream(doc, version_in_force(doc, as_of)).name for doc in measures}


def measured_facts(measures: Iterable[RuleDocument], events: measure.Events, as_of: date) -> dict[str, object]:
    """One subject's facts from its events: each measure's value, left out when it has none (and no default)."""
    facts = {}
    for doc in measures:
        value = measure.evaluate_events(doc, events, as_of).value
        if value is not None:
            facts[doc.header["provides"]] = value
    return facts


def _condition_words(name: str, test: object) -> str:
    """One `where:` filter in words: "rule = late-fee", "days_past_due <= 120"."""
    if isinstance(test, dict):
        return "; ".join(f"{name} {OPERATOR_WORDS.get(op, op)} {_plain(value)}" for op, value in test.items())
    return f"{name} = {_plain(test)}"


def _plain(value: object) -> str:
    """A filter's value as written (true/false, a list joined)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(_plain(item) for item in value)
    return str(value)


OPERATOR_WORDS = {"eq": "=", "ne": "≠", "lt": "<", "lte": "<=", "gt": ">", "gte": ">=", "in": "is one of"}


def terms(doc: RuleDocument, version: Version) -> list[Term]:
    """What the measure counts or sums, over which stream, in which window, filtered how."""
    body, group = version.body, "Measure"
    [aggregation] = [name for name in measure.AGGREGATIONS if name in body] or [None]
    if aggregation is None:
        return []
    spec = body[aggregation] or {}
    what = f"{aggregation.replace('_', ' ')} of {spec.get('of', '')}"
    if "field" in spec:
        what += f" ({spec['field']})"
    found = [Term(group, "gives", what)]
    window = spec.get("within")
    if window:
        found.append(Term(group, "window", ", ".join(f"the last {count} {unit}" for unit, count in window.items())))
    else:
        found.append(Term(group, "window", "all history"))
    for name, test in (spec.get("where") or {}).items():
        found.append(Term(group, f"only where {name}", _condition_words(name, test), key=f"where {name}"))
    for which, count in (spec.get("take") or {}).items():
        found.append(Term(group, "keeps", f"the {which} {count}"))
    if "nth" in spec:
        found.append(Term(group, "which", f"number {spec['nth']}"))
    if "default" in spec:
        found.append(Term(group, "when there is none", _plain(spec["default"])))
    return found


KIND = RuleKind("measure", version_keys, (), check_version, evaluate, measure_lines, check_document=check_document,
                takes_inputs=False, header_keys=header_keys, header_required=("subject", "provides"), terms=terms)
