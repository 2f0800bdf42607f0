"""Rule versions in words, diffs between versions, the description lint and errors placed in words."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from eval_support import receipts_tax
from engine.rules.diff import ADDED, CHANGED, REMOVED, document_diff, grouped, version_diff, version_words
from engine.rules.errors import DocumentErrors
from engine.rules.library import RuleLibrary
from engine.rules.lint import lint_document, lint_documents
from engine.rules.loader import load_document
from engine.rules.places import place_words, placed
from engine.rules.yamlsafe import read_yaml

RULES = Path(__file__).resolve().parents[2] / "rules"
LIBRARY = RuleLibrary.from_folder(RULES)
DATED_CALENDAR = Path(__file__).parent / "sample_dated" / "city-calendar.yaml"  # the sample before every_year
NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
ORDINAL = re.compile(r"\b(?:(first|second|third|fourth|fifth)( to last)?|last)\b")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def said_in_words(words: str) -> set[Decimal]:
    """The numbers words say: figures, ordinals (the third: 3; the last: -1; the second to last: -2), month names."""
    said = {Decimal(found.replace(",", "")) for found in NUMBER.findall(words)}
    for found in ORDINAL.finditer(words):
        n = ("first", "second", "third", "fourth", "fifth").index(found[1]) + 1 if found[1] else 1
        said.add(Decimal(-n if found[2] or not found[1] else n))
    return said | {Decimal(i) for i, month in enumerate(MONTHS, 1) if re.search(rf"\b{month}\b", words)}


def figures(value: object) -> tuple[set[Decimal], set[date]]:
    """Every number and date a version's body holds, at any depth (keys of dated mappings too)."""
    numbers: set[Decimal] = set()
    days: set[date] = set()
    if isinstance(value, bool):
        return numbers, days
    if isinstance(value, Decimal):
        numbers.add(value)
    elif isinstance(value, date):
        days.add(value)
    elif isinstance(value, (list, dict)):
        for item in (value.values() if isinstance(value, dict) else value):
            more_numbers, more_days = figures(item)
            numbers |= more_numbers
            days |= more_days
    return numbers, days


@pytest.mark.parametrize("doc", list(LIBRARY), ids=lambda doc: doc.id)
def test_every_version_of_every_document_reads_in_words_with_its_figures(doc):
    for version in doc.versions:
        words = "\n".join(str(term) for term in version_words(doc, version))
        said = said_in_words(words)
        numbers, days = figures(version.body)
        assert numbers <= said, (doc.id, version.effective, numbers - said)
        assert all(day.isoformat() in words for day in days), (doc.id, version.effective)
        if version.reference:
            assert version.reference in words


def test_a_rate_version_in_words_groups_each_lines_figures():
    doc = LIBRARY.get("water-rates-residential")
    groups = dict(grouped(version_words(doc, doc.versions[1])))
    assert [str(t) for t in groups["Sewer base charge"]] == ["only when: sewer == true", "charge: fixed amount $16.33"]
    assert 'tier 2 rate, meter size 3/4": $2.57 per CCF' in [str(t) for t in groups["Water use"]]
    assert "charge: 5% of subtotal" in [str(t) for t in groups["Franchise fee"]]


def test_the_diff_of_two_rate_years_gives_each_changed_figure():
    doc = LIBRARY.get("water-rates-residential")
    rows = version_diff(doc, doc.versions[1], doc.versions[2])
    words = [str(row) for row in rows]
    assert 'Water use, tier 2 rate, meter size 3/4": $2.57 per CCF → $2.70 per CCF' in words
    assert 'Water base charge, meter size 3/4": $27.02 → $28.37' in words
    assert "Sewer base charge, charge: fixed amount $16.33 → fixed amount $17.15" in words
    assert all(row.change == CHANGED for row in rows)
    assert not any("Franchise fee" in line or "tier 1 up to" in line for line in words)  # unchanged: not listed
    assert len(rows) == 1 + 5 + 15 + 1 + 1  # reference, base charges, 3 rates x 5 meters, sewer base, sewer use


