"""Workflow definitions in the rule store: imported, drafted, approved by a second person, effective on a day.

A case keeps the version it was opened under, also after a new version is published; the
running catalog reads the published versions (the folder only while the store has none).
"""
from __future__ import annotations

from samplecity.city import APPROVAL_ROLE_IDS

import logging
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from engine.rulebook import catalog_source, workflow_revisions, workflow_store
from engine.rulebook.store import RuleStoreError
from engine.rulebook.workflow_revisions import check_workflow_draft
from engine.rules.errors import DocumentErrors
from engine.store.models import AuditEntry, WorkflowVersion
from engine.workflow import services
from engine.workflow.services import Catalog
from tests.factories import create_account, sample_version
from tests.workflow.conftest import REPO, at, charge, pay

WORKFLOWS = REPO / "workflows"
TODAY = date(2026, 5, 1)
NEW_VERSION_FROM = date(2026, 6, 1)
SAMPLE = sample_version("refunds")  # the version workflows/refunds.yaml is
NEXT = SAMPLE + 1


def refunds_text() -> str:
    """The sample city's refunds workflow, as written."""
    return (WORKFLOWS / "refunds.yaml").read_bytes().decode("utf-8")


def refunds_next_version(effective: str | None = "2026-06-01") -> str:
    """The version after the sample's refunds (NEXT): a request may no longer be denied before it is researched."""
    header = f"version: {NEXT}\n" + (f"effective: {effective}\n" if effective else "")
    deny_from = "    from: [requested, researched, awaiting_second, awaiting_third, approved]\n    to: denied"
    changed = refunds_text().replace(f"version: {SAMPLE}\n", header, 1).replace(
        deny_from, "    from: [researched, awaiting_second, awaiting_third, approved]\n    to: denied")
    assert changed.count(f"version: {NEXT}\n") == 1
    assert "from: [researched, awaiting_second, awaiting_third, approved]" in changed
    return changed


def _files(folder: Path) -> dict[str, bytes]:
    """Every definition under a folder by name, with its bytes."""
    return {p.name: p.read_bytes() for p in folder.glob("*.yaml")}


def _actions(db) -> list[tuple[str, str, str]]:
    """The workflow audit rows: action, actor, subject."""
    return [(a.action, a.actor, a.subject_id) for a in db.scalars(
        select(AuditEntry).where(AuditEntry.action.like("workflow.%")).order_by(AuditEntry.id))]


@pytest.fixture
def stored(db, catalog, staff):
    """The sample city's workflows published by the system's first import."""
    report = workflow_store.import_folder(db, WORKFLOWS, catalog.rules, actor="cli:admin", now=at(TODAY), today=TODAY)
    assert sorted(r.workflow_id for r in report.published) == ["adjustments", "delinquency", "licensing", "liens",
                                                               "refunds"]
    return db


def draft_next(db, catalog, author: str = "sam", effective: str | None = "2026-06-01") -> WorkflowVersion:
    """The next version of refunds (NEXT) drafted by `author`."""
    checked = check_workflow_draft(db, catalog.rules, "refunds", refunds_next_version(effective), TODAY)
    return workflow_store.draft(db, checked, author, at(TODAY))


def test_import_then_export_gives_back_the_workflows_folder_byte_for_byte(stored, tmp_path):
    """The first import publishes the five definitions; the export is the folder; importing again changes nothing."""
    written = workflow_store.export(stored, tmp_path / "out")
    assert sorted(p.name for p in written) == ["adjustments.yaml", "delinquency.yaml", "licensing.yaml", "liens.yaml",
                                               "refunds.yaml"]
    assert _files(tmp_path / "out") == _files(WORKFLOWS)
    again = workflow_store.import_folder(stored, WORKFLOWS, Catalog.load(REPO / "rules", WORKFLOWS, APPROVAL_ROLE_IDS).rules,
                                         actor="cli:admin", now=at(TODAY), today=TODAY)
    assert (len(again.published), len(again.drafted), len(again.unchanged)) == (0, 0, 5)
    assert [a[0] for a in _actions(stored)] == ["workflow.draft", "workflow.publish"] * 5 + ["workflow.import"] * 2


