"""Hostile rule documents and facts: refused with where and the limit, nothing stored, no traceback, no 500.

An outside tester found that a late fee of `rate: 1e999999999` passed every check, was
published, and then made every view of the rule stream a gigabyte and every sweep raise
decimal.Overflow; that YAML nested 400 deep gave a 500 and a RecursionError. Each hostile
value below goes through the one draft check (`check_draft`), the draft page, and the
command line (`rules validate`, `rules import`), and each hostile fact through `rules eval`.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from engine.rulebook import store
from engine.rulebook.drafting import check_draft
from engine.rules.document import RuleDocument, Version
from engine.rules.errors import DocumentErrors, EvaluationError, FactError
from engine.rules.library import RuleLibrary
from engine.rules.loader import load_document
from engine.rules.yamlsafe import read_yaml
from engine.store.models import RuleVersion
from engine.sweeps.scheduler import parse_schedule
from engine.workflow.definitions import load_workflow
from tests.factories import NOW, sample_version
from tests.web.pages import fixed_clock  # noqa: F401  (fixture)
from webapp.cli import main

RULES = Path(__file__).resolve().parents[2] / "rules"
TODAY = date(2026, 3, 2)  # NOW's day in the city
LATE_FEE = (RULES / "utilities" / "late-fee.yaml").read_text(encoding="utf-8")
CALENDAR = (RULES / "calendar" / "city-calendar.yaml").read_text(encoding="utf-8")
LIENS = (RULES / "finance" / "lien-eligibility.yaml").read_text(encoding="utf-8")
NEW_VERSION = """\
  - effective: EFFECTIVE
    reference: Resolution 2026-77
    lines:
      - name: Late payment penalty (12%)
        when: WHEN
        BASIS
        min: 2.00
        max: MAX