def test_the_diff_of_two_calendar_years_lists_holidays_and_periods_added_and_removed():
    doc = LIBRARY.get("city-calendar")
    rows = version_diff(doc, doc.versions[0], doc.versions[1])
    (holidays,) = [row for row in rows if row.group == "Holidays"]  # 2025's dates, 2026 on the same every year
    assert holidays.change == REMOVED and "2025-07-04: Independence Day; 2025-09-01: Labor Day" in str(holidays)
    (yearly,) = [row for row in rows if row.group == "Yearly holidays"]
    assert yearly.change == ADDED
    assert "Independence Day: July 4; Labor Day: the first Monday of September" in str(yearly)
    assert "observed: on a Saturday: the Friday before; on a Sunday: the Monday after" in str(yearly)
    assert "Day after Thanksgiving: 1 day after Thanksgiving Day" in str(yearly)
    assert not [row for row in rows if row.group in ("Timeline", "Billing cycles", "Office days", "No shut-offs")]
    # the sample's winter is the same every year (every_year); as dated winters, each version drops one and adds one
    dated = load_document(DATED_CALENDAR.read_text(encoding="utf-8"), str(DATED_CALENDAR))
    shutoffs = [str(row) for row in version_diff(dated, dated.versions[0], dated.versions[1])
                if row.group == "No shut-offs"]
    assert sorted(shutoffs) == ["No shut-offs, 2024-12-15 to 2025-01-05 removed (was Winter holidays)",
                                "No shut-offs, 2026-12-15 to 2027-01-05 added: Winter holidays"]
    # 2027's version keeps the same yearly holidays: nothing about holidays changes
    assert not [row for row in version_diff(doc, doc.versions[1], doc.versions[2]) if "olidays" in row.group]


def test_a_changed_yearly_holiday_reads_as_its_rule_before_and_after():
    doc = LIBRARY.get("city-calendar")
    text = doc.text + doc.text[doc.text.index("  - effective: 2027-01-01"):].replace(
        "2027-01-01", "2028-01-01").replace("{name: Veterans Day, month: 11, day: 11}",
                                            "{name: Veterans Day, month: 11, day: 11, observed: {sun: mon}}")
    later = load_document(text, "city-calendar.yaml")
    assert [str(row) for row in version_diff(later, later.versions[2], later.versions[3]) if "olidays" in row.group] \
        == ["Yearly holidays, Veterans Day: November 11 → November 11; observed on a Sunday: the Monday after"]


def late_fee_capped_at(cap: str) -> str:
    """The late fee with a second version whose cap is `cap`."""
    text = (RULES / "utilities" / "late-fee.yaml").read_text(encoding="utf-8")
    return text + f"""  - effective: 2026-07-01
    lines:
      - name: Late payment penalty (10%)
        when: {{fact: past_due_balance, gte: 10.00}}
        percent: {{of: {{fact: past_due_balance}}, rate: 10}}
        min: 2.00
        max: {cap}
      - name: Notice fee
        amount: 1.50
"""


def test_the_diff_of_a_changed_cap_and_an_added_line():
    doc = load_document(late_fee_capped_at("100.00"), "late-fee (draft)")
    rows = version_diff(doc, doc.versions[0], doc.versions[1])
    assert [str(row) for row in rows if row.group != "Version"] == [
        "Late payment penalty (10%), at most: $75.00 → $100.00",
        "Notice fee added: charge: fixed amount $1.50"]
    assert "Version removed (was reference: Resolution 2024-38; Alder Creek Municipal Code 13.04.080; " \
           "adopted: 2024-06-18)" in map(str, rows)  # the new version cites nothing
    header, versions = document_diff(LIBRARY.get("late-fee"), doc)
    assert header == [] and [(v.effective, v.change) for v in versions] == [("2026-07-01", ADDED)]


