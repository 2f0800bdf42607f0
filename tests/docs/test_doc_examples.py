"""The pages in docs/ hold only examples that work.

- Every ```yaml block of docs/rules-format.md is a rule document that the real loader reads,
  and together they form a valid rule library (ids unique, references resolved); every key the
  rule schema accepts is named on the page; the worked examples give the amounts the page says.
- Every ```yaml block of docs/workflow-format.md is a workflow definition that the real loader
  reads against the sample city's rules/; every key, action, value form, field type, subject,
  fact, role and notice the loader knows is named on the page.
- A ```yaml broken block is a deliberate mistake: the ```text block right after it holds the
  errors it must give, one per line, exactly as `ordinance rules validate` prints them
  (`FILE:LINE: PATH: MESSAGE`).
- Every `ordinance ...` command shown in docs/ names a real command and only its options and
  arguments (checked on click's command objects); every command and option is on
  docs/command-line.md.
"""
from __future__ import annotations

import re
import shlex
from datetime import date
from decimal import Decimal
from pathlib import Path

import click
import yaml
import pytest

from engine.rules.diff import version_words
from engine.rules.errors import DocumentErrors
from engine.rules.errors import EvaluationError
from engine.rules.library import RuleLibrary
from engine.rules.loader import load_document
from engine.rules.kinds import KINDS
from engine.rules.schema import schema_for
from engine.workflow.definitions import WorkflowSet, load_workflow
from samplecity.city import APPROVAL_ROLE_IDS

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"
RULES_PAGE = DOCS / "rules-format.md"
WORKFLOW_PAGE = DOCS / "workflow-format.md"
COMMAND_PAGE = DOCS / "command-line.md"
FENCE = re.compile(r"^```(\S*)(?:[ \t]+(\S+))?[ \t]*$")


def fenced_blocks(path: Path) -> list[tuple[str, str, str, int]]:
    """Every fenced block of a page: (language, marker, text, line of the opening fence)."""
    blocks, current = [], None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if current is None:
            opening = FENCE.match(line)
            if opening:
                current = (opening[1], opening[2] or "", [], number)
        elif line.startswith("```"):
            language, marker, lines, start = current
            blocks.append((language, marker, "\n".join(lines) + "\n", start))
            current = None
        else:
            current[2].append(line)
    assert current is None, f"{path.name}: the block opened on line {current[3]} is never closed"
    return blocks


def examples(path: Path) -> list[tuple[str, int]]:
    """The ```yaml blocks that must load: (text, line)."""
    return [(text, line) for language, marker, text, line in fenced_blocks(path)
            if language == "yaml" and marker == ""]


def broken_examples(path: Path) -> list[tuple[str, list[str], int]]:
    """The ```yaml broken blocks with the error lines of the ```text block that follows each."""
    blocks = fenced_blocks(path)
    found = []
    for i, (language, marker, text, line) in enumerate(blocks):
        if language != "yaml" or marker == "":
            continue
        assert marker == "broken", f"{path.name}:{line}: unknown fence marker {marker!r} (only `yaml broken`)"
        following = blocks[i + 1] if i + 1 < len(blocks) else None
        assert following is not None and following[0] == "text", \
            f"{path.name}:{line}: a broken example is followed by a ```text block of the errors it gives"
        found.append((text, following[2].strip().splitlines(), line))
    return found


def refusal(load, text: str, expected: list[str]) -> list[str]:
    """The errors loading `text` gives, as printed, named after the file the expected lines name."""
    source = expected[0].split(":", 1)[0]
    with pytest.raises(DocumentErrors) as refused:
        load(text, source)
    return [str(error) for error in refused.value.errors]


def load_example(load, text: str, page: str, fence: int):
    """`load(text, source)` of an example; its errors, if any, named by the page's own line numbers."""
    try:
        return load(text, page)
    except DocumentErrors as refused:
        where = "\n".join(f"{page}:{fence + e.line}: {e.path}: {e.message}" for e in refused.errors)
        raise AssertionError(f"the example at {page}:{fence} does not load:\n{where}") from None


def backticked(path: Path) -> set[str]:
    """Every word inside `code` in a page's prose (not its examples), split at non-name characters."""
    text = re.sub(r"^```.*?^```[ \t]*$", "", path.read_text(encoding="utf-8"), flags=re.M | re.S)
    spans = re.findall(r"`+([^`]+)`+", text)
    return {word for span in spans for word in re.findall(r"[A-Za-z0-9_-]+", span)}


# --- rule documents --------------------------------------------------------------------------------


def rule_examples() -> list[tuple[str, int]]:
    """The rule documents of docs/rules-format.md."""
    return examples(RULES_PAGE)


@pytest.mark.parametrize("text,line", [pytest.param(*e, id=f"line {e[1]}") for e in rule_examples()])
def test_every_rule_example_loads(text: str, line: int) -> None:
    """Each ```yaml block is a valid rule document."""
    load_example(load_document, text, "docs/rules-format.md", line)


