"""kind: measure — a subject's fact computed from the events it keeps (pure: events and a day in, a value out).

A measure version names one aggregation (`count`, `sum`, `earliest`, `latest`, `days_since`)
of one stream (engine.rules.streams). The events taken are, in this order: those dated on or
before the as-of day; inside the window (`within`); matching every `where` filter; the
`take` newest or oldest of those. Then the aggregation:

- `count`: how many (0 for none);
- `sum: {field: F}`: the sum of a money field (0.00 for none);
- `earliest` / `latest`: the date of the first / last (with `nth: N`, the Nth from that end);
- `days_since`: whole days from the latest to the as-of day.

Earliest, latest and days_since have no value without events: the fact is then absent (an
optional input's `exists: false` is true) unless the version gives a `default`.

Windows end on the as-of day D and hold the days after their start up to D:
`{days: N}` starts N days before D; `{months: N}` starts on the same day N months before D,
or that month's last day when it is shorter (engine.rules.months.months_later_or_month_end);
`{years: N}` is `{months: 12 x N}`. So on 2026-03-31, `{months: 1}` starts on 2026-02-28 and
holds March 1-31; on 2024-02-29 `{years: 1}` starts on 2023-02-28 and holds 2023-03-01 to
2024-02-29; on 2025-02-28 it starts on 2024-02-28 and holds 2024-02-29.
Events of one day keep the order the stream gives (by date, then as recorded).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from engine.money.amounts import money_text, round_money
from engine.rules import bounds
from engine.rules.document import RuleDocument, Version
from engine.rules.conditions import compare
from engine.rules.errors import FactError
from engine.rules.facts import CONVERTERS
from engine.rules.months import months_later_or_month_end
from engine.rules.results import json_value
from engine.rules.streams import STREAMS, Stream
from engine.rules.types import YamlMapping
from engine.rules.versions import version_in_force

AGGREGATIONS = ("count", "sum", "earliest", "latest", "days_since")
TYPES = {"count": "integer", "sum": "money", "earliest": "date", "latest": "date", "days_since": "integer"}
Event = Mapping[str, object]
Events = Mapping[str, Sequence[Event]]  # a subject's events by stream name, each stream in date order


def aggregation_of(body: YamlMapping) -> tuple[str, YamlMapping]:
    """The version's one aggregation: its name and its mapping."""
    name = next(key for key in AGGREGATIONS if key in body)
    return name, body[name]


def window_start(spec: YamlMapping | None, as_of: date) -> date | None:
    """The day before the window's first day (events must be dated after it); None: no window."""
    if not spec:
        return None
    if "days" in spec:
        return as_of - timedelta(days=int(spec["days"]))
    months = int(spec["months"]) if "months" in spec else 12 * int(spec["years"])
    return months_later_or_month_end(as_of, -months)


def _comparisons(where: YamlMapping | None) -> list[tuple[str, str, object]]:
    """`where:` as (field, op, value): a bare value is equality; booleans stay booleans."""
    found = []
    for field, test in (where or {}).items():
        if isinstance(test, dict):
            found += [(field, op, wanted) for op, wanted in test.items()]
        else:
            found.append((field, "eq", test))
    return found


def _matches(event: Event, tests: list[tuple[str, str, object]]) -> bool:
    """Whether an event passes every filter; a field the event does not have passes none."""
    return all(event.get(field) is not None and compare(field, op, event[field], wanted)
               for field, op, wanted in tests)


def taken(spec: YamlMapping, events: Sequence[Event], as_of: date) -> list[Event]:
    """The events an aggregation counts: up to the day, in the window, filtered, the newest/oldest N."""
    start = window_start(spec.get("within"), as_of)
    tests = _comparisons(spec.get("where"))
    kept = [e for e in events if e["date"] <= as_of and (start is None or e["date"] > start) and _matches(e, tests)]
    take = spec.get("take") or {}
    if "newest" in take:
        kept = kept[-int(take["newest"]):]
    elif "oldest" in take:
        kept = kept[:int(take["oldest"])]
    return kept


def aggregate(name: str, spec: YamlMapping, events: list[Event], as_of: date) -> object:
    """The aggregation's value over the events taken (None: no value)."""
    if name == "count":
        return len(events)
    if name == "sum":
        return round_money(sum((Decimal(e.get(spec["field"]) or 0) for e in events), Decimal(0)))
    nth = int(spec.get("nth", 1))
    if len(events) < nth:
        return None
    if name == "earliest":
        return events[nth - 1]["date"]
    latest = events[-nth]["date"]
    return latest if name == "latest" else (as_of - latest).days