"""
PERCENT = "percent: {of: {fact: past_due_balance}, rate: RATE}"


def late_fee(effective: str = "2026-07-01", when: str = "{fact: past_due_balance, gte: 10.00}",
             basis: str = PERCENT, rate: str = "12", most: str = "75.00") -> str:
    """The published late fee with a new version, one of its values hostile."""
    version = NEW_VERSION.replace("EFFECTIVE", effective).replace("WHEN", when).replace("BASIS", basis)
    return LATE_FEE.rstrip("\n") + "\n" + version.replace("RATE", rate).replace("MAX", most)


@dataclass(frozen=True)
class Hostile:
    """A hostile draft: the document it drafts, its text, and where and why it must be refused."""

    name: str
    document_id: str
    text: str
    path: str  # the path the refusal names (the start of it, for paths that run deep)
    message: str  # the refusal, or its start


def fee(name: str, path: str, message: str, **values: str) -> Hostile:
    """A hostile new version of the late fee."""
    return Hostile(name, "late-fee", late_fee(**values), f"versions[1].{path}", message)


RATE = "lines[0].percent.rate"
HOSTILE = [
    fee("rate 1e999999999", RATE, "must be at most 100, not 1E+999999999", rate="1e999999999"),
    fee("rate -5", RATE, "must be at least 0, not -5 (only a line with credit: true may be below zero)", rate="-5"),
    fee("rate of 5,000 digits", RATE, "a number of at most 40 characters (this one has 5000)", rate="1" + "0" * 4999),
    fee("rate 150 percent", RATE, "must be at most 100, not 150", rate="150"),
    fee("rate with 5 decimals", RATE, "at most 4 decimals, not 12.12345", rate="12.12345"),
    fee("rate 1e-999999", RATE, "at most 4 decimals, not 1E-999999", rate="1e-999999"),
    fee("rate .nan", RATE, 'expected a number, found the text ".nan"', rate=".nan"),
    fee("rate .inf", RATE, 'expected a number, found the text ".inf"', rate=".inf"),
    fee("rate -.inf", RATE, 'expected a number, found the text "-.inf"', rate="-.inf"),
    fee("rate 0x10", RATE, 'expected a number, found the text "0x10"', rate="0x10"),
    fee("max 75.001", "lines[0].max", "at most 2 decimals (whole cents), not 75.001", most="75.001"),
    fee("max 1e999999999", "lines[0].max", "must be at most 10000000, not 1E+999999999", most="1e999999999"),
    fee("max -75", "lines[0].max", "must be at least 0, not -75", most="-75"),
    fee("a threshold of 13 digits", "lines[0].when.gte", "at most 12 significant digits, not 12345678901.23",
        when="{fact: past_due_balance, gte: 12345678901.23}"),
    fee("a threshold of 1e999999999", "lines[0].when.gte", "must be at most 1000000000000, not 1E+999999999",
        when="{fact: past_due_balance, gte: 1e999999999}"),
    fee("effective 9999-12-31", "effective", "must be on or before 2199-12-31, not 9999-12-31",
        effective="9999-12-31"),
    fee("effective 0001-01-01", "effective", "must be on or after 1900-01-01, not 0001-01-01",
        effective="0001-01-01"),
    fee("effective 2040-01-01", "effective", "at most 10 years after 2026-03-02 (found 2040-01-01)",
        effective="2040-01-01"),
    fee("tier upto -6", "lines[0].tiers.blocks[0].upto", "must be above 0, not -6",
        basis="tiers: {fact: past_due_balance, blocks: [{upto: -6, rate: 0.1}, {rate: 0.12}]}"),
    fee("tier upto 0", "lines[0].tiers.blocks[0].upto", "must be above 0, not 0",
        basis="tiers: {fact: past_due_balance, blocks: [{upto: 0, rate: 0.1}, {rate: 0.12}]}"),
    fee("YAML nested 400 deep", "lines[0].when", "nested more than 32 levels deep", when="[" * 400 + "]" * 400),
    fee("a list of 10,000 values", "lines[0].when.in", "at most 100 items, found 10000",
        when="{fact: past_due_balance, in: [" + ", ".join(["1"] * 10_000) + "]}"),
    fee("a list of 30,000 values", "lines[0].when.in", "more than 20000 values in one file; split it",
        when="{fact: past_due_balance, in: [" + ",".join(["1"] * 30_000) + "]}"),
    fee("an anchor", "lines[0].when", "anchors (&name) are not allowed; write the value out",
        when="&lol {fact: past_due_balance, gte: 10.00}"),
    Hostile("a timeline step of 99,999 days", "city-calendar", CALENDAR.replace("{after: bill, days: 21,", "{after: bill, days: 99999,", 1),
            "versions[0].timeline.due.days", "must be at most 3650, not 99999"),
    Hostile("a holiday on 0001-01-01", "city-calendar",
            CALENDAR.replace("    holidays:\n", "    holidays:\n      0001-01-01: Year One\n", 1),
            "versions[0].holidays.0001-01-01", "must be on or after 1900-01-01, not 0001-01-01"),
    Hostile("every weekday closed", "city-calendar",
            CALENDAR.replace("closed_weekdays: [sat, sun]", "closed_weekdays: [mon, tue, wed, thu, fri, sat, sun]", 1),
            "versions[0].closed_weekdays", "every weekday is closed: the office would never be open"),
    Hostile("a condition too complex for durable_rules", "lien-eligibility",
            LIENS.replace("when: {bankruptcy: true}",
                          "when: {fact: days_past_due, not_in: [" + ", ".join(map(str, range(40))) + "]}", 1),
            "versions[0].rules[0].when",
            "the condition is too complex for durable_rules (at most 256 alternatives of 31 tests); split the rule"),
]
IDS = [case.name for case in HOSTILE]


@pytest.fixture(scope="module")
def published() -> RuleLibrary:
    """The sample city's rules, as the draft check reads the published ones."""
    return RuleLibrary.from_folder(RULES)


def refusal_of(errors: list, case: Hostile):
    """The one error naming the case's path with its message (an AssertionError listing them if none)."""
    found = [e for e in errors if e.path.startswith(case.path) and e.message.startswith(case.message)]
    assert found, f"{case.name}: expected {case.path}: {case.message}; got {[str(e) for e in errors]}"
    return found[0]


# --- the one draft check ---------------------------------------------------------------------


@pytest.mark.parametrize("case", HOSTILE, ids=IDS)
def test_the_draft_check_refuses_each_hostile_value_naming_where_and_the_limit(case, published):
    check = check_draft(published, case.document_id, case.text, TODAY)
    assert not check.ok
    error = refusal_of(check.errors, case)
    assert error.line > 1 and error.source == f"{case.document_id} (draft)"