def test_rule_examples_form_a_library() -> None:
    """Together they are a library: ids unique, every reference to another document resolved."""
    documents = [load_example(load_document, text, "docs/rules-format.md", line) for text, line in rule_examples()]
    assert len(documents) >= 8
    assert {doc.kind for doc in documents} == set(KINDS)
    RuleLibrary.from_documents(documents)


def beside_the_city(city_rules: RuleLibrary):
    """`load(text, source)`: a rule document read, then put among the sample city's rules (in place of one of its id)
    and read with its workflows, as a folder of both is (a sweep's steps are checked against the workflows)."""
    def load(text: str, source: str) -> WorkflowSet:
        doc = load_document(text, source)
        rules = RuleLibrary.from_documents([doc, *(other for other in city_rules if other.id != doc.id)])
        return WorkflowSet.from_folder(REPO / "workflows", rules, APPROVAL_ROLE_IDS)
    return load


@pytest.mark.parametrize("text,expected,line",
                         [pytest.param(*e, id=f"line {e[2]}") for e in broken_examples(RULES_PAGE)])
def test_broken_rule_example_gives_the_message_shown(text: str, expected: list[str], line: int,
                                                     city_rules: RuleLibrary) -> None:
    """Each ```yaml broken block is refused with exactly the errors shown under it, read alone or, as a sweep naming
    steps it cannot take is refused, beside the sample city's rules and workflows."""
    assert refusal(beside_the_city(city_rules), text, expected) == expected


def test_the_broken_sweep_s_steps_mended_as_the_page_says_are_taken(city_rules: RuleLibrary) -> None:
    """The sweep refused for its steps loads beside the city once it names the steps the page gives."""
    page = RULES_PAGE.read_text(encoding="utf-8")
    mended = re.search(r"^With `steps: \[([a-z_, ]+)\]` it is taken\.$", page, re.M)
    [text] = [text for text, _, _ in broken_examples(RULES_PAGE) if text.startswith("id: lien-notices")]
    assert mended is not None
    beside_the_city(city_rules)(text.replace("[mail_intent, record_lien]", f"[{mended[1]}]"), "lien-notices.yaml")


def test_rules_page_has_broken_examples() -> None:
    """The error section shows real refusals."""
    assert len(broken_examples(RULES_PAGE)) >= 3


def _schema_keys(schema: object, found: set[str]) -> None:
    """Every property name anywhere in a JSON Schema."""
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key == "properties" and isinstance(value, dict):
                found.update(value)
            _schema_keys(value, found)
    elif isinstance(schema, list):
        for item in schema:
            _schema_keys(item, found)


def test_every_key_of_the_rule_schema_is_documented() -> None:
    """Every key any kind's schema accepts, and every enumerated word, is named in `code` on the page."""
    keys: set[str] = set()
    for kind in KINDS:
        _schema_keys(schema_for(kind), keys)
    words = {"schedule", "criteria", "calendar", "deadline", "number", "integer", "money", "boolean", "text", "date",
             "incremental", "all_units", "half_up", "half_even", "first", "unique", "all", "office_day", "shutoff_day",
             "subtotal", "year", "mon", "tue", "wed", "thu", "fri", "sat", "sun"}
    missing = sorted((keys | words) - backticked(RULES_PAGE))
    assert not missing, f"docs/rules-format.md does not name: {', '.join(missing)}"


def _library() -> RuleLibrary:
    """The rule examples of the page as a library."""
    return RuleLibrary.from_documents(load_example(load_document, text, "docs/rules-format.md", line)
                                      for text, line in rule_examples())


