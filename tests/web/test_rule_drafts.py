"""Drafting a rule version on the web: check, save, see the impact, publish by a second person."""
from __future__ import annotations

import copy
import html
import importlib.util
import re
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.money import ledger
from engine.rulebook import store
from engine.rulebook.drafting import check_draft
from engine.rules.results import as_text
from engine.store.models import AuditEntry, Bill, Job, RuleVersion
from tests.factories import NOW, create_account, create_business, create_customer, create_license
from tests.reading_support import reading  # noqa: F401  (fixture)
from tests.web.conftest import csrf_token
from tests.web.pages import fixed_clock  # noqa: F401  (fixture)

RULES = Path(__file__).resolve().parents[2] / "rules"
TODAY = date(2026, 3, 2)  # the fixed clock's day in the city
LATE_FEE = (RULES / "utilities" / "late-fee.yaml").read_text(encoding="utf-8")
LATE_FEE_12 = LATE_FEE.rstrip("\n") + "\n" + """\
  - effective: 2026-07-01
    reference: Resolution 2026-77
    lines:
      - name: Late payment penalty (12%)
        when: {fact: past_due_balance, gte: 10.00}
        percent: {of: {fact: past_due_balance}, rate: 12}
        min: 2.00
        max: 75.00
"""
RESIDENTIAL = (RULES / "utilities" / "water-rates-residential.yaml").read_text(encoding="utf-8")


@pytest.fixture()
def rule_store(db):
    """The repository's rules imported into the store and published (the city's first set-up)."""
    store.import_folder(db, RULES, actor="test", now=NOW, today=TODAY)
    return db


def drafts(db, document_id: str) -> list[RuleVersion]:
    """The document's stored drafts."""
    return list(db.scalars(select(RuleVersion).where(RuleVersion.document_id == document_id,
                                                     RuleVersion.status == "draft")))


def late_fee_on_200(client, day: str) -> str:
    """The rules page's evaluation of the late fee on a $200.00 past-due balance on the day."""
    page = client.post("/rules/late-fee/evaluate", data={"as_of": day, "fact_past_due_balance": "200.00"})
    assert page.status_code == 200
    return page.get_data(as_text=True)


def test_the_draft_page_starts_from_the_published_text(fixed_clock, rule_store, supervisor):
    page = supervisor.get("/rules/late-fee/draft").get_data(as_text=True)
    assert "Draft a new version" in page and "revision 1" in page
    assert "id: late-fee" in page and "Late payment penalty (10%)" in page  # in the textarea, escaped
    assert "<textarea" in page


def test_a_yaml_error_is_shown_with_its_line_and_path_and_nothing_is_stored(fixed_clock, rule_store, supervisor):
    broken = LATE_FEE_12.replace("rate: 12}", "rate: twelve}")
    response = supervisor.post("/rules/late-fee/draft", data={"text": broken, "save": "Save draft"})
    page = response.get_data(as_text=True)
    line = broken.splitlines().index("        percent: {of: {fact: past_due_balance}, rate: twelve}") + 1
    assert response.status_code == 400
    assert "In the version of 2026-07-01, line “Late payment penalty (12%)”, percent, rate: " in page  # in words
    assert f"line {line}, <code>versions[1].lines[0].percent.rate</code>" in page  # the detail for the YAML
    assert "nothing was stored" in page
    assert "rate: twelve" in page  # the text is kept for correcting
    assert drafts(rule_store, "late-fee") == []