RECEIPTS_BANDS = """
id: receipts-bands
kind: schedule
title: Fee by gross receipts
inputs:
  gross_receipts: {type: money, min: 0}
  bond_posted: {type: money, min: 0}
  employees: {type: integer, min: 0}
  category: {type: text}
versions:
  - effective: 2026-01-01
    lines:
      - name: Receipts band
        tiers:
          fact: gross_receipts
          mode: all_units
          blocks: [{upto: 100000, amount: 75.00}, {upto: UPTO, amount: 180.00}, {amount: 420.00}]
      - name: Receipts by bond
        tiers:
          fact: employees
          by: bond_posted
          mode: all_units
          blocks: {5000.00: [{upto: 10, amount: 5.00}, {amount: 9.00}]}
      - name: Cleanup deposit
        table: {fact: bond_posted, values: {5000.00: 250.00}, default: 400.00}
      - name: Base fee
        table: {fact: category, values: {retail: 95.00}, default: 120.00}
      - name: Receipts surcharge
        amount: 0.01
        multiply_by: {fact: gross_receipts, max: 200000}
      - name: Per employee
        amount: 2.00
        multiply_by: {fact: employees, max: 10}
"""


def test_a_money_facts_limits_keys_and_multiplier_read_as_money_in_a_versions_words():
    """The figures that are amounts of a money fact read as money; a count's and a text's as written."""
    doc = load_document(RECEIPTS_BANDS.replace("UPTO", "500000"), "receipts-bands.yaml")
    words = [str(term) for term in version_words(doc, doc.versions[0])]
    for said in ("tier 1 up to: $100,000.00", "tier 2 up to: $500,000.00", "tier 1 up to, bond posted $5,000.00: 10",
                 "tier 1 amount, bond posted $5,000.00: $5.00",
                 "bond posted $5,000.00: $250.00", "retail: $95.00",
                 "multiplied by: gross_receipts, at most $200,000.00", "multiplied by: employees, at most 10"):
        assert any(word == said or word.endswith(said) for word in words), (said, words)
    assert not any("500000" in word or "5000.00" in word for word in words)


def test_a_changed_limit_on_a_money_fact_reads_as_money_in_the_diff():
    before = load_document(RECEIPTS_BANDS.replace("UPTO", "500000"), "receipts-bands.yaml")
    after = load_document(RECEIPTS_BANDS.replace("UPTO", "600000.50"), "receipts-bands.yaml")
    assert [str(row) for row in version_diff(before, before.versions[0], after.versions[0])] == [
        "Receipts band, tier 2 up to: $500,000.00 → $600,000.50"]


def test_a_per_unit_lines_amounts_of_a_money_fact_read_as_money_in_a_versions_words():
    """`over`, `per` and `max_units` are amounts of the fact a per-unit line counts: money for a money fact, as
    written for a count."""
    doc = receipts_tax()
    words = [str(term) for term in version_words(doc, doc.versions[0])]
    for said in ("not charged: the first $50,000.00", "rate per: $1,000.00", "charged up to: $2,000,000.00",
                 "not charged: the first 2", "rate per: 5", "charged up to: 40"):
        assert any(word.endswith(said) for word in words), (said, words)
    assert not any(figure in word for word in words for figure in ("50000", "1000.00", "2000000"))


def test_a_changed_amount_not_charged_of_a_money_fact_reads_as_money_in_the_diff():
    before = receipts_tax("50000")
    after = receipts_tax("75000.50")
    assert [str(row) for row in version_diff(before, before.versions[0], after.versions[0])] == [
        "Receipts tax, not charged: the first $50,000.00 → the first $75,000.50"]


def test_the_description_lint_fires_on_a_changed_cap():
    warnings = lint_document(load_document(late_fee_capped_at("100.00"), "late-fee (draft)"))
    assert [(w.path, w.message) for w in warnings] == [
        ("description", "the description quotes $75.00, which the newest version (effective 2026-07-01) no longer "
                        "holds: is the description still right?")]
    assert lint_document(load_document(late_fee_capped_at("75.00"), "late-fee (draft)")) == []