WORKED = [  # document, facts, as of, period, what the page says the total (or outcome) is
    ("late-fee", {"past_due_balance": "52.03"}, "2026-03-02", None, "5.20"),
    ("late-fee", {"past_due_balance": "12.00"}, "2026-03-02", None, "2.00"),
    ("late-fee", {"past_due_balance": "8.50"}, "2026-03-02", None, "0.00"),
    ("late-fee", {"past_due_balance": "1200.00"}, "2026-03-02", None, "75.00"),
    ("water-rates-residential", {"meter_size": '3/4"', "consumption_ccf": 12}, "2026-02-01", None, "90.77"),
    ("water-rates-residential", {"meter_size": '3/4"', "consumption_ccf": 12}, "2026-07-20",
     ("2026-06-16", "2026-07-15"), "93.05"),
    ("drought-surcharge", {"consumption_ccf": 21, "meter_size": '3/4"', "low_income": True}, "2026-09-02", None,
     "8.58"),
    ("drought-surcharge", {"consumption_ccf": 400, "meter_size": '2"'}, "2026-09-02", None, "150.00"),
    ("business-license-fee", {"category": "restaurant", "employees": 12}, "2026-03-02", None, "197.00"),
    ("meter-test-fee", {"meter_size": '3/4"', "tests_12m": 2}, "2026-09-02", None, "45.00"),
    ("refuse-collection", {"carts": 2}, "2026-03-17", ("2026-03-01", "2026-03-17"), "42.88"),
    ("refuse-collection", {"carts": 1}, "2026-03-03", ("2026-03-01", "2026-03-03"), "19.10"),
    ("refuse-collection", {"carts": 1}, "2026-03-29", ("2026-03-01", "2026-03-29"), "39.60"),
    ("sidewalk-vending-permit-fee", {}, "2026-04-15", ("2026-04-15", "2026-12-31"), "139.00"),
    ("sidewalk-vending-permit-fee", {}, "2026-11-20", ("2026-11-20", "2026-12-31"), "49.00"),
    ("meter-test-fee", {"meter_size": '3/4"', "tests_12m": 2, "accuracy_percent": "102.3"}, "2026-09-02", None,
     "0.00"),
    ("water-rates-summer", {"consumption_ccf": 18, "winter_average_ccf": 7}, "2026-03-02", None, "72.04"),
    ("water-rates-summer", {"consumption_ccf": 18, "winter_average_ccf": 7}, "2026-07-15", None, "84.04"),
    ("water-rates-summer", {"consumption_ccf": 4, "winter_average_ccf": 7}, "2026-07-15", None, "26.08"),
    ("gross-receipts-tax", {"gross_receipts": "1250000.00"}, "2026-03-02", None, "1,500.00"),
    ("gross-receipts-tax", {"gross_receipts": "1250000.01"}, "2026-03-02", None, "1,501.20"),
    ("gross-receipts-tax", {"gross_receipts": "52000.00"}, "2026-03-02", None, "75.00"),
    ("business-license-by-receipts", {"gross_receipts": "250000.00"}, "2026-07-01", None, "184.00"),
    ("street-event-fee", {"ticket_receipts": "12400.00", "bond_posted": "5000.00"}, "2026-07-01", None, "374.00"),
    ("street-event-fee", {"ticket_receipts": "250000.00", "bond_posted": "7500.00"}, "2026-07-01", None,
     "2,400.00"),
    ("water-rates-multifamily", {"consumption_ccf": 30, "dwelling_units": 4}, "2026-03-02", None, "322.40"),
    ("water-rates-multifamily", {"consumption_ccf": 10, "dwelling_units": 1}, "2026-03-02", None, "110.20"),
]


@pytest.mark.parametrize("document_id,facts,as_of,period,total", WORKED)
def test_worked_schedule_examples_give_the_amounts_shown(document_id, facts, as_of, period, total) -> None:
    """The page's worked examples, evaluated, give the totals it prints."""
    span = tuple(date.fromisoformat(d) for d in period) if period else None
    result = _library().evaluate(document_id, facts, date.fromisoformat(as_of), period=span)
    assert result.total == Decimal(total.replace(",", ""))
    assert total in RULES_PAGE.read_text(encoding="utf-8")


def test_a_money_fact_is_written_as_money_in_the_explanation_as_shown() -> None:
    """$250,000.00 of gross receipts, a money input: the band's line says the fact and the band's limit as money."""
    result = _library().evaluate("business-license-by-receipts", {"gross_receipts": "250000.00"}, date(2026, 7, 1))
    detail = result.lines[0]["detail"]
    assert detail == "gross receipts $250,000.00 (up to $500,000.00): 180.00"
    assert f"`{detail}`" in RULES_PAGE.read_text(encoding="utf-8")


@pytest.mark.parametrize("facts, details", [
    ({"ticket_receipts": "12400.00", "bond_posted": "5000.00"},
     ["fixed amount 0.01 x $12,400.00 (ticket receipts)", "bond posted $5,000.00: 250.00"]),
    ({"ticket_receipts": "250000.00", "bond_posted": "7500.00"},
     ["fixed amount 0.01 x $200,000.00 (ticket receipts $250,000.00, at most $200,000.00)",
      "bond posted $7,500.00: not listed, default 400.00"]),
])
def test_a_line_multiplied_by_money_and_a_table_on_money_are_explained_as_shown(facts, details) -> None:
    """The street event fee: the multiplier (and its max) and the table's key read as money, as the page says."""
    result = _library().evaluate("street-event-fee", facts, date(2026, 7, 1))
    assert [line["detail"] for line in result.lines] == details
    page = RULES_PAGE.read_text(encoding="utf-8")
    assert all(f"`{detail}`" in page for detail in details)


def test_the_money_examples_read_in_words_as_shown() -> None:
    """A version's words write a money fact's tier limit, table keys and multiplier's max as money, as the page."""
    library, page = _library(), RULES_PAGE.read_text(encoding="utf-8")
    for document_id, term in [("business-license-by-receipts", "tier 2 up to: $500,000.00"),
                              ("street-event-fee", "multiplied by: ticket_receipts, at most $200,000.00"),
                              ("street-event-fee", "bond posted $5,000.00: $250.00")]:
        doc = library.get(document_id)
        assert term in [str(found) for found in version_words(doc, doc.versions[-1])]
        assert f"`{term}`" in page


