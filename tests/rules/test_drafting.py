"""Drafting a rule revision: one check of the text, read once, that the store and the draft page share."""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from engine.city import get_city
from engine.rulebook import revisions, store
from engine.rulebook.approval import WAITING_FOR_SECOND_APPROVER, may_publish, publish_refusal
from engine.rulebook.drafting import check_draft, city_data
from engine.rules.errors import DocumentErrors
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
        "the version of 2024-07-01 is in force and cannot change; add a new version dated 2026-11-24 "
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


# --- checked against the city's data: its assistance programs, its languages -----------------

SHUTOFF = (RULES / "utilities" / "shutoff-eligibility.yaml").read_text(encoding="utf-8")
MEDICAL_HOLD_2027 = SHUTOFF.replace(
    "  low_income: {type: boolean, default: false}\n",
    "  low_income: {type: boolean, default: false}\n  assistance_programs: {type: list, default: []}\n") + """\
  - effective: 2027-01-01
    reference: Alder Creek Municipal Code 13.04.120 (medical baseline households)
    hit: first
    rules:
      - name: Hold, medical baseline
        when: {fact: assistance_programs, contains: medical_baseline}
        then: {eligible: false, reason: medical_baseline}
      - name: Hold, senior not in the assistance program
        when:
          all:
            - {fact: assistance_programs, contains: senior}
            - not: {fact: assistance_programs, contains: cap}
        then: {eligible: false, reason: senior}
      - name: Otherwise
        then: {eligible: true, reason: delinquent}
"""
MEDICAL_LINE = MEDICAL_HOLD_2027.splitlines().index(
    "        when: {fact: assistance_programs, contains: medical_baseline}") + 1
SENIOR_LINE = MEDICAL_HOLD_2027.splitlines().index("            - {fact: assistance_programs, contains: senior}") + 1


def refusal(program: str, rule: str, runs: str) -> str:
    """What the check says of a program the city does not run."""
    return (f"shutoff-eligibility: rule {rule!r} names the assistance program {program!r}, which the city does not "
            f"run (it runs: {runs}): add the program on Administration > Assistance programs first, or name one the "
            "city runs")


def test_a_draft_naming_a_program_the_city_does_not_run_is_refused_naming_the_rule_and_the_programs(city_rules):
    """The sample city runs only `cap`: the medical baseline and senior holds would never match."""
    from tests.accounts.test_assistance_programs import PROGRAMS, set_programs

    refused = check_draft(city_rules, "shutoff-eligibility", MEDICAL_HOLD_2027, TODAY)
    assert [(error.line, error.path, error.message) for error in refused.errors] == [
        (MEDICAL_LINE, "versions[1].rules[0].when.contains", refusal("medical_baseline", "Hold, medical baseline", "cap")),
        (SENIOR_LINE, "versions[1].rules[1].when.all[0].contains",
         refusal("senior", "Hold, senior not in the assistance program", "cap"))]
    with pytest.raises(DocumentErrors):
        store.draft(city_rules, refused, "sam", NOW)
    set_programs(city_rules, PROGRAMS[:2])  # medical_baseline added; senior still not run
    still = check_draft(city_rules, "shutoff-eligibility", MEDICAL_HOLD_2027, TODAY)
    assert [error.message for error in still.errors] == [
        refusal("senior", "Hold, senior not in the assistance program", "cap, medical_baseline")]
    set_programs(city_rules, PROGRAMS)
    assert check_draft(city_rules, "shutoff-eligibility", MEDICAL_HOLD_2027, TODAY).ok


def test_the_web_s_library_check_asks_the_city_data_it_is_given(city_rules):
    """With the published library in hand (the web app), the city's data comes in as `city`; without it the draft
    is not checked against the city."""
    library = revisions.published_library(city_rules)
    assert check_draft(library, "shutoff-eligibility", MEDICAL_HOLD_2027, TODAY).ok
    given = check_draft(library, "shutoff-eligibility", MEDICAL_HOLD_2027, TODAY, city=city_data(city_rules))
    assert [error.path for error in given.errors] == ["versions[1].rules[0].when.contains",
                                                      "versions[1].rules[1].when.all[0].contains"]