def test_a_refused_value_is_refused_quickly_and_never_measured_by_arithmetic(published):
    """`1e999999999` is compared and measured by its digits: no Overflow, no gigabyte of digits."""
    for value in ("1e999999999", "-1e999999999", "1e-999999", "9.99999999999999999999999999e999999"):
        check = check_draft(published, "late-fee", late_fee(rate=value, most=value), TODAY)
        assert {e.path for e in check.errors} == {"versions[1].lines[0].percent.rate", "versions[1].lines[0].max"}


def test_an_old_effective_date_is_refused_for_a_new_version_but_kept_for_a_published_one(published):
    """Checked on 2036-03-02: the late fee's published 2024 version stays; a new 2025 one is refused."""
    later = date(2036, 3, 2)
    assert check_draft(published, "late-fee", late_fee(effective="2036-07-01"), later).ok
    back_dated = late_fee(effective="2025-07-01")
    line = back_dated.splitlines().index("  - effective: 2025-07-01") + 1
    assert [str(e) for e in check_draft(published, "late-fee", back_dated, later).errors] == [
        f"late-fee (draft):{line}: versions[1].effective: at most 10 years before 2036-03-02 (found 2025-07-01)"]


def test_a_credit_line_may_be_negative_when_it_says_so(published):
    credit = late_fee(rate="-5").replace("      - name: Late payment penalty (12%)\n",
                                         "      - name: Late payment penalty (12%)\n        credit: true\n")
    assert check_draft(published, "late-fee", credit, TODAY).ok


# --- the reader serves workflows and the sweeps' schedule too ----------------------------------


def test_the_workflow_and_schedule_readers_refuse_deep_yaml_by_line(published):
    deep = "id: x\nstates: " + "[" * 400 + "]" * 400 + "\n"
    with pytest.raises(DocumentErrors) as refused:
        load_workflow(deep, "workflows/x.yaml", published)
    assert str(refused.value).startswith("workflows/x.yaml:2: states[0]") and "nested more than 32" in str(refused.value)
    with pytest.raises(Exception) as schedule_refused:
        parse_schedule("sweeps: " + "{a: " * 400 + "1" + "}" * 400)
    assert "schedule.yaml:1:" in str(schedule_refused.value) and "nested more than 32" in str(schedule_refused.value)


WORKFLOWS = RULES.parent / "workflows"


@pytest.mark.parametrize("file, written, hostile, where, message", [
    ("refunds.yaml", f"version: {sample_version('refunds')}", "version: 1e999999999", "version",
     "a version is a whole number from 1, not the number 1E+999999999"),
    ("delinquency.yaml", "notice_lapses_on: {from: shutoff_on, days: 30}",
     "notice_lapses_on: {from: shutoff_on, days: 1e999999999}", "notice_lapses_on.days",
     "expected a whole number of days (at most 3,650 either way), found the number 1E+999999999"),
    ("delinquency.yaml", "notice_lapses_on: {from: shutoff_on, days: 30}",
     "notice_lapses_on: {from: shutoff_on, days: 99999999999}", "notice_lapses_on.days",
     "expected a whole number of days (at most 3,650 either way), found the number 99999999999"),
    ("liens.yaml", "pay_by: {calendar: city-calendar, days: 30,", "pay_by: {calendar: city-calendar, days: -1e20,",
     "pay_by.days", "expected a whole number of days (at most 3,650 either way), found the number -1E+20"),
    ("liens.yaml", "tax_year, label: Tax year, type: integer, min: 2025,",
     "tax_year, label: Tax year, type: integer, min: 1e999999999,", "form[0].min", ""),
])
def test_a_workflow_s_whole_numbers_are_bounded_before_they_become_integers(published, file, written, hostile, where,
                                                                             message):
    """A version, a count of days or a form limit of 1e999999999 is refused by line (int() of it never finished)."""
    text = (WORKFLOWS / file).read_text(encoding="utf-8")
    assert written in text
    with pytest.raises(DocumentErrors) as refused:
        load_workflow(text.replace(written, hostile, 1), f"workflows/{file}", published)
    [error] = [e for e in refused.value.errors if e.path.endswith(where)]
    assert error.message.startswith(message) and error.line > 1