def test_units_counted_per_1000_of_money_are_explained_and_read_in_words_as_shown() -> None:
    """The tax per $1,000 of gross receipts: `per` and `over` read as money, the thousands counted as a count."""
    library, page = _library(), RULES_PAGE.read_text(encoding="utf-8")
    result = library.evaluate("gross-receipts-tax", {"gross_receipts": "1250000.01"}, date(2026, 3, 2))
    detail = result.lines[1]["detail"]
    assert detail == \
        "1201 x 1.20 per $1,000.00 ($1,200,000.01 over the first $50,000.00, a part of a unit counts whole)"
    assert f"`{detail}`" in page
    doc = library.get("gross-receipts-tax")
    words = [str(found) for found in version_words(doc, doc.versions[-1])]
    for term in ("not charged: the first $50,000.00", "rate per: $1,000.00"):
        assert any(word.endswith(term) for word in words) and f"`{term}`" in page, (term, words)


def test_a_seasonal_rate_over_a_period_takes_the_month_of_the_read() -> None:
    """The page's period 2026-09-16 to 2026-10-15 is billed at October's rate: 18 x 2.40 + 7 x 4.12."""
    result = _library().evaluate("water-rates-summer", {"consumption_ccf": 18, "winter_average_ccf": 7},
                                 date(2026, 10, 20), period=(date(2026, 9, 16), date(2026, 10, 15)))
    assert result.total == Decimal("72.04")


def test_a_use_over_its_cap_says_the_use_and_the_cap_as_shown() -> None:
    """18 CCF with a winter average of 7: the sewer line's detail names both, as the page quotes it."""
    result = _library().evaluate("water-rates-summer", {"consumption_ccf": 18, "winter_average_ccf": 7},
                                 date(2026, 3, 2))
    detail = result.lines[-1]["detail"]
    assert detail == "7 CCF x 4.12 (consumption ccf 18 CCF, at most winter average ccf 7 CCF)"
    assert f"`{detail}`" in RULES_PAGE.read_text(encoding="utf-8")


def test_a_term_to_the_end_of_the_anniversary_month_is_as_shown() -> None:
    """Issued 2026-03-10: expires 2027-03-31; issued 2027-02-10: 2028-02-29."""
    library = _library()
    assert [library.evaluate("rental-license-renewal", {"issued_on": issued}, date(2027, 3, 1)).to_json()["expires_on"]
            for issued in ("2026-03-10", "2027-02-10")] == ["2027-03-31", "2028-02-29"]


def test_shutoffs_and_the_weather_are_as_shown() -> None:
    """104°F forecast high: not allowed, with the reason shown; 70/91: allowed; no forecast: the message shown."""
    library, page = _library(), RULES_PAGE.read_text(encoding="utf-8")
    hot = library.evaluate("shutoff-weather", {"date": "2026-07-01", "forecast_low": 82, "forecast_high": 104},
                           date(2026, 6, 1)).to_json()
    assert hot["allowed"] is False and hot["reasons"] == [
        "the forecast high for 2026-07-01 is 104°F (no shut-offs when it is at least 95°F)"]
    assert " ".join(hot["reasons"][0].split()) in " ".join(page.split())
    mild = library.evaluate("shutoff-weather", {"date": "2026-07-01", "forecast_low": 70, "forecast_high": 91},
                            date(2026, 6, 1)).to_json()
    assert mild["allowed"] is True
    with pytest.raises(EvaluationError) as failure:
        library.evaluate("shutoff-weather", {"date": "2026-07-01"}, date(2026, 6, 1))
    assert " ".join(str(failure.value).split()) in " ".join(page.split())


def test_the_same_days_every_year_are_as_shown() -> None:
    """The winter moratorium's page output is what `rules eval` prints for 2029-02-14, a year no version names."""
    from engine.rules.kinds.calendar import calendar_lines

    shown = _library().evaluate("winter-moratorium", {"date": "2029-02-14"}, date(2026, 6, 1)).to_json()
    page_text = next(t for language, _, t, _ in fenced_blocks(RULES_PAGE) if language == "text"
                     and t.startswith("winter-moratorium"))
    assert page_text.splitlines()[1:] == calendar_lines(shown)


def test_worked_decisions_and_dates_are_as_shown() -> None:
    """The criteria, calendar and deadline examples decide and date as the page says."""
    library, page = _library(), RULES_PAGE.read_text(encoding="utf-8")
    owner = {"past_due_balance": "312.40", "days_past_due": 95, "rate_class": "residential", "owner_is_customer": True}
    on = date(2026, 3, 2)
    assert library.evaluate("lien-eligibility", owner, on).outcome == {"lien": "eligible", "notice": "lien-intent"}
    appeal = library.evaluate("lien-eligibility", {**owner, "appeal_pending": True}, on).outcome
    assert appeal == {"lien": "not_eligible", "reason": "below_threshold"}
    assert library.evaluate("refund-approval", {"amount": "250.00", "source": "deposit"}, on).outcome == \
        {"approver_role": "clerk", "second_approval": False}
    holds = library.evaluate("shutoff-holds", {"appeal_pending": True, "medical_certificate": True,
                                               "days_past_due": 70}, on)
    assert holds.outcome == [{"hold": "appeal"}, {"hold": "medical"}]
    steps = library.evaluate("city-calendar", {"cycle": "A", "period": "2026-06"}, on).to_json()["steps"]
    assert (steps["due"], steps["door_hanger"], steps["shutoff"]) == ("2026-06-22", "2026-08-20", "2026-08-24")
    day = library.evaluate("city-calendar", {"date": "2026-06-18"}, on).to_json()
    assert day["reasons"] == ["2026-06-18 is the office day before a holiday (Juneteenth)"]
    assert day["reasons"][0] in page
    late = library.evaluate("business-license-renewal", {"expires_on": "2026-12-31", "license_fee": "145.00"},
                            date(2027, 3, 15)).to_json()
    assert (late["status"], late["days_late"], late["months_late"], late["penalty"]["total"], late["grace_ends"]) \
        == ("late", 42, 2, "29.00", "2027-02-01")
    issued = library.evaluate("business-license-renewal", {"issued_on": "2026-03-10", "license_fee": "145.00"}, on)
    assert issued.expires_on == date(2026, 12, 31)


