"""Random measure documents over random histories: the product's value is the naive reference's.

Every stream, aggregation, window and filter that docs/rules-format.md lists is drawn. The
pure evaluation is checked on events drawn directly (many examples); evaluations for one
account and for a chunk of accounts read from the database are checked in
test_measure_accounts.py.
"""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.rules.loader import load_document
from engine.rules.measure import evaluate_events
from tests.measures.naive import measure_value
from tests.measures.strategies import DAYS, document_text, events, measure_specs


@st.composite
def measure_and_events(draw, subject: str):
    """A measure of the subject and the events of its stream."""
    stream, name, spec = draw(measure_specs(subject))
    return name, spec, draw(events(subject, stream))


@settings(max_examples=400, deadline=None)
@given(case=measure_and_events("account"), as_of=DAYS)
def test_an_account_measure_is_the_naive_reference(case, as_of):
    name, spec, stream_events = case
    doc = load_document(document_text("m", "m_fact", name, spec), "m.yaml")
    got = evaluate_events(doc, {spec["of"]: stream_events}, as_of).value
    assert got == measure_value(spec, name, stream_events, as_of)


@settings(max_examples=150, deadline=None)
@given(case=measure_and_events("license"), as_of=DAYS)
def test_a_license_measure_is_the_naive_reference(case, as_of):
    name, spec, stream_events = case
    doc = load_document(document_text("m", "m_fact", name, spec, "license"), "m.yaml")
    assert evaluate_events(doc, {spec["of"]: stream_events}, as_of).value == \
        measure_value(spec, name, stream_events, as_of)
