"""A workflow's `when:` naming an assistance program the city does not run is refused, as a rule document's is: by
the draft check (the web draft pages), at publication and by an import, with the same one check and message shape
(engine.rulebook.drafting.program_errors)."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from engine.rulebook import workflow_revisions, workflow_store
from engine.rulebook.workflow_revisions import check_workflow_draft
from engine.rules.errors import DocumentErrors
from tests.accounts.test_assistance_programs import PROGRAMS, set_programs
from tests.factories import sample_version
from tests.workflow.conftest import REPO, at

TODAY = date(2026, 5, 1)
DELINQUENCY = (REPO / "workflows" / "delinquency.yaml").read_bytes().decode("utf-8")
SAMPLE = sample_version("delinquency")  # the version workflows/delinquency.yaml is
DOOR_HANGER_WHEN = "    due: door_hanger_on\n    when: {rule: shutoff-eligibility, outcome: {eligible: true}}\n"
MEDICAL_LINE_TEXT = "        - not: {fact: assistance_programs, contains: medical_baseline}"
SENIOR_LINE_TEXT = "  when: {not: {fact: assistance_programs, contains: senior}}"


def delinquency_next() -> str:
    """The next version of delinquency: no door hanger for a medical baseline household, no case opened for a
    senior."""
    assert DELINQUENCY.count(DOOR_HANGER_WHEN) == 1 and DELINQUENCY.count(f"\nversion: {SAMPLE}\n") == 1
    text = DELINQUENCY.replace(f"version: {SAMPLE}\n", f"version: {SAMPLE + 1}\neffective: 2026-06-01\n", 1).replace(
        DOOR_HANGER_WHEN,
        "    due: door_hanger_on\n    when:\n      all:\n"
        "        - {rule: shutoff-eligibility, outcome: {eligible: true}}\n" + MEDICAL_LINE_TEXT + "\n")
    return text.replace("tags: [collection, past_due_accounts]\n",
                        "tags: [collection, past_due_accounts]\nopening:\n" + SENIOR_LINE_TEXT + "\n"
                        "  says: seniors are called, not sent notices\n", 1)


TEXT = delinquency_next()
MEDICAL_LINE = TEXT.splitlines().index(MEDICAL_LINE_TEXT) + 1
SENIOR_LINE = TEXT.splitlines().index(SENIOR_LINE_TEXT) + 1
DOOR_HANGER_STEP = next(i for i, line in enumerate(
    [line for line in TEXT.splitlines() if line.startswith("  - id: ")]) if line == "  - id: post_door_hanger")


def refusal(program: str, where: str, runs: str) -> str:
    """What the check says of a program the city does not run (the rule documents' words)."""
    return (f"delinquency: {where} names the assistance program {program!r}, which the city does not run (it runs: "
            f"{runs}): add the program on Administration > Assistance programs first, or name one the city runs")


@pytest.fixture
def stored(db, catalog, staff):
    """The sample city's workflows published by the system's first import."""
    workflow_store.import_folder(db, REPO / "workflows", catalog.rules, actor="cli:admin", now=at(TODAY), today=TODAY)
    return db


def test_a_draft_naming_a_program_the_city_does_not_run_is_refused_with_the_step_line_and_path(stored, catalog):
    refused = check_workflow_draft(stored, catalog.rules, "delinquency", TEXT, TODAY)
    assert [(error.line, error.path, error.message) for error in refused.errors] == [
        (SENIOR_LINE, "opening.when.not.contains", refusal("senior", "the opening", "cap")),
        (MEDICAL_LINE, f"transitions[{DOOR_HANGER_STEP}].when.all[1].not.contains",
         refusal("medical_baseline", "step 'post_door_hanger'", "cap"))]
    with pytest.raises(DocumentErrors):
        workflow_store.draft(stored, refused, "sam", at(TODAY))
    assert len(workflow_revisions.history(stored, "delinquency")) == 1
    set_programs(stored, PROGRAMS[:2])  # medical_baseline added; senior still not run
    still = check_workflow_draft(stored, catalog.rules, "delinquency", TEXT, TODAY)
    assert [error.message for error in still.errors] == [refusal("senior", "the opening", "cap, medical_baseline")]
    set_programs(stored, PROGRAMS)
    checked = check_workflow_draft(stored, catalog.rules, "delinquency", TEXT, TODAY)
    assert checked.ok
    row = workflow_store.draft(stored, checked, "sam", at(TODAY))
    assert workflow_store.publish(stored, catalog.rules, "delinquency", row.revision, "sofia", at(TODAY),
                                  TODAY).status == "published"


def test_publication_checks_again_a_draft_saved_while_the_city_ran_the_program(stored, catalog):
    """The programs went back to the sample city's list after the draft was saved (a draft names nothing the city
    runs on): publishing it is refused with the draft check's errors, and nothing is published."""
    set_programs(stored, PROGRAMS)
    row = workflow_store.draft(stored, check_workflow_draft(stored, catalog.rules, "delinquency", TEXT, TODAY),
                               "sam", at(TODAY))
    set_programs(stored, PROGRAMS[:1])
    with pytest.raises(DocumentErrors) as refused:
        workflow_store.publish(stored, catalog.rules, "delinquency", row.revision, "sofia", at(TODAY), TODAY)
    assert [(error.source, error.line, error.message) for error in refused.value.errors] == [
        (f"delinquency revision {row.revision}", SENIOR_LINE, refusal("senior", "the opening", "cap")),
        (f"delinquency revision {row.revision}", MEDICAL_LINE,
         refusal("medical_baseline", "step 'post_door_hanger'", "cap"))]
    assert row.status == "draft"
    assert [r.version for r in workflow_revisions.published_rows(stored, "delinquency")] == [SAMPLE]


def test_an_import_is_refused_whole_with_the_draft_check_s_errors(stored, catalog, tmp_path: Path):
    folder = tmp_path / "wf"
    folder.mkdir()
    (folder / "delinquency.yaml").write_text(TEXT, encoding="utf-8")
    (folder / "refunds.yaml").write_bytes((REPO / "workflows" / "refunds.yaml").read_bytes())
    drafted = check_workflow_draft(stored, catalog.rules, "delinquency", TEXT, TODAY)
    with pytest.raises(DocumentErrors) as refused:
        workflow_store.import_folder(stored, folder, catalog.rules, actor="cli:admin", now=at(TODAY), today=TODAY,
                                     author="sam", approver="sofia")
    source = str(folder / "delinquency.yaml")
    assert [(error.source, error.line, error.path, error.message) for error in refused.value.errors] == [
        (source, error.line, error.path, error.message) for error in drafted.errors]
    assert len(refused.value.errors) == 2
    assert [row.revision for row in workflow_revisions.history(stored, "delinquency")] == [1]
    set_programs(stored, PROGRAMS)
    report = workflow_store.import_folder(stored, folder, catalog.rules, actor="cli:admin", now=at(TODAY),
                                          today=TODAY, author="sam", approver="sofia")
    assert [(row.workflow_id, row.version) for row in report.published] == [("delinquency", SAMPLE + 1)]