def test_the_yearly_holidays_are_as_shown() -> None:
    """The page's holidays of 2027 are what `rules eval` prints; 2028 has 12 (Christmas Eve moved back to Friday the
    22nd); the one-off closure stands beside them."""
    from engine.rules.kinds.calendar import calendar_lines
    from engine.rules.lint import lint_document

    library = _library()
    shown = library.evaluate("holiday-calendar", {"holidays": 2027}, date(2026, 12, 1)).to_json()
    printed = "\n".join(calendar_lines(shown))
    page_text = next(t for language, _, t, _ in fenced_blocks(RULES_PAGE) if language == "text"
                     and t.startswith("holiday-calendar"))
    assert page_text.splitlines()[1:] == printed.splitlines()
    later = library.evaluate("holiday-calendar", {"holidays": 2028}, date(2026, 12, 1)).to_json()["holidays"]
    assert len(later) == 12 and later["2028-11-11"] == "Veterans Day"  # a Saturday, observed only on a Sunday
    assert later["2028-12-22"] == "Christmas Eve (observed)" and later["2028-12-25"] == "Christmas Day"
    spring = library.evaluate("holiday-calendar", {"holidays": 2026}, date(2026, 12, 1)).to_json()["holidays"]
    assert spring["2026-04-10"] == "Closed for the move to the new City Hall" and spring["2026-07-03"] == \
        "Independence Day (observed)"
    assert lint_document(library.get("holiday-calendar")) == []


PLAN_BEGUN, PLAN_BILL_DUE = date(2026, 3, 2), date(2026, 2, 22)


def _worked_plan_terms(document_id: str):
    """The terms a plan-terms example of the page gives the $180.00 customer on the day the page's plan begins."""
    from engine.rules import plans

    result = _library().evaluate(document_id, {"past_due_balance": "180.00"}, PLAN_BEGUN)
    return plans.PlanTerms.read(result.outcome, document_id)


@pytest.mark.parametrize("document_id, due, words", [
    ("payment-plan-terms", (date(2026, 3, 22), date(2026, 4, 22), date(2026, 5, 22)),
     "$43.33 on March 22 and April 22 and $43.34 on May 22"),
    ("payment-plan-terms-every-two-months", (date(2026, 4, 22), date(2026, 6, 22), date(2026, 8, 22)),
     "$43.33 on April 22 and June 22 and $43.34 on August 22"),
])
def test_the_worked_payment_plans_are_as_shown(document_id, due, words) -> None:
    """Each plan-terms example gives the plan the page works out: $50.00 down, 3 installments on the days shown,
    and the words it quotes of the plan's explanation."""
    from engine.rules import plans

    page = " ".join(RULES_PAGE.read_text(encoding="utf-8").split())
    plan = plans.agree(_worked_plan_terms(document_id), Decimal("180.00"), 3, PLAN_BEGUN, bill_due_on=PLAN_BILL_DUE)
    assert plan.down_payment == Decimal("50.00")
    assert plan.installments == tuple(zip(due, (Decimal("43.33"), Decimal("43.33"), Decimal("43.34"))))
    assert words in page
    if plan.installment_months != 1:
        assert f'ends "{plan.explanation[-1].removesuffix(".")}"' in page


def test_the_worked_payment_plan_refuses_what_the_page_says() -> None:
    """Asking the first example for 6 installments is refused in the page's words."""
    from engine.rules import plans
    from engine.rules.errors import EvaluationError

    page = " ".join(RULES_PAGE.read_text(encoding="utf-8").split())
    with pytest.raises(EvaluationError) as refused:
        plans.agree(_worked_plan_terms("payment-plan-terms"), Decimal("180.00"), 6, PLAN_BEGUN,
                    bill_due_on=PLAN_BILL_DUE)
    assert str(refused.value).removesuffix(" (payment-plan-terms)") in page