def test_a_billion_laughs_is_refused_at_its_first_anchor():
    laughs = 'a: &a ["lol","lol"]\nb: &b [*a,*a]\nc: &c [*b,*b]\nd: [*c,*c]\n'
    with pytest.raises(Exception) as refused:
        read_yaml(laughs, "laughs.yaml")
    assert str(refused.value) == "laughs.yaml:1: a: anchors (&name) are not allowed; write the value out"


# --- facts --------------------------------------------------------------------------------------


HOSTILE_FACTS = [
    ({"past_due_balance": "1e999999999"}, "past_due_balance: '1e999999999' has more than 12 digits before the "
                                          "decimal point"),
    ({"past_due_balance": Decimal("1e999999999")}, "past_due_balance: 1E+999999999 has more than 12 digits"),
    ({"past_due_balance": 10 ** 5000}, "past_due_balance: 10000000000000000000... (5001 characters) has more"),
    ({"past_due_balance": "9" * 5000}, "past_due_balance: '9999999999999999999... (5002 characters) is too long"),
    ({"past_due_balance": "1e-999999"}, "past_due_balance: '1e-999999' has more than 12 decimals"),
    ({"past_due_balance": float("nan")}, "past_due_balance: nan is not an amount of money"),
    ({"past_due_balance": float("inf")}, "past_due_balance: inf is not an amount of money"),
]


@pytest.mark.parametrize("facts,message", HOSTILE_FACTS, ids=[m.split(":")[1][:24] for _, m in HOSTILE_FACTS])
def test_a_hostile_fact_is_refused_with_its_name_and_the_limit(facts, message, published):
    with pytest.raises(FactError) as refused:
        published.evaluate("late-fee", facts, TODAY)
    assert str(refused.value).startswith(message)


def test_facts_of_every_type_are_bounded(published):
    """Integers and dates too: a sweep's count or a license's expiry out of range is refused by name."""
    with pytest.raises(FactError, match=r"^days_past_due: 10{12} has more than 12 digits"):
        published.evaluate("lien-eligibility", {"past_due_balance": "300.00", "days_past_due": 10 ** 12,
                                                "owner_is_customer": True}, TODAY)
    with pytest.raises(FactError, match="^expires_on: 9999-12-31 is outside the years 1900 to 2199"):
        published.evaluate("business-license-renewal", {"expires_on": "9999-12-31", "license_fee": "145.00"}, TODAY)
    with pytest.raises(FactError, match="^date: 9999-12-31 is outside the years 1900 to 2199"):
        published.evaluate("city-calendar", {"date": "9999-12-31"}, TODAY)
    with pytest.raises(FactError, match="^period: 9999-12 is outside the years 1900 to 2199"):
        published.evaluate("city-calendar", {"cycle": "A", "period": "9999-12"}, TODAY)
    assert published.evaluate("late-fee", {"past_due_balance": "999999999999.99"}, TODAY).total == Decimal("75.00")


def test_arithmetic_that_cannot_be_done_is_an_evaluation_error_naming_the_document():
    """A document that escaped the checks (written before them) still never raises decimal.Overflow."""
    version = Version(effective=date(2024, 7, 1), body={"lines": [
        {"name": "Poison", "per_unit": {"fact": "n", "rate": Decimal("9e999999")}}]})
    loaded = load_document("id: poison\nkind: schedule\ntitle: P\ninputs:\n  n: {type: number}\nversions:\n"
                           "  - effective: 2024-07-01\n    lines:\n      - name: Poison\n"
                           "        per_unit: {fact: n, rate: 1}\n", "poison.yaml")
    poison = RuleDocument(id="poison", kind="schedule", title="P", versions=(version,), inputs=loaded.inputs)
    with pytest.raises(EvaluationError, match=r"^poison on 2026-03-02: a number or date is out of range \(Overflow\)"):
        RuleLibrary.from_documents([poison]).evaluate("poison", {"n": "999999999"}, TODAY)


# --- the draft page ---------------------------------------------------------------------------


@pytest.fixture()
def rule_store(db):
    """The repository's rules imported into the store and published (the city's first set-up)."""
    store.import_folder(db, RULES, actor="test", now=NOW, today=TODAY)
    return db


