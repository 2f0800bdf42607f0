"""The measure examples of docs/rules-format.md do what the page says: windows at month ends and February 29,
the lien's water and sewer amounts, the JSON a measure prints."""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from engine.rules.library import RuleLibrary
from engine.rules.loader import load_document
from tests.docs.test_doc_examples import RULES_PAGE, fenced_blocks, rule_examples

PAGE = RULES_PAGE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def measures() -> RuleLibrary:
    """The measures the page shows."""
    docs = [load_document(text, "docs/rules-format.md") for text, _ in rule_examples()]
    return RuleLibrary.from_documents(d for d in docs if d.kind == "measure")


def returns(*days: str) -> dict:
    """Returned payments on these days, as facts."""
    return {"returned_payments": [{"date": d, "tender": "check", "amount": "60.00", "reason": "NSF"} for d in days]}


def window_of(doc_text: str, within: str, as_of: date, *days: str) -> int:
    """How many of these returns a count over `within` takes on the day."""
    doc = load_document(doc_text.replace("within: {months: 6}", f"within: {within}")
                        .replace("effective: 2026-11-24", "effective: 2020-01-01"), "w.yaml")
    return RuleLibrary.from_documents([doc]).evaluate(doc.id, returns(*days), as_of).to_json()["value"]


@pytest.mark.parametrize("within, as_of, inside, outside", [
    ("{months: 1}", date(2026, 3, 31), "2026-03-01", "2026-02-28"),
    ("{months: 6}", date(2027, 5, 31), "2026-12-01", "2026-11-30"),
    ("{years: 1}", date(2024, 2, 29), "2023-03-01", "2023-02-28"),
    ("{years: 1}", date(2025, 2, 28), "2024-02-29", "2024-02-28"),
    ("{days: 365}", date(2026, 11, 24), "2025-11-25", "2025-11-24"),
])
def test_a_window_holds_the_days_after_its_start_up_to_the_day(within, as_of, inside, outside):
    text = next(t for t, _ in rule_examples() if t.startswith("id: returned-payments-6m"))
    assert window_of(text, within, as_of, inside) == 1 and window_of(text, within, as_of, outside) == 0
    assert window_of(text, within, as_of, as_of.isoformat()) == 1
    assert f"{as_of.isoformat()}" in PAGE


def test_the_json_shown_is_what_the_measure_prints(measures):
    shown = next(json.loads(text) for language, _, text, _ in fenced_blocks(RULES_PAGE)
                 if language == "json" and '"fact": "returned_payments_6m"' in text)
    result = measures.evaluate("returned-payments-6m", returns("2026-11-30", "2026-12-01", "2027-05-31"),
                               date(2027, 5, 31)).to_json()
    assert result == shown


def charges(service: str, rows: list[tuple[str, str, str, str]], as_of: date) -> list[dict]:
    """Charges of one service as the stream gives them: (period, due, amount, unpaid) each."""
    made = []
    for period, due, amount, unpaid in rows:
        days = (as_of - date.fromisoformat(due)).days
        made.append({"date": due, "service": service, "period": period, "due": due, "amount": amount,
                     "unpaid": unpaid, "days_past_due": days if Decimal(unpaid) > 0 and days > 0 else 0})
    return made


def test_the_lien_example_is_255_18(measures):
    on = date(2026, 7, 28)
    water = charges("water", [("2025-12", "2025-12-28", "38.00", "0.00"), ("2026-01", "2026-01-28", "39.00", "0.00"),
                              ("2026-02", "2026-02-27", "40.00", "40.00"), ("2026-03", "2026-03-28", "41.10", "41.10"),
                              ("2026-04", "2026-04-28", "42.20", "42.20"), ("2026-05", "2026-05-28", "43.30", "43.30"),
                              ("2026-06", "2026-06-28", "44.40", "44.40"), ("2026-07", "2026-07-28", "45.50", "45.50")],
                    on)
    sewer = charges("sewer", [("2025-12", "2025-12-28", "25.01", "0.00"), ("2026-01", "2026-01-28", "25.02", "0.03")]
                    + [(f"2026-0{m}", f"2026-0{m}-{27 if m == 2 else 28}", f"25.0{m + 1}", f"25.0{m + 1}")
                       for m in range(2, 8)], on)
    facts = {"charges": water + sewer}
    water_total = measures.evaluate("lien-water-charges", facts, on).to_json()
    sewer_total = measures.evaluate("lien-sewer-charges", facts, on).to_json()
    assert (water_total["value"], sewer_total["value"]) == ("129.90", "125.28")
    assert [c["period"] for c in sewer_total["counted"]] == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05",
                                                             "2026-06"]
    assert Decimal(water_total["value"]) + Decimal(sewer_total["value"]) == Decimal("255.18")
    assert "**$255.18**" in PAGE and "$129.90" in PAGE and "$125.28" in PAGE


def test_without_an_event_days_since_takes_its_default_and_latest_is_absent(measures):
    on = date(2026, 7, 28)
    assert measures.evaluate("days-since-shutoff", {"shutoffs": []}, on).to_json()["value"] == 3650
    assert measures.evaluate("days-since-shutoff", {"shutoffs": [{"date": "2026-07-01"}]}, on).to_json()["value"] == 27
    renewals = {"renewals": [{"date": "2024-01-10"}, {"date": "2025-01-09"}, {"date": "2026-01-12"}]}
    assert measures.evaluate("second-latest-renewal", renewals, on).to_json()["value"] == "2025-01-09"
    assert measures.evaluate("second-latest-renewal", {"renewals": [{"date": "2026-01-12"}]}, on).to_json()[
        "value"] is None


def test_an_event_field_not_of_the_stream_is_named(measures):
    with pytest.raises(Exception, match=r"returned_payments\[0\]\.colour: not a field of returned_payments"):
        measures.evaluate("returned-payments-6m", {"returned_payments": [{"date": "2027-01-01", "colour": "red"}]},
                          date(2027, 5, 31))