def test_the_phone_export_layout_example_is_as_shown() -> None:
    """command-line.md's vendor layout is one the city setting keeps, and its file begins as the page says."""
    from engine.phone_export_layout import checked_layout, layout_of

    page = " ".join(COMMAND_PAGE.read_text(encoding="utf-8").split())
    text = next(t for language, _, t, _ in fenced_blocks(COMMAND_PAGE) if language == "yaml" and "heading:" in t)
    layout = layout_of(checked_layout(yaml.safe_load(text)))
    assert f"Its file begins `{','.join(layout.headings)}`" in page
    row = layout.row({"account_number": "1-0001", "name": "Rosa Delgado", "phone": "530-555-0142", "language": "en",
                      "amount": "52.03", "shutoff_on": "2026-11-20"})
    assert f"a row reads `{','.join(row.values())}`" in page


def test_the_chart_of_accounts_example_is_the_sample_city_s() -> None:
    """money.md's chart is the one a city books to until it saves its own, and its refusal is the one quoted."""
    from engine.chart_of_accounts import SAMPLE_CHART, ChartError, checked_chart

    money = DOCS / "money.md"
    page = " ".join(money.read_text(encoding="utf-8").split())
    text = next(t for language, _, t, _ in fenced_blocks(money) if language == "yaml" and "cash_account:" in t)
    assert checked_chart(yaml.safe_load(text)) == SAMPLE_CHART
    with pytest.raises(ChartError) as refused:
        checked_chart({**SAMPLE_CHART, "deposits_held": {"fund": "510", "account": "twenty-two"}})
    assert f"`{refused.value}`" in page


def test_the_unique_overlap_message_is_as_shown() -> None:
    """The page's `hit: unique` mistake gives the message it quotes."""
    text = next(t for t, _ in rule_examples() if t.startswith("id: refund-approval"))
    overlapping = load_document(text.replace("- {fact: amount, lte: 100.00}", "- {fact: amount, lte: 500.00}"), "x")
    library = RuleLibrary.from_documents([overlapping])
    with pytest.raises(Exception) as refused:
        library.evaluate("refund-approval", {"amount": "250.00", "source": "overpayment"}, date(2026, 3, 2))
    assert str(refused.value) in RULES_PAGE.read_text(encoding="utf-8")


# --- workflow definitions --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def city_rules() -> RuleLibrary:
    """The sample city's rules/, which workflow examples refer to."""
    return RuleLibrary.from_folder(REPO / "rules")


@pytest.mark.parametrize("text,line", [pytest.param(*e, id=f"line {e[1]}") for e in examples(WORKFLOW_PAGE)])
def test_every_workflow_example_loads(text: str, line: int, city_rules: RuleLibrary) -> None:
    """Each ```yaml block is a valid workflow definition against the sample city's rules."""
    load_example(lambda t, s: load_workflow(t, s, city_rules, APPROVAL_ROLE_IDS), text, "docs/workflow-format.md", line)


@pytest.mark.parametrize("text,expected,line",
                         [pytest.param(*e, id=f"line {e[2]}") for e in broken_examples(WORKFLOW_PAGE)])
def test_broken_workflow_example_gives_the_message_shown(text: str, expected: list[str], line: int,
                                                         city_rules: RuleLibrary) -> None:
    """Each ```yaml broken block is refused with exactly the errors shown under it."""
    assert refusal(lambda t, s: load_workflow(t, s, city_rules, APPROVAL_ROLE_IDS), text, expected) == expected


def test_workflow_page_has_examples() -> None:
    """A complete definition at least, and a refusal."""
    assert len(examples(WORKFLOW_PAGE)) >= 2
    assert broken_examples(WORKFLOW_PAGE)


def test_everything_the_workflow_loader_knows_is_documented() -> None:
    """Every key (of a step, a due date, an action), tag, kind of day, action, `set:` value form, field type,
    subject, fact, role and notice is named on the page."""
    from engine.notices.catalog import NOTICE_TYPES
    from engine.store.models import ROLES
    from engine.workflow import checks
    from engine.workflow.actions import ACTIONS
    from engine.workflow.facts import SUBJECT_FACTS
    from engine.workflow.forms import FIELD_TYPES

    value_keys = {"days", "from", "calendar", "roll", "office_days", "step", "deadline", "field", "rule", "outcome",
                  "fact", "next", "month", "nth", "lead_days"}
    from engine.workflow.actions import waive
    from engine.workflow.model import DAY_KINDS, STATE_TAGS

    names = (set(checks.TOP_KEYS) | set(checks.STATE_KEYS) | set(checks.TRANSITION_KEYS) | set(checks.FIELD_KEYS)
             | set(checks.DUE_KEYS) | set(DAY_KINDS) | set(STATE_TAGS) | set(waive.KEYS)
             | set(ACTIONS) | set(checks.BY) | set(checks.ROLLS) | set(checks.DEADLINE_FIELDS)
             | set(FIELD_TYPES) | set(SUBJECT_FACTS) | set(ROLES) | set(NOTICE_TYPES) | value_keys
             | {fact for facts in SUBJECT_FACTS.values() for fact in facts})
    missing = sorted(names - backticked(WORKFLOW_PAGE))
    assert not missing, f"docs/workflow-format.md does not name: {', '.join(missing)}"