def test_a_new_version_is_drafted_by_one_supervisor_and_published_by_another(stored, catalog):
    """sam drafts the next version; sam may not publish it; a clerk may not; sofia does; audited."""
    row = draft_next(stored, catalog)
    assert (row.revision, row.version, row.status, row.effective) == (2, NEXT, "draft", NEW_VERSION_FROM)
    with pytest.raises(RuleStoreError, match="needs a second person to approve it: sam drafted it"):
        workflow_store.publish(stored, catalog.rules, "refunds", 2, "sam", at(TODAY), TODAY)
    with pytest.raises(RuleStoreError, match="carla is a clerk; workflow versions are drafted and approved by a "
                                             "supervisor or an administrator"):
        workflow_store.publish(stored, catalog.rules, "refunds", 2, "carla", at(TODAY), TODAY)
    published = workflow_store.publish(stored, catalog.rules, "refunds", 2, "sofia", at(TODAY), TODAY)
    assert (published.status, published.author, published.approver) == ("published", "sam", "sofia")
    assert _actions(stored)[-2:] == [("workflow.draft", "sam", "refunds"), ("workflow.publish", "sofia", "refunds")]


def test_a_clerk_cannot_draft_a_workflow(stored, catalog):
    """Drafting is for supervisors and administrators."""
    with pytest.raises(RuleStoreError, match="the author carla is a clerk"):
        draft_next(stored, catalog, author="carla")


def test_a_published_revision_kept_with_a_title_longer_than_the_store_now_takes_is_still_read(stored, catalog):
    """A revision kept before titles were held to the store's 200 characters (an import on SQLite, which keeps
    longer text) still runs the city's cases: the length is checked where a definition comes in, not where the
    store's own are read."""
    long_title = "Refunds of credit balances" + " and more" * 30
    text = refunds_next_version().replace("title: Refunds of credit balances, deposits and license overpayments\n",
                                          f"title: {long_title}\n", 1)
    assert long_title in text and len(long_title) > 200
    sample = stored.scalars(select(WorkflowVersion).where(WorkflowVersion.workflow_id == "refunds")).one()
    stored.add(WorkflowVersion(workflow_id="refunds", revision=2, version=NEXT, title=long_title[:200],
                               subject=sample.subject, effective=NEW_VERSION_FROM, yaml_text=text,
                               sha256=sample.sha256, status="published", author="sam", approver="ana",
                               created_at=at(TODAY), published_at=at(TODAY), note=""))
    stored.flush()
    workflows = workflow_revisions.published_workflows(stored, catalog.rules)
    assert workflows.get("refunds").title == long_title
    again = check_workflow_draft(stored, catalog.rules, "refunds", text.replace(f"version: {NEXT}\n",
                                                                               f"version: {NEXT + 1}\n", 1), TODAY)
    assert [str(error) for error in again.errors] == [
        "refunds (draft):2: title: longer than the 200 characters the store keeps"]


def test_a_case_keeps_the_version_it_opened_under_after_a_new_one_is_published(stored, catalog):
    """A refund asked on May 5 stays on the sample's version (deny offered when requested); one asked June 2 is on the
    next."""
    draft_next(stored, catalog)
    workflow_store.publish(stored, catalog.rules, "refunds", 2, "sofia", at(TODAY), TODAY)
    running = catalog_source.current_catalog(stored, REPO / "rules", WORKFLOWS)
    early, late = create_account(stored), create_account(stored)
    for account in (early, late):
        charge(stored, account.id, "80.00", on=date(2026, 4, 1), due_on=date(2026, 4, 22))
        pay(stored, account.id, "80.00", on=date(2026, 4, 20))
        pay(stored, account.id, "80.00", on=date(2026, 4, 21))
    before = services.open_case(stored, running, "refunds", early.id, actor="carla", on=date(2026, 5, 31),
                                now=at(date(2026, 5, 31)), fields={"amount": "80.00", "source": "overpayment"})
    after = services.open_case(stored, running, "refunds", late.id, actor="carla", on=NEW_VERSION_FROM,
                               now=at(NEW_VERSION_FROM), fields={"amount": "80.00", "source": "overpayment"})
    assert (before.workflow_version, after.workflow_version) == (SAMPLE, NEXT)

    def offered(case) -> list[str]:
        return [s.id for s in services.steps_for(stored, running, case.id, user="sofia", on=date(2026, 6, 3))]

    assert offered(before) == ["research", "deny"]
    assert offered(after) == ["research"]
    services.take_step(stored, running, before.id, "deny", user="sofia", on=date(2026, 6, 3),
                       now=at(date(2026, 6, 3)), version=before.version, form={"denial_reason": "asked twice"})
    assert before.state == "denied"


