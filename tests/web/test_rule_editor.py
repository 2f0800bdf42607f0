"""The form editor on the web: every document opens in it; a new version from a date, a tier raised, a holiday clicked."""
from __future__ import annotations

import html
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.rulebook import store
from engine.rulebook.revisions import revision_document
from engine.rules.library import rule_files
from engine.rules.loader import load_document
from engine.rules.yamlsafe import read_yaml
from engine.store.models import RuleVersion
from tests.factories import NOW
from tests.web.pages import fixed_clock  # noqa: F401  (fixture)
from webapp.rules.editor import _toggle_no_shutoff

RULES = Path(__file__).resolve().parents[2] / "rules"
TODAY = date(2026, 3, 2)
IDS = sorted(load_document(p.read_text(encoding="utf-8"), str(p)).id for p in rule_files(RULES))


@pytest.fixture()
def rule_store(db):
    """The repository's rules imported into the store and published."""
    store.import_folder(db, RULES, actor="test", now=NOW, today=TODAY)
    return db


def form_of(page: str) -> dict[str, str]:
    """The form editor's fields as the browser would send them (inputs with a value; no buttons)."""
    fields = {}
    for tag in re.findall(r"<input[^>]*>", page):
        name = re.search(r'name="([^"]*)"', tag)
        kind = re.search(r'type="([^"]*)"', tag)
        if not name or (kind and kind.group(1) in ("radio", "submit")):
            continue
        value = re.search(r'value="([^"]*)"', tag)
        fields[html.unescape(name.group(1))] = html.unescape(value.group(1)) if value else ""
    for name, options in re.findall(r'<select name="([^"]*)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', options)
        fields[html.unescape(name)] = html.unescape(chosen.group(1)) if chosen else ""
    fields["mode"] = "holiday"
    return fields


def drafts(db, document_id: str) -> list[RuleVersion]:
    return list(db.scalars(select(RuleVersion).where(RuleVersion.document_id == document_id,
                                                     RuleVersion.status == "draft")))


def test_every_document_opens_in_the_form_and_shows_nothing_changed_when_sent_back(fixed_clock, rule_store,
                                                                                    supervisor):
    for document_id in IDS:
        page = supervisor.get(f"/rules/{document_id}/edit")
        assert page.status_code == 200, document_id
        fields = form_of(page.get_data(as_text=True))
        published = rule_store.scalar(select(RuleVersion.yaml_text).where(RuleVersion.document_id == document_id))
        assert fields["text"] == published, document_id
        checked = supervisor.post(f"/rules/{document_id}/edit", data={**fields, "check": "Show what changes"})
        assert "Nothing: the form says what the published text says." in checked.get_data(as_text=True), document_id
        saved = supervisor.post(f"/rules/{document_id}/edit", data={**fields, "save": "Save draft"})
        assert saved.status_code == 400 and "the text is the same as revision 1" in saved.get_data(as_text=True)
    assert rule_store.scalars(select(RuleVersion).where(RuleVersion.status == "draft")).all() == []


def test_a_new_version_from_a_date_then_a_tier_raised_by_five_percent_is_saved_as_a_draft(fixed_clock, rule_store,
                                                                                         supervisor):
    page = supervisor.get("/rules/water-rates-residential/edit").get_data(as_text=True)
    copied = supervisor.post("/rules/water-rates-residential/edit",
                             data={**form_of(page), "on": "2026-04-01", "new_version": "Copy"})
    text = copied.get_data(as_text=True)
    assert copied.status_code == 200
    assert "The new version of Apr 1, 2026 is a copy of the version of Jul 1, 2025" in text
    fields = form_of(text)
    rate = 'cell:versions[2].lines[1].tiers.blocks.3/4"[1].rate'
    assert fields[rate] == "2.57"
    fields["percent:versions[2].lines[1]:2"] = "5"
    saved = supervisor.post("/rules/water-rates-residential/edit", data={**fields, "save": "Save draft"})
    assert saved.status_code == 302, saved.get_data(as_text=True)
    (row,) = drafts(rule_store, "water-rates-residential")
    doc = revision_document(row)
    new = doc.versions[2]
    assert new.effective == date(2026, 4, 1)
    blocks = new.body["lines"][1]["tiers"]["blocks"]
    assert {size: tiers[1]["rate"] for size, tiers in blocks.items()} == {size: Decimal("2.70") for size in blocks}
    assert blocks['5/8"'][0]["rate"] == Decimal("2.05")
    draft_page = supervisor.get(saved.headers["Location"]).get_data(as_text=True)
    assert "The version of Apr 1, 2026: added" in draft_page


