"""kind: bill-messages — the city's messages on bills by the bill's date and cycle, in the bill's language."""
from __future__ import annotations

from datetime import date

import pytest

from engine.rules.errors import DocumentErrors
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


def test_a_message_has_words_in_any_language_the_city_prints_in_and_a_key_that_is_none_is_refused():
    """Any two-letter code is a language (the city's setting decides which it prints: engine.notices.languages)."""
    text = DOCUMENT.replace("        es: Oficinas cerradas el 31 de marzo.\n",
                            "        es: Oficinas cerradas el 31 de marzo.\n"
                            "        vi: Văn phòng đóng cửa ngày 31 tháng 3.\n")
    shown = RuleLibrary.from_documents([load_document(text, "bill-messages.yaml")]).evaluate(
        "bill-messages", {}, date(2026, 3, 20)).to_json()
    assert messages_for(shown, "A", "vi") == ["Văn phòng đóng cửa ngày 31 tháng 3."]
    assert messages_for(shown, "B", "vi") == ["Văn phòng đóng cửa ngày 31 tháng 3.",
                                              "Hydrant flushing in your area."]  # no Vietnamese words: English
    assert shown["messages"][0]["to"] == "2026-03-31"  # `to`, two letters too, is the last day, not a language
    with pytest.raises(DocumentErrors) as refused:
        load_document(DOCUMENT.replace("        es: Oficinas", "        Spanish: Oficinas"), "bill-messages.yaml")
    assert [str(error) for error in refused.value.errors] == [
        'bill-messages.yaml:11: versions[0].messages[0].Spanish: unknown key "Spanish" (allowed here: from, to, '
        'cycles, en, note, or a two-letter language code such as es or vi)']
    with pytest.raises(DocumentErrors) as refused:
        load_document(DOCUMENT.replace("        en: Offices closed March 31.\n", ""), "bill-messages.yaml")
    assert [str(error) for error in refused.value.errors] == [
        'bill-messages.yaml:8: versions[0].messages[0]: missing required key "en"']