def test_the_sample_city_has_no_lint_warnings():
    assert lint_documents(LIBRARY) == []


def test_a_path_reads_as_the_supervisor_names_the_place():
    text = (RULES / "utilities" / "water-rates-residential.yaml").read_text(encoding="utf-8")
    data = read_yaml(text, "x").data
    assert place_words('versions[2].lines[1].tiers.blocks.3/4"[1].rate', data) == \
        'the version of 2026-07-01, line “Water use”, tiers, for 3/4", tier 2, rate'
    assert place_words("inputs.meter_size.default", data) == "input meter_size, default"
    calendar = read_yaml((RULES / "calendar" / "city-calendar.yaml").read_text(encoding="utf-8"), "x").data
    assert place_words("versions[1].timeline.due.roll", calendar) == \
        "the version of 2026-01-01, timeline step due, roll"


def test_an_error_is_placed_in_words_with_its_line_and_path_as_the_detail():
    text = late_fee_capped_at("100.00").replace("amount: 1.50", "amount: -1.50")
    with pytest.raises(DocumentErrors) as refused:
        load_document(text, "late-fee (draft)")
    [error] = placed(refused.value.errors, text)
    assert error.where == "the version of 2026-07-01, line “Notice fee”, amount"
    assert error.path == "versions[1].lines[1].amount" and error.line == text.splitlines().index(
        "        amount: -1.50") + 1
    assert str(error).startswith("In the version of 2026-07-01, line “Notice fee”, amount: ")


def test_an_error_of_the_yaml_itself_is_placed_in_the_text_by_its_line():
    text = "id: late-fee\nkind: schedule\ntitle: [unclosed\n"
    with pytest.raises(DocumentErrors) as refused:
        load_document(text, "late-fee (draft)")
    [error] = placed(refused.value.errors, text)
    assert error.where == "the text" and error.path == "" and str(error).startswith("In the text: ")
    assert f"(line {error.line})" in str(error)


def test_a_calendars_recurring_dates_and_month_steps_read_in_words():
    doc = LIBRARY.get("city-calendar")
    words = [str(term) for term in version_words(doc, doc.versions[1])]
    assert "council_meetings: every month, the first and third Monday, rolled to the next office day" in words
    assert "shutoff: 2 days after door_hanger, rolled to the next shut-off day" in words
    text = (RULES / "calendar" / "city-calendar.yaml").read_text(encoding="utf-8").replace(
        "due:             {after: bill, days: 21, roll: office_day}",
        "due:             {after: bill, months: 1, day: 5, roll: office_day}").replace(
        "council_meetings: {every: month, weekdays: [mon], nth: [1, 3], roll: office_day}",
        "council_meetings: {every: year, month: 6, weekdays: [tue], nth: [-1]}")
    changed = load_document(text, "city-calendar (draft)")
    rows = [str(row) for row in version_diff(doc, doc.versions[1], changed.versions[1], changed)]
    assert rows == ["Timeline, due: 21 days after bill, rolled to the next office day → day 5 of the month 1 month "
                    "after bill, rolled to the next office day",
                    "Recurring dates, council_meetings: every month, the first and third Monday, rolled to the next "
                    "office day → every year in month 6, the last Tuesday"]


def test_a_tag_taken_off_reads_as_what_the_program_no_longer_uses_it_for():
    """A revision of returned-payment-fee without its tag: the header's change says what it was used as."""
    published = LIBRARY.get("returned-payment-fee")
    untagged = load_document(published.text.replace("tags: [returned_payment_fee]\n", ""), "draft")
    header, versions = document_diff(published, untagged)
    assert [str(row) for row in header] == [
        "Document, used by the program as removed (was the fee charged on a returned payment (returned_payment_fee))"]
    assert versions == []
