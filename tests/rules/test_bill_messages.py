"""kind: bill-messages — the city's messages on bills by the bill's date and cycle, in the bill's language."""
from __future__ import annotations

from datetime import date

from engine.rules.kinds.bill_messages import messages_for
from engine.rules.library import RuleLibrary
from engine.rules.loader import load_document

DOCUMENT = """
id: bill-messages
kind: bill-messages
title: Messages printed on utility bills
versions:
  - effective: 2026-01-01
    messages:
      - from: 2026-03-01
        to: 2026-03-31
        en: Offices closed March 31.
        es: Oficinas cerradas el 31 de marzo.
      - from: 2026-03-15
        to: 2026-04-15
        cycles: [B]
        en: Hydrant flushing in your area.
"""


def _library() -> RuleLibrary:
    return RuleLibrary.from_documents([load_document(DOCUMENT, "bill-messages.yaml")])


def test_a_message_is_printed_from_its_first_day_through_its_last():
    library = _library()
    shown = lambda day: library.evaluate("bill-messages", {}, day).to_json()  # noqa: E731
    assert messages_for(shown(date(2026, 2, 28)), "A", "en") == []
    assert messages_for(shown(date(2026, 3, 1)), "A", "en") == ["Offices closed March 31."]
    assert messages_for(shown(date(2026, 3, 31)), "A", "en") == ["Offices closed March 31."]
    assert messages_for(shown(date(2026, 4, 1)), "A", "en") == []


def test_a_message_for_some_cycles_and_a_spanish_bill_without_spanish_words():
    shown = _library().evaluate("bill-messages", {}, date(2026, 3, 20)).to_json()
    assert messages_for(shown, "A", "es") == ["Oficinas cerradas el 31 de marzo."]
    assert messages_for(shown, "B", "es") == ["Oficinas cerradas el 31 de marzo.", "Hydrant flushing in your area."]
    assert messages_for(shown, "B", "en") == ["Offices closed March 31.", "Hydrant flushing in your area."]