@pytest.mark.parametrize(("effective", "problem"), [
    (None, "refunds: a new version takes effect on a day: add effective: YYYY-MM-DD (2026-05-01 or later); until "
           f"then version {SAMPLE} opens new cases"),
    ("2026-04-30", "refunds: effective 2026-04-30 is in the past: cases opened since then are on version "
                   f"{SAMPLE}; date it 2026-05-01 or later"),
])
def test_a_new_version_takes_effect_on_a_day_not_in_the_past(stored, catalog, effective, problem):
    """The draft may be kept; publishing it is refused, saying what to write."""
    draft_next(stored, catalog, effective=effective)
    with pytest.raises(RuleStoreError) as refused:
        workflow_store.publish(stored, catalog.rules, "refunds", 2, "sofia", at(TODAY), TODAY)
    assert str(refused.value) == problem


def test_a_published_version_never_changes(stored, catalog):
    """A changed text under the same version number is refused at publication, and by the database."""
    same_version = refunds_text().replace("label: Requested}", "label: Asked for}")
    checked = check_workflow_draft(stored, catalog.rules, "refunds", same_version, TODAY)
    assert checked.publish_problems == [
        f"version {SAMPLE} is published (revision 1) and never changes: cases run on it; a change is a new version "
        f"(version: {NEXT})"]
    with pytest.raises(DBAPIError, match="a published workflow version never changes"):
        with stored.begin_nested():
            stored.execute(text("UPDATE workflow_versions SET yaml_text = 'x' WHERE workflow_id = 'refunds'"))
    with pytest.raises(DBAPIError, match="a published workflow version never changes"):
        with stored.begin_nested():
            stored.execute(text("DELETE FROM workflow_versions WHERE workflow_id = 'refunds'"))


def test_a_draft_is_checked_with_line_and_path(stored, catalog):
    """The definition's own errors, each with its line and path; nothing stored."""
    broken = refunds_next_version().replace("    to: denied", "    to: refused")
    checked = check_workflow_draft(stored, catalog.rules, "refunds", broken, TODAY, source="refunds (draft)")
    assert [str(e) for e in checked.errors] == ['refunds (draft):127: transitions[7].to: unknown state "refused"; '
                                                'states: requested, researched, awaiting_second, awaiting_third, '
                                                'approved, issued, denied, voided']
    with pytest.raises(DocumentErrors):
        workflow_store.draft(stored, checked, "sam", at(TODAY))
    assert len(workflow_revisions.history(stored, "refunds")) == 1


def test_an_import_after_the_first_drafts_unless_two_people_approve(stored, catalog, tmp_path):
    """Without people it drafts; with --author sam --approver sofia the same text's draft is published."""
    folder = tmp_path / "wf"
    folder.mkdir()
    (folder / "refunds.yaml").write_text(refunds_next_version(), encoding="utf-8")
    drafted = workflow_store.import_folder(stored, folder, catalog.rules, actor="cli:admin", now=at(TODAY),
                                           today=TODAY)
    assert [(r.workflow_id, r.version, r.status, r.author) for r in drafted.drafted] == [
        ("refunds", NEXT, "draft", "import")]
    approved = workflow_store.import_folder(stored, folder, catalog.rules, actor="cli:admin", now=at(TODAY),
                                            today=TODAY, author="sam", approver="sofia")
    assert [(r.revision, r.status, r.approver) for r in approved.published] == [(2, "published", "sofia")]
    exported = tmp_path / "out"
    workflow_store.export(stored, exported)
    assert (exported / "refunds.yaml").read_bytes() == refunds_next_version().encode("utf-8")
    assert (exported / f"refunds.v{SAMPLE}.yaml").read_bytes() == refunds_text().encode("utf-8")