def test_a_version_in_force_is_not_a_form_and_a_bad_figure_is_named_in_words(fixed_clock, rule_store, supervisor):
    page = supervisor.get("/rules/late-fee/edit").get_data(as_text=True)
    assert "in force or past: cannot change" in page and 'name="cell:versions[0]' not in page
    copied = form_of(supervisor.post("/rules/late-fee/edit",
                                     data={**form_of(page), "on": "2026-07-01", "new_version": "Copy"}).get_data(
        as_text=True))
    name = next(n for n in copied if n.startswith("cell:versions[1].lines[0].percent.rate"))
    response = supervisor.post("/rules/late-fee/edit", data={**copied, name: "ten", "save": "Save draft"})
    assert response.status_code == 400
    assert "“ten” is not a number" in response.get_data(as_text=True)
    assert drafts(rule_store, "late-fee") == []


@pytest.mark.parametrize("path", ["/rules/late-fee/edit", "/workflows/refunds/edit"])
def test_a_day_that_is_not_a_date_is_named_with_what_was_typed(fixed_clock, rule_store, supervisor, path):
    """A new version "from 2026-02-30" (typed past the date picker) was "The form was not sent whole; start again"."""
    from engine.rulebook import catalog_source, workflow_store

    workflow_store.import_folder(rule_store, RULES.parent / "workflows", catalog_source.current_rules(rule_store, RULES),
                                 actor="test", now=NOW, today=TODAY)
    page = supervisor.get(path).get_data(as_text=True)
    response = supervisor.post(path, data={**form_of(page), "on": "2026-02-30", "new_version": "Copy"})
    shown = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400 and "“2026-02-30”: enter a day that is on the calendar, e.g. 2026-03-02" in shown
    assert "not sent whole" not in shown


def test_a_click_on_a_day_adds_a_holiday_to_a_new_calendar_version(fixed_clock, rule_store, supervisor):
    page = supervisor.get("/rules/city-calendar/edit").get_data(as_text=True)
    copied = supervisor.post("/rules/city-calendar/edit",
                             data={**form_of(page), "on": "2026-04-01", "new_version": "Copy"}).get_data(as_text=True)
    assert 'value="2:2026-04-09"' in copied  # the new version's days are buttons
    assert "May 25, 2026, yearly holiday: Memorial Day" in copied  # its yearly holidays are marked Y
    assert "Jul 3, 2026, yearly holiday: Independence Day (observed)" in copied
    refused = supervisor.post("/rules/city-calendar/edit", data={**form_of(copied), "day": "2:2026-05-25"})
    assert refused.status_code == 400
    assert ("May 25, 2026 is Memorial Day by this version&#39;s yearly holidays (yearly_holidays); change its rule in "
            "the YAML editor") in refused.get_data(as_text=True)
    clicked = supervisor.post("/rules/city-calendar/edit",
                              data={**form_of(copied), "holiday_name": "Founders' Day", "day": "2:2026-04-09"})
    text = clicked.get_data(as_text=True)
    assert clicked.status_code == 200 and "Apr 9, 2026, holiday: Founders&#39; Day" in text
    saved = supervisor.post("/rules/city-calendar/edit", data={**form_of(text), "save": "Save draft"})
    assert saved.status_code == 302, saved.get_data(as_text=True)
    (row,) = drafts(rule_store, "city-calendar")
    body = revision_document(row).versions[2].body
    assert body["holidays"] == {"2026-04-09": "Founders' Day"} and "memorial_day" in body["yearly_holidays"]


