"""Drafting a rule revision: one check of the text, read once, that the store and the draft page share."""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from engine.city import get_city
from engine.rulebook import revisions, store
from engine.rulebook.approval import WAITING_FOR_SECOND_APPROVER, may_publish, publish_refusal
from engine.rulebook.drafting import check_draft
from engine.users import add_user
from tests.factories import switch_off_second_approver
from tests.reading_support import reading  # noqa: F401  (fixture)

RULES = Path(__file__).resolve().parents[2] / "rules"
NOW = datetime(2026, 11, 24, 17, 0, tzinfo=timezone.utc)
TODAY = date(2026, 11, 24)
LATE_FEE = (RULES / "utilities" / "late-fee.yaml").read_text(encoding="utf-8")
LATE_FEE_2027 = LATE_FEE.rstrip("\n") + "\n" + """\
  - effective: 2027-01-01
    reference: Resolution 2026-77
    lines:
      - name: Late payment penalty (12%)
        when: {fact: past_due_balance, gte: 10.00}
        percent: {of: {fact: past_due_balance}, rate: 12}
        min: 2.00
        max: 75.00
"""


@pytest.fixture
def city_rules(db):
    """The repository's rules published in the store, and sam and ana, a supervisor and an administrator."""
    store.import_folder(db, RULES, actor="test", now=NOW, today=TODAY)
    for username, role in (("sam", "supervisor"), ("ana", "admin")):
        add_user(db, username=username, full_name=username.title(), role=role, password="correct horse",
                 actor="test", now=NOW)
    return db


def test_saving_a_draft_parses_its_text_once_and_each_published_document_once(city_rules, reading):
    """Before: the text 2 times, every published document twice (late-fee 3 times), 2 libraries."""
    parsed, built = reading
    checked = check_draft(city_rules, "late-fee", LATE_FEE_2027, TODAY)
    row = store.draft(city_rules, checked, "sam", NOW)
    assert row.revision == 2 and checked.ok
    assert parsed["late-fee (draft)"] == 1
    published = {source: count for source, count in parsed.items() if source != "late-fee (draft)"}
    assert len(published) == 39 and set(published.values()) == {1}
    assert built["libraries"] == 1


def test_with_the_published_library_in_hand_no_published_document_is_parsed(city_rules, reading):
    """The web app checks against its catalog: only the draft's own text is read."""
    parsed, built = reading
    library = revisions.published_library(city_rules)
    parsed.clear(), built.clear()
    store.draft(city_rules, check_draft(library, "late-fee", LATE_FEE_2027, TODAY), "sam", NOW)
    assert parsed == Counter({"late-fee (draft)": 1})
    assert built["libraries"] == 1


def test_the_check_gives_the_library_with_the_draft_in_its_documents_place(city_rules):
    checked = check_draft(city_rules, "late-fee", LATE_FEE_2027, TODAY)
    assert checked.library.get("late-fee") is checked.document
    assert checked.published.source == "late-fee revision 1"
    assert str(checked.library.evaluate("late-fee", {"past_due_balance": "200.00"}, date(2027, 1, 1)).total) == \
        "24.00"


def test_a_session_and_the_published_library_give_the_same_check(city_rules):
    changed = LATE_FEE.replace("rate: 10}", "rate: 11}")
    by_session = check_draft(city_rules, "late-fee", changed, TODAY)
    by_library = check_draft(revisions.published_library(city_rules), "late-fee", changed, TODAY)
    assert by_session.ok and by_library.ok
    assert by_session.publish_problems == by_library.publish_problems == [
        "versions[0] (effective 2024-07-01) is in force and cannot change; add a new version dated 2026-11-24 "
        "or later"]


def test_a_title_too_long_for_the_store_is_an_error_with_its_line(city_rules):
    """The page and the store now agree: the store's column limits are checked with the text."""
    long_title = LATE_FEE.replace("title: ", "title: " + "A" * 200, 1)
    checked = check_draft(city_rules, "late-fee", long_title, TODAY)
    line = long_title.splitlines().index(next(x for x in long_title.splitlines() if x.startswith("title:"))) + 1
    assert [str(e) for e in checked.errors] == [
        f"late-fee (draft):{line}: title: longer than the 200 characters the store keeps"]
    with pytest.raises(store.DocumentErrors):
        store.draft(city_rules, checked, "sam", NOW)


def test_a_text_of_another_document_and_a_broken_reference_are_errors(city_rules):
    residential = (RULES / "utilities" / "water-rates-residential.yaml").read_text(encoding="utf-8")
    other = check_draft(city_rules, "late-fee", residential, TODAY)
    assert [e.message for e in other.errors] == ['this page drafts "late-fee"; the text says "water-rates-residential"']
    renewal = (RULES / "licensing" / "business-license-renewal.yaml").read_text(encoding="utf-8")
    broken = check_draft(city_rules, None, renewal.replace("calendar: city-calendar", "calendar: town-calendar"),
                         TODAY, source="renewal.yaml")
    assert not broken.ok and 'no calendar named "town-calendar"' in str(broken.errors[0])
    assert broken.library is None and broken.publish_problems == []


# --- who may publish ---------------------------------------------------------------------


def test_the_author_alone_may_not_publish_when_the_city_requires_a_second_approver(city_rules):
    city = get_city(city_rules)
    assert may_publish("sam", "sam", city) == "a rule version needs a second person to approve it: sam drafted it"
    assert may_publish("sam", "ana", city) is None
    switch_off_second_approver(city_rules, admin="ana", supervisor="sam", now=NOW)
    assert may_publish("sam", "sam", get_city(city_rules)) is None


def test_the_draft_page_says_why_it_offers_no_publish_button(city_rules):
    row = store.draft(city_rules, check_draft(city_rules, "late-fee", LATE_FEE_2027, TODAY), "sam", NOW)
    city = get_city(city_rules)
    assert publish_refusal(row, "sam", city) == WAITING_FOR_SECOND_APPROVER
    assert publish_refusal(row, "ana", city) is None
    published = revisions.revision(city_rules, "late-fee", 1)
    assert publish_refusal(published, "ana", city) == "Revision 1 is published, not a draft."