def test_the_running_catalog_reads_the_store_and_the_folder_only_while_it_has_none(db, catalog, staff, tmp_path,
                                                                                   caplog):
    """An old database: the folder, said once in the log; after the import, the store (a folder change is not read)."""
    caplog.set_level(logging.WARNING, "ordinance.catalog")
    catalog_source._told.discard(str(WORKFLOWS))
    from_folder = catalog_source.current_catalog(db, REPO / "rules", WORKFLOWS)
    catalog_source.current_workflows(db, catalog.rules, WORKFLOWS)
    assert from_folder.workflows.get("refunds").source == str(WORKFLOWS / "refunds.yaml")
    assert [r.getMessage() for r in caplog.records] == [
        f"the rule store has no published workflows: reading the folder {WORKFLOWS}; load it into the store with "
        "`ordinance workflows import`"]
    workflow_store.import_folder(db, WORKFLOWS, catalog.rules, actor="cli:admin", now=at(TODAY), today=TODAY)
    from_store = catalog_source.current_workflows(db, catalog.rules, tmp_path / "nothing here")
    assert from_store.get("refunds").source == "refunds revision 1"
    assert from_store.get("refunds").text == refunds_text()


def test_the_preview_names_cases_that_would_change_state_or_see_other_steps(stored, catalog):
    """Deny no longer offered to a requested refund; a draft without a case's state moves the case."""
    from engine.rulebook.workflow_revisions import published_workflows
    from engine.workflow.definitions import load_workflow
    from engine.workflow.preview import preview_draft

    running = catalog_source.current_catalog(stored, REPO / "rules", WORKFLOWS)
    requested, researched = create_account(stored), create_account(stored)
    cases = []
    for account in (requested, researched):
        charge(stored, account.id, "80.00", on=date(2026, 4, 1), due_on=date(2026, 4, 22))
        pay(stored, account.id, "80.00", on=date(2026, 4, 20))
        pay(stored, account.id, "80.00", on=date(2026, 4, 21))
        cases.append(services.open_case(stored, running, "refunds", account.id, actor="carla", on=TODAY,
                                        now=at(TODAY), fields={"amount": "80.00", "source": "overpayment"}))
    services.take_step(stored, running, cases[1].id, "research", user="carla", on=TODAY, now=at(TODAY),
                       version=cases[1].version, form={"research_notes": "paid twice"})
    workflows = published_workflows(stored, catalog.rules)
    seen = []
    draft = load_workflow(refunds_next_version(), "refunds (draft)", catalog.rules, APPROVAL_ROLE_IDS)
    report = preview_draft(stored, catalog.rules, workflows, draft, TODAY, chunk=1,
                           progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 2), (2, 2)]
    assert (report.open_cases, report.state_changes, report.step_changes) == (2, 0, 1)
    assert report.other_steps == [{"case": cases[0].id, "version": SAMPLE, "state": "requested",
                                   "now": ["research", "deny"], "draft": ["research"]}]
    renamed = refunds_next_version().replace("researched:  {label: Researched}", "reviewed:  {label: Reviewed}") \
        .replace("to: researched", "to: reviewed").replace("from: researched", "from: reviewed") \
        .replace("from: [researched, awaiting_second, awaiting_third, approved]",
                 "from: [reviewed, awaiting_second, awaiting_third, approved]")
    moved = preview_draft(stored, catalog.rules, workflows,
                          load_workflow(renamed, "refunds (draft)", catalog.rules, APPROVAL_ROLE_IDS), TODAY)
    assert moved.changes_state == [{"case": cases[1].id, "version": SAMPLE, "state": "researched", "now": None,
                                     "draft": None, "why": "the draft has no state researched"}]