def test_a_deadline_opens_as_its_timeline_and_a_reminder_moved_is_saved(fixed_clock, rule_store, supervisor):
    page = supervisor.get("/rules/business-license-renewal/edit").get_data(as_text=True)
    copied = supervisor.post("/rules/business-license-renewal/edit",
                             data={**form_of(page), "on": "2026-06-01", "new_version": "Copy"}).get_data(as_text=True)
    timeline = copied[copied.index("Its timeline, around the expiry"):]
    steps = re.findall(r"<td>([^<]*)</td><th scope=\"row\">([^<]*)</th>", timeline)
    assert [when for when, _ in steps] == ["45 days before", "15 days before", "the expiry", "31 days after",
                                           "120 days after"]
    assert "license-late-penalty" in steps[3][1] and "license-lapsed" in steps[4][1]
    fields = form_of(copied)
    fields["cell:versions[1].reminders[0].days_before"] = "60"
    saved = supervisor.post("/rules/business-license-renewal/edit", data={**fields, "save": "Save draft"})
    assert saved.status_code == 302, saved.get_data(as_text=True)
    (row,) = drafts(rule_store, "business-license-renewal")
    assert revision_document(row).versions[1].body["reminders"][0]["days_before"] == Decimal(60)


def test_a_criteria_version_is_a_decision_table_whose_cells_are_the_form(fixed_clock, rule_store, supervisor):
    page = supervisor.get("/rules/shutoff-eligibility/edit").get_data(as_text=True)
    copied = supervisor.post("/rules/shutoff-eligibility/edit",
                             data={**form_of(page), "on": "2026-06-01", "new_version": "Copy"}).get_data(as_text=True)
    table = copied[copied.index("Decision table:"):copied.index("</table>", copied.index("Decision table:"))]
    threshold = 'cell:versions[1].rules[3].when.lt'
    # the threshold, the yes/no compared with, the outcome and the rule's name are fields in the table's own cells
    assert re.search(r'<td>past_due_balance &lt; <input name="' + re.escape(threshold) + r'" value="50.00"', table)
    assert '<select name="cell:versions[1].rules[0].when.appeal_pending"' in table
    assert '<option value="true" selected>yes (true)</option>' in table
    assert '<input name="cell:versions[1].rules[0].then.reason" value="appeal_pending"' in table
    assert '<input name="cell:versions[1].rules[3].name" value="Balance under $50.00"' in table
    others = copied[copied.rindex("Version of"):]
    assert "Other figures" not in others  # every figure of the version stands in its table
    fields = form_of(copied)
    fields.update({threshold: "75.00", "cell:versions[1].rules[3].name": "Balance under $75.00",
                   "cell:versions[1].rules[2].when.payment_plan_active": "false"})
    checked = supervisor.post("/rules/shutoff-eligibility/edit", data={**fields, "check": "Show what changes"})
    assert checked.status_code == 200, checked.get_data(as_text=True)
    saved = supervisor.post("/rules/shutoff-eligibility/edit", data={**fields, "save": "Save draft"})
    assert saved.status_code == 302, saved.get_data(as_text=True)
    (row,) = drafts(rule_store, "shutoff-eligibility")
    published = rule_store.scalar(select(RuleVersion.yaml_text).where(RuleVersion.document_id == "shutoff-eligibility",
                                                                      RuleVersion.status == "published"))
    rules = revision_document(row).versions[1].body["rules"]
    assert rules[3]["when"] == {"fact": "past_due_balance", "lt": Decimal("75.00")}
    assert rules[3]["name"] == "Balance under $75.00" and rules[2]["when"] == {"payment_plan_active": False}
    assert revision_document(row).versions[1].body["rules"][4:] == load_document(published, "p").versions[0].body[
        "rules"][4:]