def _folder(tmp_path: Path, name: str, text: str) -> Path:
    """A rules folder holding one document."""
    folder = tmp_path / "incoming"
    (folder / "utilities").mkdir(parents=True, exist_ok=True)
    (folder / "utilities" / f"{name}.yaml").write_text(text, encoding="utf-8")
    return folder


def test_an_import_is_refused_whole_for_a_program_the_city_does_not_run(city_rules, tmp_path):
    folder = _folder(tmp_path, "shutoff-eligibility", MEDICAL_HOLD_2027)
    with pytest.raises(DocumentErrors) as refused:
        store.import_folder(city_rules, folder, actor="test", now=NOW, today=TODAY, author="sam")
    source = str(folder / "utilities" / "shutoff-eligibility.yaml")
    assert [str(error) for error in refused.value.errors][0] == (
        f"{source}:{MEDICAL_LINE}: versions[1].rules[0].when.contains: "
        + refusal("medical_baseline", "Hold, medical baseline", "cap"))
    assert [row.revision for row in revisions.history(city_rules, "shutoff-eligibility")] == [1]


WORDS_IN_VIETNAMESE = (RULES / "utilities" / "bill-messages.yaml").read_text(encoding="utf-8").replace(
    "        en: Sign up for paperless e-bills", "        vi: Đăng ký hóa đơn điện tử.\n"
                                                 "        en: Sign up for paperless e-bills", 1)


def test_an_import_checks_words_against_the_city_s_languages_as_a_draft_does(city_rules, tmp_path):
    """Words in a language the city does not print in are refused by an import with the draft's own message."""
    folder = _folder(tmp_path, "bill-messages", WORDS_IN_VIETNAMESE)
    drafted = check_draft(city_rules, "bill-messages", WORDS_IN_VIETNAMESE, TODAY)
    with pytest.raises(DocumentErrors) as refused:
        store.import_folder(city_rules, folder, actor="test", now=NOW, today=TODAY, author="sam")
    assert [(error.line, error.path, error.message) for error in refused.value.errors] == \
        [(error.line, error.path, error.message) for error in drafted.errors] == [
            (WORDS_IN_VIETNAMESE.splitlines().index("        vi: Đăng ký hóa đơn điện tử.") + 1,
             "versions[0].messages[2].vi",
             "'vi' is not one of the city's languages (en, es): add it in the city settings first, or write the "
             "words in one of them")]


SWEEP = (RULES / "sweeps" / "delinquency.yaml").read_text(encoding="utf-8")
SWEEP_OPENS_NOT_MEDICAL = SWEEP.replace(
    "      when: {fact: past_due_balance, gt: 0}\n",
    "      when:\n        all:\n          - {fact: past_due_balance, gt: 0}\n"
    "          - not: {fact: assistance_programs, contains: medical_baseline}\n", 1)


def test_a_sweep_opening_cases_by_a_program_the_city_does_not_run_is_refused(city_rules):
    """A sweep's `opens.when` names its workflow subject's facts without declaring them as inputs: checked too."""
    from tests.accounts.test_assistance_programs import PROGRAMS, set_programs

    assert SWEEP_OPENS_NOT_MEDICAL != SWEEP
    refused = check_draft(city_rules, "delinquency", SWEEP_OPENS_NOT_MEDICAL, TODAY)
    assert [(error.line, error.path, error.message) for error in refused.errors] == [
        (SWEEP_OPENS_NOT_MEDICAL.splitlines().index(
            "          - not: {fact: assistance_programs, contains: medical_baseline}") + 1,
         "versions[0].opens.when.all[1].not.contains",
         "delinquency: a condition names the assistance program 'medical_baseline', which the city does not run (it "
         "runs: cap): add the program on Administration > Assistance programs first, or name one the city runs")]
    set_programs(city_rules, PROGRAMS[:2])
    assert check_draft(city_rules, "delinquency", SWEEP_OPENS_NOT_MEDICAL, TODAY).ok