@dataclass(frozen=True)
class MeasureResult:
    """A measure's value on a day, and the events that counted."""

    fact: str
    type: str
    value: object
    defaulted: bool
    stream: str
    counted: tuple[Event, ...]
    window_from: date | None
    rule: str
    version: date
    reference: str | None
    as_of: date

    def to_json(self) -> dict:
        """The result as `--json` prints it: money as text with two decimals, dates ISO."""
        value = self.value
        shown = money_text(value) if isinstance(value, Decimal) else json_value(value)
        return {"fact": self.fact, "type": self.type, "value": shown, "defaulted": self.defaulted,
                "stream": self.stream,
                "window": {"from": self.window_from.isoformat() if self.window_from else None,
                           "to": self.as_of.isoformat()},
                "counted": [_event_json(e) for e in self.counted],
                "rule": self.rule, "version": self.version.isoformat(), "reference": self.reference,
                "as_of": self.as_of.isoformat()}


def _event_json(event: Event) -> dict:
    """One event as JSON: money as text, dates ISO."""
    return {k: (money_text(v) if isinstance(v, Decimal) else json_value(v)) for k, v in event.items()}


def measure_stream(doc: RuleDocument, version: Version) -> Stream:
    """The stream a version of a measure reads."""
    return STREAMS[doc.header["subject"]][aggregation_of(version.body)[1]["of"]]


def measure_type(doc: RuleDocument) -> str:
    """The type of the fact a measure provides (every version gives the same)."""
    live = [v for v in doc.versions if not v.retired]
    return TYPES[aggregation_of(live[0].body)[0]]


def evaluate_events(doc: RuleDocument, events: Events, as_of: date) -> MeasureResult:
    """The measure on the day from a subject's events, trusted as typed (the history readers give them so)."""
    version = version_in_force(doc, as_of)
    name, spec = aggregation_of(version.body)
    counted = taken(spec, events.get(spec["of"], ()), as_of)
    value, defaulted = aggregate(name, spec, counted, as_of), False
    if value is None and "default" in spec:
        value, defaulted = spec["default"], True
        value = int(value) if TYPES[name] == "integer" else value
    start = window_start(spec.get("within"), as_of)
    return MeasureResult(doc.header["provides"], TYPES[name], value, defaulted, spec["of"], tuple(counted),
                         start + timedelta(days=1) if start else None, doc.id, version.effective,
                         version.reference, as_of)


def checked_events(stream: Stream, given: object) -> list[Event]:
    """A stream's events as facts give them (JSON): each field checked to its type, in date order."""
    if not isinstance(given, list):
        raise FactError(f"{stream.name}: expected a list of events ([] for none)")
    if len(given) > bounds.MAX_EVENTS:
        raise FactError(f"{stream.name}: at most {bounds.MAX_EVENTS} events, found {len(given)}")
    events = []
    for i, raw in enumerate(given):
        if not isinstance(raw, Mapping):
            raise FactError(f"{stream.name}[{i}]: expected a mapping of the event's fields")
        if raw.get("date") is None:
            raise FactError(f"{stream.name}[{i}].date: missing")
        event = {}
        for field, value in raw.items():
            if field not in stream.fields:
                raise FactError(f"{stream.name}[{i}].{field}: not a field of {stream.name} "
                                f"(fields: {', '.join(stream.fields)})")
            if value is not None:
                event[field] = CONVERTERS[stream.type_of(field)](f"{stream.name}[{i}].{field}", value)
        events.append(event)
    return sorted(events, key=lambda e: e["date"])


def evaluate(doc: RuleDocument, facts: Mapping[str, object], as_of: date) -> MeasureResult:
    """The measure on the day from events given as facts: `{stream: [{date: .., field: ..}, ..]}`."""
    stream = measure_stream(doc, version_in_force(doc, as_of))
    if stream.name not in facts:
        raise FactError(f"{stream.name}: missing; {doc.id} counts its events (give [] for none)")
    return evaluate_events(doc, {stream.name: checked_events(stream, facts[stream.name])}, as_of)