# --- the command line ------------------------------------------------------------------------------

SHELL_LANGUAGES = ("sh", "shell", "bash", "console", "ini")  # ini: systemd units (ExecStart=...)
SHELL_OPERATORS = {"|", "||", "&&", ";", ">", ">>", "<", "&", "(", ")"}


def _root() -> click.Context:
    """The `ordinance` group's context (its help options, -h and --help, are inherited)."""
    from webapp.cli import main

    return click.Context(main, info_name="ordinance", **main.context_settings)


def _commands_in_shell(text: str) -> list[str]:
    """Each `ordinance ...` command of a shell block (continuation lines joined, comments dropped)."""
    joined = re.sub(r"\\\n", " ", text)
    found = []
    for line in joined.splitlines():
        line = line.strip().removeprefix("$ ").removeprefix("ExecStart=")
        if "ordinance" not in line or line.startswith("#"):
            continue
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        lexer.commenters = "#"
        segment: list[str] = []
        for token in list(lexer) + [";"]:
            if token in SHELL_OPERATORS:
                while segment and re.match(r"^[A-Z_][A-Z0-9_]*=", segment[0]):
                    segment.pop(0)  # VAR=value before the command
                if segment and (segment[0] == "ordinance" or segment[0].endswith("/bin/ordinance")):
                    found.append(shlex.join(["ordinance", *segment[1:]]))
                segment = []
            else:
                segment.append(token)
    return found


def shown_commands() -> list[tuple[str, str]]:
    """Every `ordinance ...` command on the docs pages: (page:line, command)."""
    found = []
    for page in sorted(DOCS.glob("*.md")):
        blocks = fenced_blocks(page)
        inside = {n for _, _, text, start in blocks for n in range(start, start + text.count("\n") + 2)}
        for language, _, text, start in blocks:
            if language in SHELL_LANGUAGES:
                found += [(f"{page.name}:{start}", command) for command in _commands_in_shell(text)]
        lines = page.read_text(encoding="utf-8").splitlines()
        prose = "\n".join("" if number in inside else line for number, line in enumerate(lines, start=1))
        for span in re.finditer(r"(?<!`)`(ordinance(?:\s[^`]*)?)`(?!`)", prose):  # a span may wrap a line
            number = prose.count("\n", 0, span.start()) + 1
            found.append((f"{page.name}:{number}", " ".join(span[1].split())))
    return found


PLACEHOLDER = re.compile(r"^[A-Z][A-Z0-9_:.,/=-]*$")  # NAME, FILE, DATE, FROM:TO, KEY=VALUE ...


def check_command(command: str) -> None:
    """The command names a real (sub)command and only options and arguments it has; AssertionError if not."""
    words = [w for w in shlex.split(command.replace("[", " ").replace("]", " ")) if w not in ("...", "…")]
    assert words[0] == "ordinance", command
    ctx, cmd, path = _root(), None, ["ordinance"]
    cmd = ctx.command
    rest = words[1:]
    while isinstance(cmd, click.Group) and rest and not rest[0].startswith("-"):
        sub = cmd.get_command(ctx, rest[0])
        assert sub is not None, f"{command!r}: `{' '.join(path)}` has no command {rest[0]!r}"
        path.append(rest[0])
        ctx = click.Context(sub, info_name=rest[0], parent=ctx)
        cmd, rest = sub, rest[1:]
    if isinstance(cmd, click.Group):
        helps = set(ctx.help_option_names)
        assert all(w in helps for w in rest), f"{command!r}: `{' '.join(path)}` takes a command, not {rest}"
        return
    try:
        values, left, _ = cmd.make_parser(ctx).parse_args(list(rest))
    except click.UsageError as error:
        raise AssertionError(f"{command!r}: {error.format_message()}") from None
    assert not left, f"{command!r}: `{' '.join(path)}` takes no argument {left}"
    for param in cmd.get_params(ctx):
        value = values.get(param.name)
        if isinstance(param.type, click.Choice) and isinstance(value, (str, list, tuple)):
            for item in value if isinstance(value, (list, tuple)) else [value]:
                assert PLACEHOLDER.match(str(item)) or item in param.type.choices, \
                    f"{command!r}: {item!r} is not one of {', '.join(param.type.choices)}"


def test_docs_show_ordinance_commands() -> None:
    """The pages show many commands (so the check below checks something)."""
    assert len(shown_commands()) >= 40


@pytest.mark.parametrize("where,command", [pytest.param(*c, id=c[0]) for c in shown_commands()])
def test_every_command_shown_exists_with_its_options(where: str, command: str) -> None:
    """Each command shown in docs/ parses against the real `ordinance` command line."""
    check_command(command)


def test_the_check_refuses_what_does_not_exist() -> None:
    """A command, an option or an argument that is not there is refused."""
    for wrong in ("ordinance rules evaluate", "ordinance rules eval ID --as-off DATE", "ordinance serve --color",
                  "ordinance sweep run delinquency --night 2026-05-01", "ordinance db upgrade now"):
        with pytest.raises(AssertionError):
            check_command(wrong)
    check_command("ordinance rules eval water-rates-residential --as-of 2026-02-01 --facts - --json")