def stored(db) -> int:
    """How many revisions the rule store holds."""
    return db.scalar(select(func.count()).select_from(RuleVersion))


@pytest.mark.parametrize("case", HOSTILE, ids=IDS)
def test_the_draft_page_shows_the_refusal_and_stores_nothing(case, fixed_clock, rule_store, supervisor):
    before = stored(rule_store)
    response = supervisor.post(f"/rules/{case.document_id}/draft", data={"text": case.text, "save": "Save draft"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "nothing was stored" in page
    # where in words, the message, then the line and the path as the detail
    placed = rf"In [^<]+: {re.escape(case.message[:30])}[^\n]*\(line \d+, <code>{re.escape(case.path)}[^<]*</code>\)"
    assert re.search(placed, page.replace("&#34;", '"').replace("&#39;", "'").replace("&amp;", "&")), case.name
    assert stored(rule_store) == before


def test_a_hostile_draft_stored_before_the_checks_shows_its_errors_and_is_not_published(fixed_clock, rule_store,
                                                                                       login_as):
    """A draft saved before these limits existed: its page lists the refusal; publishing it is refused, no 500."""
    text = late_fee(rate="1e999999999")
    rule_store.add(RuleVersion(document_id="late-fee", revision=2, kind="schedule", title="Late fee", department=None,
                               yaml_text=text, sha256="0" * 64, status="draft", latest_effective=date(2026, 7, 1),
                               author="someone", approver=None, created_at=NOW, published_at=None, note=""))
    rule_store.flush()
    approver = login_as("supervisor")
    page = approver.get("/rules/late-fee/drafts/2")
    assert page.status_code == 200
    assert "must be at most 100, not 1E+999999999" in page.get_data(as_text=True)
    refused = approver.post("/rules/late-fee/drafts/2/publish")
    assert refused.status_code == 302
    assert "Not published: the text has 1 error, listed under Publish." in \
        approver.get(refused.headers["Location"]).get_data(as_text=True)
    assert rule_store.scalar(select(RuleVersion.status).where(RuleVersion.revision == 2,
                                                              RuleVersion.document_id == "late-fee")) == "draft"


def test_the_evaluate_page_refuses_a_hostile_fact(fixed_clock, rule_store, supervisor):
    for value, message in (("1e999999999", "has more than 12 digits before the decimal point"),
                           ("1e-999999", "has more than 12 decimals"), ("NaN", "is not an amount of money")):
        page = supervisor.post("/rules/late-fee/evaluate", data={"as_of": "2026-03-02",
                                                                  "fact_past_due_balance": value})
        assert page.status_code == 400 and message in page.get_data(as_text=True), value


# --- the form editor's "change tier N by P%" -----------------------------------------------------


HOSTILE_PERCENTS = [
    ("1e999999999", "\u201c1e999999999\u201d is not a percentage for tier 2"),
    ("-1e999999999", "\u201c-1e999999999\u201d is not a percentage for tier 2"),
    ("1" + "0" * 5000, "\u201c1000000000000000000000000000000000000000\u201d is not a percentage for tier 2"),
    ("NaN", "\u201cNaN\u201d is not a percentage for tier 2"),
    ("sNaN", "\u201csNaN\u201d is not a percentage for tier 2"),
    ("Infinity", "\u201cInfinity\u201d is not a percentage for tier 2"),
    ("1e-999999", "\u201c1e-999999\u201d is not a percentage for tier 2"),
    ("5.12345", "\u201c5.12345\u201d is not a percentage for tier 2"),
    ("-101", "a change of -101% for tier 2 is outside -100% to +1000%"),
    ("1001%", "a change of 1001% for tier 2 is outside -100% to +1000%"),
]


def test_the_form_editor_refuses_a_hostile_percentage_in_words_and_stores_nothing(fixed_clock, rule_store,
                                                                                 supervisor):
    """A tester types odd percentages into "change tier 2 by": each a 400 naming the tier, never a 500."""
    from tests.web.test_rule_editor import form_of

    page = supervisor.get("/rules/water-rates-residential/edit").get_data(as_text=True)
    copied = supervisor.post("/rules/water-rates-residential/edit",
                             data={**form_of(page), "on": "2026-04-01", "new_version": "Copy"})
    fields = form_of(copied.get_data(as_text=True))
    before = stored(rule_store)
    for typed, message in HOSTILE_PERCENTS:
        response = supervisor.post("/rules/water-rates-residential/edit",
                                   data={**fields, "percent:versions[2].lines[1]:2": typed, "save": "Save draft"})
        answer = response.get_data(as_text=True).replace("&#34;", '"').replace("&#39;", "'")
        assert response.status_code == 400 and message in answer, (typed, response.status_code)
    assert stored(rule_store) == before
    five = supervisor.post("/rules/water-rates-residential/edit",
                           data={**fields, "percent:versions[2].lines[1]:2": " +5% ", "save": "Save draft"})
    assert five.status_code == 302 and stored(rule_store) == before + 1


@pytest.mark.parametrize("typed, message", [
    ("1e400", "“1e400” is not a number (digits, e.g. 2.57)"),
    ("NaN", "“NaN” is not a number (digits, e.g. 2.57)"),
    ("-Infinity", "“-Infinity” is not a number (digits, e.g. 2.57)"),
    ("٣", "“٣” is not a number (digits, e.g. 2.57)"),
    ("9" * 401, "has 401 characters; a figure has at most 40"),
])
def test_the_form_editor_reads_a_typed_figure_by_its_digits(fixed_clock, rule_store, supervisor, typed, message):
    """A tester's 1e400 in the late fee's maximum was written out as 401 digits and refused as "the text does not
    read as YAML on line 31"; now the cell is named with what was typed, and nothing is stored."""
    from tests.web.test_rule_editor import form_of

    page = supervisor.get("/rules/late-fee/edit").get_data(as_text=True)
    copied = supervisor.post("/rules/late-fee/edit", data={**form_of(page), "on": "2026-04-01", "new_version": "Copy"})
    fields = form_of(copied.get_data(as_text=True))
    [cell] = [name for name in fields if name.startswith("cell:versions[1].") and name.endswith(".max")]
    before = stored(rule_store)
    response = supervisor.post("/rules/late-fee/edit", data={**fields, cell: typed, "save": "Save draft"})
    answer = response.get_data(as_text=True).replace("&#34;", '"').replace("&#39;", "'")
    assert response.status_code == 400 and "maximum: “" in answer and message in answer
    assert "does not read as YAML" not in answer and stored(rule_store) == before
    saved = supervisor.post("/rules/late-fee/edit", data={**fields, cell: "$80.00", "save": "Save draft"})
    assert saved.status_code == 302 and stored(rule_store) == before + 1


def test_a_figure_out_of_range_is_never_changed_by_arithmetic():
    """A rate already too large in the working text: changing it by 5% is a message, not decimal.Overflow."""
    from engine.rules.editing import EditError, changed_by_percent

    assert changed_by_percent(Decimal("2.57"), Decimal("5")) == Decimal("2.70")
    for figure in (Decimal("1e999999999"), Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity")):
        with pytest.raises(EditError, match="cannot be changed by 5%: it is not a figure in range"):
            changed_by_percent(figure, Decimal("5"))


# --- a workflow step's form (the case page, `ordinance cases take --field`) -----------------------


@pytest.mark.parametrize("typed, message", [
    ("9" * 5000, "meter_reading: '999999999999999999999... has more than 15 digits"),
    (10 ** 18, "meter_reading: 1000000000000000000 has more than 15 digits"),
    pytest.param(10 ** 5000, "meter_reading: a number of more than 15 digits", id="an int of 5,001 digits"),
    ("1e999999999", "meter_reading: '1e999999999' is not a whole number"),
    ("NaN", "meter_reading: 'NaN' is not a whole number"),
    ("6.5", "meter_reading: '6.5' is not a whole number"),
    ("-1", "meter_reading: -1 is below the minimum 0"),
    ("١٢٣", "meter_reading: '١٢٣' is not a whole number"),
])
def test_a_whole_number_field_is_read_by_its_digits(typed, message):
    """A count typed into a step's form is refused by its digits, never turned into a billion-digit integer."""
    from engine.workflow.forms import FormError, FormField, read_form

    reading = FormField("meter_reading", "integer", "Meter reading at shut-off", required=True, min=0)
    with pytest.raises(FormError) as refused:
        read_form((reading,), {"meter_reading": typed})
    assert str(refused.value) == message
    assert read_form((reading,), {"meter_reading": " 4812 "}) == {"meter_reading": 4812}
    assert read_form((reading,), {"meter_reading": "4812.0"}) == {"meter_reading": 4812}


# --- the command line ---------------------------------------------------------------------------


@pytest.fixture()
def ordinance(monkeypatch, tmp_path):
    """Run `ordinance ...` with no database set up, the clock at NOW (the default time zone gives 2026-03-02)."""
    monkeypatch.setattr("webapp.cli.context.now", lambda: NOW)
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'none.db'}", "ORDINANCE_INSTANCE": str(tmp_path / "instance")}
    return lambda *args, stdin=None: CliRunner().invoke(main, list(args), input=stdin, env=env)


def no_traceback(result) -> None:
    """The command ended by exiting 1, with no traceback."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit) and "Traceback" not in result.output


@pytest.mark.parametrize("case", HOSTILE, ids=IDS)
def test_rules_validate_prints_the_refusal_and_exits_1(case, ordinance, tmp_path):
    file = tmp_path / f"{case.document_id}.yaml"
    file.write_text(case.text, encoding="utf-8")
    result = ordinance("rules", "validate", str(file), "--rules-dir", str(RULES))
    no_traceback(result)
    assert re.search(rf"^{re.escape(str(file))}:\d+: {re.escape(case.path)}\S*: {re.escape(case.message)}",
                     result.stdout, re.M), result.stdout


def test_rules_lint_and_show_report_a_hostile_file_and_exit_1(ordinance, tmp_path):
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "late-fee.yaml").write_text(late_fee(when="[" * 400 + "]" * 400), encoding="utf-8")
    for args in (("lint", str(tmp_path / "rules")), ("show", "late-fee", "--rules-dir", str(tmp_path / "rules"),
                                                      "--as-of", "2026-03-02")):
        result = ordinance("rules", *args)
        no_traceback(result)
        assert "nested more than 32 levels deep" in result.stderr


def test_rules_import_refuses_every_hostile_document_and_stores_nothing(cli, monkeypatch, tmp_path):
    monkeypatch.setattr("webapp.cli.context.now", lambda: NOW)
    folder = tmp_path / "hostile"
    folder.mkdir()
    loadable = [case for case in HOSTILE if "10 years" not in case.message]
    for i, case in enumerate(loadable):
        (folder / f"hostile-{i}.yaml").write_text(case.text.replace(f"id: {case.document_id}", f"id: hostile-{i}", 1),
                                                  encoding="utf-8")
    result = cli("rules", "import", str(folder))
    no_traceback(result)
    assert f"error: nothing imported: {len(loadable)} errors" in result.stderr
    for i, case in enumerate(loadable):
        assert re.search(rf"hostile-{i}\.yaml:\d+: {re.escape(case.path)}\S*: {re.escape(case.message)}",
                         result.stderr), case.name
    assert "no revision" in cli("rules", "history", "hostile-0").stderr


def test_rules_import_refuses_a_version_ten_years_away(cli, monkeypatch, tmp_path):
    monkeypatch.setattr("webapp.cli.context.now", lambda: NOW)
    folder = tmp_path / "later"
    folder.mkdir()
    (folder / "late-fee.yaml").write_text(late_fee(effective="2040-01-01"), encoding="utf-8")
    services = RULES / "utilities" / "city-services.yaml"  # the late fee's service, fees, is on the city's list
    (folder / services.name).write_text(services.read_text(encoding="utf-8"), encoding="utf-8")
    result = cli("rules", "import", str(folder))
    no_traceback(result)
    assert re.search(r"late-fee\.yaml:\d+: versions\[1\]\.effective: at most 10 years after 2026-03-02 "
                     r"\(found 2040-01-01\)", result.stderr)
    assert "no revision of late-fee" in cli("rules", "history", "late-fee").stderr


FACT_FILES = [
    ('{"past_due_balance": "1e999999999"}', "error: past_due_balance: '1e999999999' has more than 12 digits"),
    ('{"past_due_balance": 1e999999999}', "error: past_due_balance: 1E+999999999 has more than 12 digits"),
    ('{"past_due_balance": ' + "9" * 5000 + "}", "error: past_due_balance: 99999999999999999999... (5000 characters)"),
    ('{"past_due_balance": "1e-999999"}', "error: past_due_balance: '1e-999999' has more than 12 decimals"),
    ('{"past_due_balance": NaN}', "error: past_due_balance: nan is not an amount of money"),
    ("[" * 100_000, "error: facts in - are nested too deep"),
    ('{"past_due_balance": "' + "1" * 2_000_000 + '"}', "error: facts in - are over 1024 KiB"),
    ("{", "error: facts in - are not JSON"),
]


@pytest.mark.parametrize("facts,message", FACT_FILES, ids=[m[7:40] for _, m in FACT_FILES])
def test_rules_eval_refuses_a_hostile_fact_with_its_name(facts, message, ordinance):
    result = ordinance("rules", "eval", "late-fee", "--as-of", "2026-03-02", "--facts", "-", "--rules-dir",
                       str(RULES), stdin=facts)
    no_traceback(result)
    assert result.stderr.startswith(message), result.stderr


def test_rules_eval_refuses_facts_that_are_not_utf8(ordinance, tmp_path):
    facts = tmp_path / "facts.json"
    facts.write_bytes(b"\xff\xfe{}")
    result = ordinance("rules", "eval", "late-fee", "--as-of", "2026-03-02", "--facts", str(facts),
                       "--rules-dir", str(RULES))
    no_traceback(result)
    assert result.stderr == f"error: facts in {facts} are not UTF-8 text\n"


def test_rules_eval_of_a_date_fact_out_of_range(ordinance):
    result = ordinance("rules", "eval", "business-license-renewal", "--as-of", "2026-03-02", "--facts", "-",
                       "--rules-dir", str(RULES), stdin=json.dumps({"expires_on": "9999-12-31",
                                                                   "license_fee": "145.00"}))
    no_traceback(result)
    assert result.stderr == "error: expires_on: 9999-12-31 is outside the years 1900 to 2199\n"


def test_a_report_to_a_file_that_cannot_be_written_is_a_message(cli, tmp_path):
    (tmp_path / "a-file").write_text("x")
    for target, reason in ((Path("/nonexistent/x.csv"), "No such file or directory"),
                           (tmp_path / "a-file" / "x.csv", "Not a directory")):
        result = cli("reports", "aging", "--as-of", "2026-03-02", "--output", str(target))
        no_traceback(result)
        assert result.stderr == f"Error: {target}: {reason}\n"


def test_rules_validate_judges_effective_dates_by_the_city_date(cli, committing_db, monkeypatch, tmp_path):
    """At 03:00 UTC on July 1 it is June 30 in Alder Creek, July 1 in Auckland: a version of 2036-07-01 is 10 years
    and a day away in one, 10 years in the other."""
    from engine.city import update_city
    from engine.store.db import transaction

    moment = datetime(2026, 7, 1, 3, 0, tzinfo=timezone.utc)
    monkeypatch.setattr("webapp.cli.context.now", lambda: moment)
    file = tmp_path / "late-fee.yaml"
    file.write_text(late_fee(effective="2036-07-01"), encoding="utf-8")
    refused = cli("rules", "validate", str(file))
    no_traceback(refused)
    assert "versions[1].effective: at most 10 years after 2026-06-30 (found 2036-07-01)" in refused.stdout
    with transaction(committing_db) as session:
        update_city(session, actor="test", now=moment, timezone="Pacific/Auckland")
    assert cli("rules", "validate", str(file)).stdout == "1 document is valid\n"


@pytest.mark.parametrize("typed", ["²:00", "1²:00", "09:①5", "١٢:30", "１２:30"])
def test_a_time_of_day_in_digits_other_than_0_to_9_is_refused_by_its_field(typed):
    """"²:00" was a ValueError out of int() (a 500 on a step's form with a time); "١٢:30" was kept as 12:30."""
    from engine.workflow.forms import FormError, FormField, read_form

    at = FormField("shutoff_time", "time", "Shut off at", required=True)
    with pytest.raises(FormError) as refused:
        read_form((at,), {"shutoff_time": typed})
    assert str(refused.value) == f"shutoff_time: {typed!r} is not a time of day (HH:MM, 24-hour)"
    assert read_form((at,), {"shutoff_time": "9:05"}) == {"shutoff_time": "09:05"}