def test_a_decision_table_cell_that_does_not_read_is_named_in_words_and_stores_nothing(fixed_clock, rule_store,
                                                                                       supervisor):
    page = supervisor.get("/rules/shutoff-eligibility/edit").get_data(as_text=True)
    fields = form_of(supervisor.post("/rules/shutoff-eligibility/edit",
                                     data={**form_of(page), "on": "2026-06-01", "new_version": "Copy"}).get_data(
        as_text=True))
    fields["cell:versions[1].rules[0].when.appeal_pending"] = "maybe"
    fields["cell:versions[1].rules[1].then.reason"] = " "
    response = supervisor.post("/rules/shutoff-eligibility/edit", data={**fields, "save": "Save draft"})
    text = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert "rule “Hold, appeal pending”, condition, appeal pending: “maybe” is neither yes nor no" in text
    assert "rule “Hold, medical certificate on file”, outcome reason: write it, or change it as YAML" in text
    assert drafts(rule_store, "shutoff-eligibility") == []


def test_a_click_on_a_day_with_the_other_choice_adds_then_removes_a_day_without_shutoffs(fixed_clock, rule_store,
                                                                                         supervisor):
    page = supervisor.get("/rules/city-calendar/edit").get_data(as_text=True)
    copied = supervisor.post("/rules/city-calendar/edit",
                             data={**form_of(page), "on": "2026-04-01", "new_version": "Copy"}).get_data(as_text=True)
    fields = {**form_of(copied), "mode": "no_shutoff", "reason": "Heat wave", "day": "2:2026-05-12"}
    clicked = supervisor.post("/rules/city-calendar/edit", data=fields).get_data(as_text=True)
    assert "May 12, 2026, no shut-offs: Heat wave" in clicked
    saved = supervisor.post("/rules/city-calendar/edit", data={**form_of(clicked), "save": "Save draft"})
    assert saved.status_code == 302, saved.get_data(as_text=True)
    (row,) = drafts(rule_store, "city-calendar")
    no_shutoff = revision_document(row).versions[2].body["no_shutoff"]  # its winter is yearly: the click starts a list
    assert no_shutoff["periods"] == [{"from": date(2026, 5, 12), "to": date(2026, 5, 12), "reason": "Heat wave"}]
    assert no_shutoff["every_year"] == [{"from": "12-15", "to": "01-05", "reason": "Winter holidays"}]
    again = supervisor.post("/rules/city-calendar/edit", data={**form_of(clicked), "mode": "no_shutoff",
                                                               "day": "2:2026-05-12"}).get_data(as_text=True)
    assert "May 12, 2026, no shut-offs" not in again  # a second click takes it away
    assert form_of(again)["text"] == form_of(copied)["text"]  # and the text is the copy's again


def test_a_no_shutoff_day_clicked_on_a_version_without_no_shutoff_rules_adds_them_and_takes_them_away():
    """A calendar version with no `no_shutoff` at all: the click writes one holding the day, a second removes it."""
    text = ("id: plain-calendar\nkind: calendar\ntitle: Office days only\nversions:\n  - effective: 2027-01-01\n"
            "    closed_weekdays: [sat, sun]\n")
    added = _toggle_no_shutoff(text, "versions[0]", read_yaml(text, "x").data["versions"][0], date(2027, 5, 12),
                               "Heat wave")
    assert load_document(added, "x").versions[0].body["no_shutoff"] == {
        "periods": [{"from": date(2027, 5, 12), "to": date(2027, 5, 12), "reason": "Heat wave"}]}
    version = read_yaml(added, "x").data["versions"][0]
    assert _toggle_no_shutoff(added, "versions[0]", version, date(2027, 5, 12), "Heat wave") == text
