"""Every rule document opens in its form and saves back unchanged; a change in the form is that change in the diff.

The form editor (webapp/rules/editor.py) shows the cells of engine.rules.editing and saves
with `apply_cells`; the YAML editor shows the text itself, so a document that opens there saves
back as the same text by construction. Here every document of rules/ goes through the form:
each of its cells sent back as shown gives the text byte for byte; one figure changed gives a
text whose diff (engine.rules.diff) is exactly that one row, and whose other bytes are as they were.
"""
from __future__ import annotations

import difflib
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from engine.rules import editing
from engine.rules.diff import CHANGED, document_diff
from engine.rules.editing import EditError
from engine.rules.errors import DocumentErrors
from engine.rules.library import rule_files
from engine.rules.loader import load_document

RULES = Path(__file__).resolve().parents[2] / "rules"
DOCUMENTS = sorted(rule_files(RULES))


def test_the_folder_has_every_kind():
    kinds = {load_document(path.read_text(encoding="utf-8"), str(path)).kind for path in DOCUMENTS}
    assert {"schedule", "criteria", "calendar", "deadline", "measure"} <= kinds and len(DOCUMENTS) >= 28


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.stem)
def test_a_document_sent_back_as_the_form_shows_it_is_the_same_text(path):
    text = path.read_text(encoding="utf-8")
    shown = {cell.path: cell.written for cell in editing.cells(text).values()}
    saved, problems = editing.apply_cells(text, shown)
    assert problems == [] and saved == text


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.stem)
def test_one_figure_changed_in_the_form_is_exactly_that_change_in_the_diff(path):
    text = path.read_text(encoding="utf-8")
    figures = [cell for cell in editing.cells(text).values() if cell.type == "number"]
    if not figures:
        pytest.skip("no figure in this document")  # every document with figures is changed below
    before = load_document(text, "before")
    checked = 0
    for cell in figures[:: max(1, len(figures) // 7)]:  # a spread of its figures, first to last
        typed = format(Decimal(cell.written) + 1, "f")
        saved, problems = editing.apply_cells(text, {cell.path: typed})
        try:
            after = load_document(saved, "after")
        except DocumentErrors:  # a figure whose change breaks a check (tiers out of order): not this test's
            continue
        checked += 1
        assert problems == []
        changed_lines = [line for line in difflib.ndiff(text.splitlines(), saved.splitlines())
                         if line.startswith(("- ", "+ "))]
        assert len(changed_lines) == 2 and cell.written in changed_lines[0] and typed in changed_lines[1]
        header, versions = document_diff(before, after)
        rows = [row for version in versions for row in version.rows]
        assert header == [] and len(versions) == 1 and versions[0].change == CHANGED, (cell.path, versions)
        assert len(rows) == 1 and rows[0].change == CHANGED, (cell.path, rows)
    assert checked >= 1


def test_a_citation_and_a_date_are_cells_too():
    text = (RULES / "utilities" / "late-fee.yaml").read_text(encoding="utf-8")
    cells = editing.cells(text)
    assert cells["versions[0].adopted"].type == "date" and cells["versions[0].reference"].type == "text"
    saved, problems = editing.apply_cells(text, {"versions[0].reference": "Resolution 2026-1: fees",
                                                 "versions[0].adopted": "2026-01-02"})
    assert problems == []
    doc = load_document(saved, "x")
    assert doc.versions[0].reference == "Resolution 2026-1: fees" and doc.versions[0].adopted == date(2026, 1, 2)


def test_a_figure_that_is_not_a_number_is_named_in_words_and_changes_nothing():
    text = (RULES / "utilities" / "water-rates-residential.yaml").read_text(encoding="utf-8")
    path = 'versions[1].lines[1].tiers.blocks.3/4"[1].rate'
    saved, problems = editing.apply_cells(text, {path: "two"})
    assert saved == text
    assert problems == ['the version of 2025-07-01, line “Water use”, tiers, for 3/4", tier 2, rate: '
                        '“two” is not a number (digits, e.g. 2.57)']


def test_a_new_version_copies_the_one_in_force_then_and_stands_in_date_order():
    text = (RULES / "utilities" / "water-rates-residential.yaml").read_text(encoding="utf-8")
    made = editing.new_version(text, date(2026, 4, 1))
    doc, before = load_document(made.text, "x"), load_document(text, "y")
    assert made.copied == date(2025, 7, 1) and made.index == 2
    assert [v.effective for v in doc.versions] == [date(2024, 7, 1), date(2025, 7, 1), date(2026, 4, 1),
                                                   date(2026, 7, 1), date(2027, 7, 1)]
    assert doc.versions[2].body == before.versions[1].body
    assert doc.versions[2].reference == before.versions[1].reference
    header, versions = document_diff(before, doc)
    assert header == [] and [(v.effective, v.change) for v in versions] == [("2026-04-01", "added")]
    with pytest.raises(EditError, match="already takes effect on 2026-07-01"):
        editing.new_version(text, date(2026, 7, 1))
    with pytest.raises(EditError, match="no version is in force on 2020-01-01"):
        editing.new_version(text, date(2020, 1, 1))
    last = editing.new_version(text, date(2028, 7, 1))
    assert [v.effective for v in load_document(last.text, "z").versions][-1] == date(2028, 7, 1)
    assert last.text.startswith(text)


def test_a_holiday_and_a_no_shutoff_day_are_added_in_order_and_removed_to_the_same_text():
    """On the sample calendar as it was with dated winters (tests/rules/sample_dated), a list of two periods."""
    text = (Path(__file__).parent / "sample_dated" / "city-calendar.yaml").read_text(encoding="utf-8")
    added = editing.add_entry(text, "versions[0].holidays", "2025-04-10", "Arbor Day")
    added = editing.add_item(added, "versions[0].no_shutoff.periods",
                             {"from": date(2025, 5, 1), "to": date(2025, 5, 1), "reason": "Storm"}, order="from")
    doc = load_document(added, "x")
    holidays = list(doc.versions[0].body["holidays"])
    assert holidays.index("2025-04-10") == holidays.index("2025-03-31") + 1
    assert "      2025-04-10: Arbor Day\n" in added
    assert doc.versions[0].body["no_shutoff"]["periods"][1]["reason"] == "Storm"
    removed = editing.remove_item(editing.remove_entry(added, "versions[0].holidays", "2025-04-10"),
                                  "versions[0].no_shutoff.periods", 1)
    assert removed == text
    with pytest.raises(EditError, match="already has 2025-01-01"):
        editing.add_entry(text, "versions[0].holidays", "2025-01-01", "New Year")


def test_a_one_off_holiday_added_to_a_version_of_yearly_holidays_starts_its_list():
    """The 2026 version lists no dates (its holidays are yearly): the first one-off closure adds `holidays`."""
    text = (RULES / "calendar" / "city-calendar.yaml").read_text(encoding="utf-8")
    added = editing.add_entry(text, "versions[1]", "holidays", {"2026-04-10": "Arbor Day"})
    body = load_document(added, "x").versions[1].body
    assert body["holidays"] == {"2026-04-10": "Arbor Day"} and len(body["yearly_holidays"]) == 12
    assert added.replace("    holidays: {2026-04-10: Arbor Day}\n", "", 1) == text


def test_a_tier_raised_by_a_percentage_keeps_to_the_cent():
    assert editing.changed_by_percent(Decimal("2.57"), Decimal(5)) == Decimal("2.70")
    assert editing.changed_by_percent(Decimal("3.58"), Decimal(-10)) == Decimal("3.22")


CRITERIA = [path for path in DOCUMENTS if load_document(path.read_text(encoding="utf-8"), str(path)).kind == "criteria"]


@pytest.mark.parametrize("path", CRITERIA, ids=lambda p: p.stem)
def test_a_criteria_versions_decision_table_holds_every_cell_of_its_rules_and_reads_as_its_words(path):
    from engine.rules import form_layout
    from engine.rules.conditions import condition_words
    from engine.rules.yamlsafe import read_yaml

    text = path.read_text(encoding="utf-8")
    data, cells = read_yaml(text, "x").data, editing.cells(text)
    for i, version in enumerate(data["versions"]):
        layout = form_layout.version_layout(data, i, cells, True)
        assert [cell.path for cell in layout.others] == [], path  # every cell of its rules stands in the table
        placed = [piece for row in layout.table.rows for column in (row.name, *row.conditions, *row.outcomes)
                  for piece in column if not isinstance(piece, str)]
        assert {cell.path for cell in placed} == {p for p in cells if p.startswith(f"versions[{i}].rules[")}
        words = form_layout.decision_table(version)  # without cells: the words alone
        for row, rule in zip(words.rows, version["rules"]):
            when = rule.get("when")
            parts = when["all"] if isinstance(when, dict) and set(when) == {"all"} else [when] if when else []
            shown = sorted(words for column in row.conditions for words in "".join(column).split("; ") if words != "any")
            assert shown == sorted(condition_words(part) for part in parts), rule


def test_a_threshold_typed_into_the_decision_table_is_that_one_change():
    text = (RULES / "utilities" / "shutoff-eligibility.yaml").read_text(encoding="utf-8")
    saved, problems = editing.apply_cells(text, {"versions[0].rules[3].when.lt": "75.00",
                                                 "versions[0].rules[0].then.eligible": "true",
                                                 "versions[0].rules[0].then.reason": "appeal pending"})
    assert problems == []
    changed = [line for line in difflib.ndiff(text.splitlines(), saved.splitlines()) if line.startswith(("- ", "+ "))]
    assert changed == ["-         then: {eligible: false, reason: appeal_pending}",
                       "+         then: {eligible: true, reason: appeal pending}",
                       "-         when: {fact: past_due_balance, lt: 50.00}",
                       "+         when: {fact: past_due_balance, lt: 75.00}"]
    rules = load_document(saved, "x").versions[0].body["rules"]
    assert rules[0]["then"] == {"eligible": True, "reason": "appeal pending"}