def test_checking_a_valid_text_stores_nothing_and_says_what_publishing_would_refuse(fixed_clock, rule_store,
                                                                                      supervisor):
    changed = LATE_FEE.replace("rate: 10}", "rate: 11}")
    page = supervisor.post("/rules/late-fee/draft", data={"text": changed, "check": "Check the text"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "The text is valid" in text
    assert "is in force and cannot change" in text
    assert drafts(rule_store, "late-fee") == []


def test_saving_a_draft_parses_its_text_once_and_no_published_document(fixed_clock, rule_store, supervisor,
                                                                       reading):
    """The page checks against the app's catalog and the store reuses that check (before: the text twice,
    every published document twice, two libraries; and the draft's page: the text twice, every published
    document once more, one library)."""
    assert "$20.00" in late_fee_on_200(supervisor, "2026-07-01")  # the catalog is built
    parsed, built = reading
    parsed.clear(), built.clear()
    saved = supervisor.post("/rules/late-fee/draft", data={"text": LATE_FEE_12, "save": "Save draft"})
    assert saved.status_code == 302
    assert (parsed, built["libraries"]) == (Counter({"late-fee (draft)": 1}), 1)
    parsed.clear(), built.clear()
    assert "Waiting for a second approver" in supervisor.get(saved.headers["Location"]).get_data(as_text=True)
    assert parsed == Counter({"late-fee revision 2": 1})
    assert built["libraries"] == 1  # the check's (the impact is worked out by a background job)


def test_a_text_for_another_document_is_refused(fixed_clock, rule_store, supervisor):
    response = supervisor.post("/rules/late-fee/draft", data={"text": RESIDENTIAL, "save": "Save draft"})
    assert response.status_code == 400
    assert "this page drafts &#34;late-fee&#34;" in response.get_data(as_text=True)
    assert drafts(rule_store, "water-rates-residential") == []


def test_save_impact_then_a_second_supervisor_publishes(fixed_clock, rule_store, login_as, run_jobs):
    author, second = login_as("supervisor"), login_as("supervisor")
    owing = create_account(rule_store)
    ledger.post_charge(rule_store, owing.id, Decimal("200.00"), on=TODAY - timedelta(days=40),
                       due_on=TODAY - timedelta(days=20), now=NOW, actor="billing", description="Water and sewer")
    assert "$20.00" in late_fee_on_200(second, "2026-07-01")  # the catalog is built, with 10%

    saved = author.post("/rules/late-fee/draft", data={"text": LATE_FEE_12, "save": "Save draft"})
    assert saved.status_code == 302 and saved.headers["Location"].endswith("/rules/late-fee/drafts/2")
    assert "Waiting to start" in author.get("/rules/late-fee/drafts/2").get_data(as_text=True)
    assert len(run_jobs()) == 1  # the scheduler's worker works the impact out
    impact = author.get("/rules/late-fee/drafts/2").get_data(as_text=True)
    assert "version of Jul 1, 2026" in impact and "accounts with a past-due balance" in impact
    assert "$20.00" in impact and "$24.00" in impact  # the one account's fee before and after
    assert owing.number in impact
    assert "Waiting for a second approver" in impact and "Publish this version" not in impact

    refused = author.post("/rules/late-fee/drafts/2/publish")
    assert refused.status_code == 403 and "Waiting for a second approver" in refused.get_data(as_text=True)
    assert drafts(rule_store, "late-fee")[0].status == "draft"

    approvals = second.get("/rules/approvals").get_data(as_text=True)
    assert "late-fee" in approvals and author.user.username in approvals
    assert "Publish this version" in second.get("/rules/late-fee/drafts/2").get_data(as_text=True)
    published = second.post("/rules/late-fee/drafts/2/publish")
    assert published.status_code == 302

    row = rule_store.scalar(select(RuleVersion).where(RuleVersion.document_id == "late-fee",
                                                      RuleVersion.revision == 2))
    assert (row.status, row.author, row.approver) == ("published", author.user.username, second.user.username)
    actions = [(a.action, a.actor) for a in rule_store.scalars(
        select(AuditEntry).where(AuditEntry.subject_id == "late-fee").order_by(AuditEntry.id))]
    assert actions[-3:] == [("rule.draft", author.user.username), ("rule.publish", second.user.username),
                            ("rule.approve", second.user.username)]  # the approval, with its comment (none here)
    # the next request of the same app uses the published version on its date, and not before
    assert "$24.00" in late_fee_on_200(second, "2026-07-01")
    assert "$20.00" in late_fee_on_200(second, "2026-06-30")
    assert "No drafts are waiting" in second.get("/rules/approvals").get_data(as_text=True)


def bill_on(client, day: str) -> str:
    """The rules page's residential bill for 12 CCF on a 3/4 inch meter with sewer, on the day."""
    page = client.post("/rules/water-rates-residential/evaluate", data={
        "as_of": day, "fact_meter_size": '3/4"', "fact_consumption_ccf": "12", "fact_sewer": "y"})
    assert page.status_code == 200
    return page.get_data(as_text=True)


def test_a_rate_draft_shows_the_bills_before_and_after_and_applies_on_its_date(fixed_clock, rule_store,
                                                                                 supervisor, login_as, run_jobs):
    account = create_account(rule_store)
    rule_store.add(Bill(account_id=account.id, cycle="A", period="2026-02", service_from=date(2026, 1, 16),
                        service_to=date(2026, 2, 15), billed_on=date(2026, 2, 16), due_on=date(2026, 3, 9),
                        consumption_ccf=12, total_cents=1, rule_id="water-rates-residential",
                        rule_version="2025-07-01", explanation={}))
    rule_store.flush()
    new = RESIDENTIAL[RESIDENTIAL.index("  - effective: 2027-07-01"):].replace("2027-07-01", "2028-07-01")
    new = new.replace("(FY2027-28)", "(FY2028-29)").replace("'3/4\"': 29.65", "'3/4\"': 39.65")
    saved = supervisor.post("/rules/water-rates-residential/draft",
                            data={"text": RESIDENTIAL.rstrip("\n") + "\n" + new, "save": "Save draft"})
    assert saved.status_code == 302
    supervisor.get(saved.headers["Location"])  # asks for the impact
    assert len(run_jobs()) == 1
    page = supervisor.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Totals over 1 accounts" in page and account.number in page
    assert f"Example: <a href=\"/accounts/{account.number}\">{account.number}</a>" in page  # linked to the account
    assert "Water base charge" in page
    assert "$39.65" not in bill_on(supervisor, "2028-07-01")
    assert login_as("admin").post(saved.headers["Location"] + "/publish").status_code == 302
    after = bill_on(supervisor, "2028-07-01")
    assert "version of Jul 1, 2028" in after and "$39.65" in after
    assert "$29.65" in bill_on(supervisor, "2028-06-30")


def test_a_clerk_is_refused_every_draft_page(fixed_clock, rule_store, login_as):
    clerk = login_as("clerk")
    row = store.draft(rule_store, check_draft(rule_store, "late-fee", LATE_FEE_12, TODAY), "import", NOW)
    for path in ("/rules/late-fee/draft", f"/rules/late-fee/drafts/{row.revision}", "/rules/approvals"):
        assert clerk.get(path).status_code == 403, path
    for path in ("/rules/late-fee/draft", f"/rules/late-fee/drafts/{row.revision}/publish"):
        assert clerk.post(path, data={"text": LATE_FEE_12, "save": "Save draft"}).status_code == 403, path
    assert rule_store.scalar(select(func.count()).select_from(RuleVersion)
                             .where(RuleVersion.document_id == "late-fee")) == 2
    assert drafts(rule_store, "late-fee")[0].revision == row.revision


def test_drafting_and_publishing_need_the_csrf_token(app, fixed_clock, rule_store, login_as):
    author, second = login_as("supervisor"), login_as("supervisor")
    app.config["WTF_CSRF_ENABLED"] = True
    assert author.post("/rules/late-fee/draft", data={"text": LATE_FEE_12, "save": "Save draft"}).status_code == 400
    assert drafts(rule_store, "late-fee") == []
    token = csrf_token(author.get("/rules/late-fee/draft"))
    saved = author.post("/rules/late-fee/draft", data={"text": LATE_FEE_12, "save": "Save draft", "csrf_token": token})
    assert saved.status_code == 302
    assert second.post("/rules/late-fee/drafts/2/publish").status_code == 400
    assert drafts(rule_store, "late-fee")[0].status == "draft"
    token = csrf_token(second.get("/rules/late-fee/drafts/2"))
    assert second.post("/rules/late-fee/drafts/2/publish", data={"csrf_token": token}).status_code == 302


def test_without_rules_in_the_store_the_page_says_to_import_them(fixed_clock, supervisor):
    response = supervisor.get("/rules/late-fee/draft")
    assert response.status_code == 409 and "ordinance rules import" in response.get_data(as_text=True)


def test_supervisors_find_approvals_in_the_menu_and_clerks_do_not(supervisor, clerk):
    assert 'href="/rules/approvals"' in supervisor.get("/").get_data(as_text=True)
    assert 'href="/rules/approvals"' not in clerk.get("/").get_data(as_text=True)


def test_a_draft_that_changes_the_cap_shows_the_change_and_warns_of_the_description(fixed_clock, rule_store,
                                                                                 supervisor):
    capped = LATE_FEE_12.replace("max: 75.00", "max: 100.00").replace("max: 100.00", "max: 75.00", 1)
    checked = supervisor.post("/rules/late-fee/draft", data={"text": capped, "check": "Check the text"})
    text = checked.get_data(as_text=True)
    assert checked.status_code == 200 and "The text is valid" in text
    assert "the description quotes $75.00, which the newest version (effective Jul 1, 2026) no longer holds" in text
    saved = supervisor.post("/rules/late-fee/draft", data={"text": capped, "save": "Save draft"})
    page = supervisor.get(saved.headers["Location"]).get_data(as_text=True)
    assert "What this draft changes in the published text" in page
    assert "The version of Jul 1, 2026: added" in page
    assert "Late payment penalty (12%)" in page and "$100.00" in page


def test_a_draft_naming_a_program_the_city_does_not_run_is_refused_on_the_page(fixed_clock, rule_store, supervisor):
    """The draft page checks against the city's data as an import does: the program, the rule, the programs the
    city runs; nothing stored. Words in a language the city does not print in are refused the same way (the pages
    had not checked them: check_draft asked the city only when handed a session)."""
    from tests.rules.test_drafting import MEDICAL_HOLD_2027, WORDS_IN_VIETNAMESE as WORDS

    response = supervisor.post("/rules/shutoff-eligibility/draft", data={"text": MEDICAL_HOLD_2027,
                                                                          "save": "Save draft"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert ("rule &#39;Hold, medical baseline&#39; names the assistance program &#39;medical_baseline&#39;, which "
            "the city does not run (it runs: cap)") in page
    assert "<code>versions[1].rules[0].when.contains</code>" in page
    assert drafts(rule_store, "shutoff-eligibility") == []
    words = supervisor.post("/rules/bill-messages/draft", data={"text": WORDS, "save": "Save draft"})
    assert words.status_code == 400
    assert "&#39;vi&#39; is not one of the city&#39;s languages (en, es)" in words.get_data(as_text=True)
    assert drafts(rule_store, "bill-messages") == []


def test_an_impact_example_shows_its_facts_in_staff_words(fixed_clock, rule_store, supervisor, run_jobs):
    """Each fact by its label and type: no list or true/false as Python writes them, money in dollars."""
    plain = create_account(rule_store)
    helped = create_account(rule_store, customer=create_customer(rule_store, low_income=True))
    for account in (plain, helped):
        ledger.post_charge(rule_store, account.id, Decimal("200.00"), on=TODAY - timedelta(days=40),
                           due_on=TODAY - timedelta(days=20), now=NOW, actor="billing", description="Water and sewer")
    saved = supervisor.post("/rules/late-fee/draft", data={"text": LATE_FEE_12, "save": "Save draft"})
    supervisor.get(saved.headers["Location"])  # asks for the impact
    assert len(run_jobs()) == 1
    page = html.unescape(supervisor.get(saved.headers["Location"]).get_data(as_text=True))
    facts = dict(re.findall(r'<h3 id="example-\d+">Example: <a href="/accounts/([^"]+)".*?Facts: (.*?)\.</p>', page,
                            re.S))
    assert set(facts) == {plain.number, helped.number}
    for shown in facts.values():
        assert "Past due: $200.00" in shown and "Balance: $200.00" in shown and "Account closed: no" in shown
        assert "[" not in shown and "true" not in shown and "false" not in shown
    assert "Assistance programs: none" in facts[plain.number] and "Low-income assistance: no" in facts[plain.number]
    assert "Assistance programs: Customer Assistance Program" in facts[helped.number]
    assert "Low-income assistance: yes" in facts[helped.number]


def _impact_page(supervisor, run_jobs, document_id: str, text: str) -> str:
    """A draft saved, its impact worked out (the one job), and its page as text."""
    saved = supervisor.post(f"/rules/{document_id}/draft", data={"text": text, "save": "Save draft"})
    assert saved.status_code == 302
    supervisor.get(saved.headers["Location"])  # asks for the impact
    assert len(run_jobs()) == 1
    return html.unescape(supervisor.get(saved.headers["Location"]).get_data(as_text=True))


def test_a_license_fee_example_writes_its_days_in_the_city_style(fixed_clock, rule_store, supervisor, run_jobs):
    """A license's term days as the pages write days, its fee in dollars, a flag as yes or no."""
    license_ = create_license(rule_store)
    fee = (RULES / "licensing" / "business-license-fee.yaml").read_text(encoding="utf-8")
    new = fee[fee.index("  - effective: 2026-07-01"):].replace("2026-07-01", "2026-09-01").replace(
        "amount: 4.00", "amount: 5.00")
    page = _impact_page(supervisor, run_jobs, "business-license-fee", fee.rstrip("\n") + "\n" + new)
    [shown] = re.findall(r"Facts: (.*?)\.</p>", page, re.S)
    assert license_.number in shown
    for words in ("Term began: Jan 1, 2026", "Term ends: Dec 31, 2026", "License fee: $150.00", "New permit: no",
                  "Business category: retail"):
        assert words in shown, words


def test_a_license_fee_by_gross_receipts_shows_the_receipts_as_money(fixed_clock, rule_store, supervisor, run_jobs):
    """A draft that prices gross receipts (declared money): the example's facts and its explanation say $250,000.00,
    the band's limit and the multiplier's most $500,000.00 and $200,000.00 (in the examples and the changes), never
    250000, 500000 or 200000 outside the draft's text."""
    shop = create_license(rule_store, business=create_business(rule_store, gross_receipts_cents=25_000_000))
    fee = (RULES / "licensing" / "business-license-fee.yaml").read_text(encoding="utf-8").replace(
        "  employees: {type: integer, min: 0}\n",
        "  employees: {type: integer, min: 0}\n  gross_receipts: {type: money, min: 0}\n")
    new = fee[fee.index("  - effective: 2026-07-01"):].replace("2026-07-01", "2026-09-01") + (
        "      - name: Gross receipts band\n"
        "        tiers:\n"
        "          fact: gross_receipts\n"
        "          mode: all_units\n"
        "          blocks: [{upto: 100000, amount: 0.00}, {upto: 500000, amount: 40.00}, {amount: 90.00}]\n"
        "      - name: Receipts surcharge\n"
        "        amount: 0.01\n"
        "        multiply_by: {fact: gross_receipts, max: 200000}\n")
    page = _impact_page(supervisor, run_jobs, "business-license-fee", fee.rstrip("\n") + "\n" + new)
    [shown] = re.findall(r"Facts: (.*?)\.</p>", page, re.S)
    assert shop.number in page and "Gross receipts: $250,000.00" in shown
    assert ("<tr><th scope=\"row\">Gross receipts band</th><td>gross receipts $250,000.00 (up to $500,000.00): 40.00"
            "</td><td class=\"num\">$40.00</td></tr>") in page
    assert ("<tr><th scope=\"row\">Receipts surcharge</th><td>fixed amount 0.01 x $200,000.00 (gross receipts "
            "$250,000.00, at most $200,000.00)</td><td class=\"num\">$2,000.00</td></tr>") in page
    assert "tier 2 up to: $500,000.00" in page and "multiplied by: gross_receipts, at most $200,000.00" in page
    read = re.sub(r"<(pre|textarea)\b.*?</\1>", "", page, flags=re.S)  # all but the draft's own text
    assert not any(figure in read for figure in ("250000", "500000", "200000"))


def _migration_0037():
    """The impact example facts migration's module (its rewrite of one saved report)."""
    path = Path(__file__).resolve().parents[2] / "engine/store/migrations/versions/0037_impact_example_facts.py"
    spec = importlib.util.spec_from_file_location("impact_example_facts", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_an_impact_saved_the_old_way_reads_in_staff_words_once_migrated(fixed_clock, rule_store, supervisor,
                                                                        run_jobs):
    """A report kept before facts kept their JSON types shows "[]" and "true"; after migration 0037, none and yes."""
    helped = create_account(rule_store, customer=create_customer(rule_store, low_income=True))
    plain = create_account(rule_store)
    for account in (helped, plain):
        ledger.post_charge(rule_store, account.id, Decimal("200.00"), on=TODAY - timedelta(days=40),
                           due_on=TODAY - timedelta(days=20), now=NOW, actor="billing", description="Water and sewer")
    saved = supervisor.post("/rules/late-fee/draft", data={"text": LATE_FEE_12, "save": "Save draft"})
    supervisor.get(saved.headers["Location"])  # asks for the impact
    [job] = run_jobs()
    job = rule_store.get(Job, job.id)
    old = copy.deepcopy(job.result)
    for example in old["money"]["examples"]:  # as the report was kept before: every fact as text
        example["facts"] = [[key, as_text(value)] for key, value in example["facts"]]
    job.result = old
    rule_store.flush()

    def facts_shown() -> dict[str, str]:
        page = html.unescape(supervisor.get(saved.headers["Location"]).get_data(as_text=True))
        return dict(re.findall(r'Example: <a href="/accounts/([^"]+)".*?Facts: (.*?)\.</p>', page, re.S))

    assert "Assistance programs: []" in facts_shown()[plain.number]  # what staff read before
    migrated = copy.deepcopy(old)
    assert _migration_0037()._rewritten(migrated)
    job.result = migrated
    rule_store.flush()
    shown = facts_shown()
    assert "Assistance programs: none" in shown[plain.number] and "Low-income assistance: no" in shown[plain.number]
    assert "Low-income assistance: yes" in shown[helped.number]
    assert all("[" not in words and "true" not in words and "None" not in words for words in shown.values())