def _every_command() -> list[tuple[list[str], click.Command, click.Context]]:
    """Every command and subcommand of `ordinance`, with its context."""
    found = []

    def walk(ctx: click.Context, path: list[str]) -> None:
        command = ctx.command
        found.append((path, command, ctx))
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                walk(click.Context(command.get_command(ctx, name), info_name=name, parent=ctx), [*path, name])

    walk(_root(), ["ordinance"])
    return found


def test_every_command_and_option_is_on_the_command_line_page() -> None:
    """docs/command-line.md names every command and subcommand, and every option of each.

    An option counts as documented in the command's own section or in a group's above it (options
    that every command of a group shares are described once, in the group's section).
    """
    page = COMMAND_PAGE.read_text(encoding="utf-8")
    missing = []
    for path, command, ctx in _every_command():
        name = " ".join(path)
        if f"`{name}" not in page:
            missing.append(f"`{name}`")
            continue
        sections = "".join(_section(page, " ".join(path[:n])) for n in range(2, len(path) + 1))
        for param in command.get_params(ctx):
            if isinstance(param, click.Option) and "--help" not in param.opts:
                if not any(f"`{opt}" in sections or f" {opt}" in sections for opt in param.opts):
                    missing.append(f"{name} {param.opts[0]}")
    assert not missing, "docs/command-line.md does not document: " + "; ".join(missing)


def _section(page: str, name: str) -> str:
    """The part of the page about a command: from its heading to the next heading of its level or above."""
    heading = re.search(rf"^(#+) `{re.escape(name)}( [^`]*)?`", page, re.M)
    if heading is None:
        return page if name.count(" ") == 1 else ""
    level = len(heading[1])
    after = re.compile(rf"^#{{1,{level}}} ", re.M).search(page, heading.end())
    return page[heading.start(): after.start() if after else len(page)]


# --- links between the pages -----------------------------------------------------------------------


def _anchors(page: Path) -> set[str]:
    """The anchors of a page's headings, as GitHub makes them (lower case, punctuation dropped, - for spaces)."""
    text = re.sub(r"^```.*?^```[ \t]*$", "", page.read_text(encoding="utf-8"), flags=re.M | re.S)
    headings = re.findall(r"^#+ (.+)$", text, re.M)
    return {re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in headings}


def test_every_link_between_the_pages_leads_somewhere() -> None:
    """Each relative link in docs/ (and the README's links into docs/) names a file there, and a heading in it."""
    broken = []
    for page in [*sorted(DOCS.glob("*.md")), REPO / "README.md"]:
        for target in re.findall(r"\]\(([^)\s]+)\)", page.read_text(encoding="utf-8")):
            if re.match(r"^[a-z]+:", target):
                continue
            name, _, anchor = target.partition("#")
            file = (page.parent / name).resolve() if name else page
            if not file.exists():
                broken.append(f"{page.name}: {target} (no such file)")
            elif anchor and file.suffix == ".md" and anchor not in _anchors(file):
                broken.append(f"{page.name}: {target} (no such heading)")
    assert not broken, "; ".join(broken)


def _links_leaving_the_repository(pages: list[Path]) -> list[str]:
    """The relative links of these pages that lead out of the repository (a file a user of Ordinance lacks)."""
    leaving = []
    for page in pages:
        for target in re.findall(r"\]\(([^)\s]+)\)", page.read_text(encoding="utf-8")):
            name = target.partition("#")[0]
            if re.match(r"^[a-z]+:", target) or not name:
                continue
            if not (page.parent / name).resolve().is_relative_to(REPO):
                leaving.append(f"{page.name}: {target}")
    return leaving


def test_the_readme_and_docs_link_only_inside_the_repository(tmp_path: Path) -> None:
    """The README sends readers to docs/, never to ../shared: a link out of the clone passes the check above
    on a machine that happens to hold the file, so it is refused here whether it exists or not."""
    assert _links_leaving_the_repository([*sorted(DOCS.glob("*.md")), REPO / "README.md"]) == []
    assert "docs/rules-format.md" in (REPO / "README.md").read_text(encoding="utf-8")
    stray = tmp_path / "README.md"
    stray.write_text("The format is in [RULES-FORMAT](../shared/RULES-FORMAT.md).\n", encoding="utf-8")
    assert _links_leaving_the_repository([stray]) == ["README.md: ../shared/RULES-FORMAT.md"]


@pytest.mark.parametrize("page,contract", [(RULES_PAGE, "RULES-FORMAT.md"), (WORKFLOW_PAGE, "WORKFLOW-FORMAT.md")])
def test_the_format_pages_say_they_supersede_the_design_contract(page: Path, contract: str) -> None:
    """The repository's format pages, not the shared design contract, say what the system reads: each says so."""
    text = " ".join(page.read_text(encoding="utf-8").split())
    assert "supersedes the project's design contract" in text and f"(`{contract}` in the shared design folder)" in text
