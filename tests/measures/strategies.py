"""Hypothesis strategies: measure documents of every stream, aggregation, window and filter, and their events."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import strategies as st

from engine.rules.streams import STREAMS
from tests.measures.naive import AGGREGATIONS, money_fields

FIRST, LAST = date(2024, 1, 1), date(2026, 12, 31)
DAYS = st.dates(min_value=FIRST, max_value=LAST)
MONEY = st.integers(min_value=-5000, max_value=20000).map(lambda c: Decimal(c).scaleb(-2))
TEXTS = {"service": ["water", "sewer", "garbage"], "rule": ["late-fee", "reconnection-fee", "returned-payment-fee"],
         "period": ["2025-11", "2025-12", "2026-01"], "tender": ["cash", "check", "card", "ach"],
         "source": ["counter", "lockbox", "online"], "reason": ["NSF", "leak", "closed"], "by": ["carla", "sam"],
         "workflow": ["delinquency", "liens"], "type": ["past-due-reminder", "shutoff-notice", "lien-intent"],
         "state": ["past_due", "reminded", "resolved"], "step": ["renew_license", "renew_late"]}
OPS = {"date": ("eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in"),
       "money": ("eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in"),
       "integer": ("eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in"),
       "text": ("eq", "ne", "in", "not_in"), "boolean": ("eq", "ne")}


def value_of(kind: str, field: str):
    """A strategy for one field's values."""
    if kind == "date":
        return DAYS
    if kind == "money":
        return MONEY
    if kind == "integer":
        return st.integers(min_value=0, max_value=400)
    if kind == "boolean":
        return st.booleans()
    return st.sampled_from(TEXTS.get(field, ["a", "b"]))


@st.composite
def events(draw, subject: str, stream: str, size: int = 12) -> list[dict]:
    """Events of a stream, every field drawn (some left absent), in date order."""
    fields = STREAMS[subject][stream].fields
    made = []
    for _ in range(draw(st.integers(min_value=0, max_value=size))):
        event = {"date": draw(DAYS)}
        for field, (kind, _) in fields.items():
            if field != "date" and draw(st.integers(0, 9)):
                event[field] = draw(value_of(kind, field))
        made.append(event)
    return sorted(made, key=lambda e: e["date"])


def yaml_value(value) -> str:
    """A value as YAML writes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(yaml_value(v) for v in value) + "]"
    if isinstance(value, (date, Decimal, int)):
        return str(value)
    return value


@st.composite
def measure_specs(draw, subject: str = "account", streams: tuple[str, ...] | None = None,
                  skip_fields: tuple[str, ...] = ()) -> tuple[str, str, dict]:
    """A stream, an aggregation and its spec as a measure version holds it (values as Python has them)."""
    stream = draw(st.sampled_from(streams or tuple(STREAMS[subject])))
    fields = {f: kind for f, (kind, _) in STREAMS[subject][stream].fields.items() if f not in skip_fields}
    name = draw(st.sampled_from([a for a in AGGREGATIONS if a != "sum" or money_fields(stream, subject)]))
    spec: dict = {"of": stream}
    if name == "sum":
        spec["field"] = draw(st.sampled_from(money_fields(stream, subject)))
    window = draw(st.sampled_from(["none", "days", "months", "years"]))
    if window != "none":
        spec["within"] = {window: draw(st.integers(min_value=1, max_value={"days": 800, "months": 30,
                                                                            "years": 3}[window]))}
    where = {}
    for field in draw(st.lists(st.sampled_from(sorted(fields)), max_size=2, unique=True)):
        kind = fields[field]
        op = draw(st.sampled_from(OPS[kind]))
        if op in ("in", "not_in"):
            where[field] = {op: draw(st.lists(value_of(kind, field), min_size=1, max_size=3))}
        elif op == "eq" and draw(st.booleans()):
            where[field] = draw(value_of(kind, field))
        else:
            where[field] = {op: draw(value_of(kind, field))}
    if where:
        spec["where"] = where
    take = draw(st.sampled_from(["none", "newest", "oldest"]))
    if take != "none":
        spec["take"] = {take: draw(st.integers(min_value=1, max_value=5))}
    if name in ("earliest", "latest") and draw(st.booleans()):
        spec["nth"] = draw(st.integers(min_value=1, max_value=3))
    if name in ("earliest", "latest") and draw(st.booleans()):
        spec["default"] = draw(DAYS)
    if name == "days_since" and draw(st.booleans()):
        spec["default"] = draw(st.integers(min_value=0, max_value=9999))
    return stream, name, spec


def document_text(doc_id: str, provides: str, name: str, spec: dict, subject: str = "account") -> str:
    """The YAML of a measure document with one version holding the aggregation."""
    lines = [f"id: {doc_id}", "kind: measure", f"title: Measure {doc_id}", f"subject: {subject}",
             f"provides: {provides}", "versions:", "  - effective: 2020-01-01", f"    {name}:"]
    for key, value in spec.items():
        if isinstance(value, dict):
            lines.append(f"      {key}:")
            for inner, test in value.items():
                if isinstance(test, dict):
                    tests = ", ".join(f"{op}: {yaml_value(v)}" for op, v in test.items())
                    lines.append(f"        {inner}: {{{tests}}}")
                else:
                    lines.append(f"        {inner}: {yaml_value(test)}")
        else:
            lines.append(f"      {key}: {yaml_value(value)}")
    return "\n".join(lines) + "\n"
