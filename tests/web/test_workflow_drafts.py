"""Drafting a workflow version on the web: check, save, preview it on the open cases, publish by a second person."""
from __future__ import annotations

import re

from datetime import date

import pytest
from sqlalchemy import select

from engine.rulebook import catalog_source, store, workflow_store
from engine.store.models import AuditEntry, WorkflowVersion
from engine.workflow import services
from tests.factories import NOW, create_account, sample_version
from tests.reading_support import reading  # noqa: F401  (fixture)
from tests.web.pages import fixed_clock  # noqa: F401  (fixture)
from tests.workflow.conftest import REPO, at, charge, pay
from tests.workflow.test_store import NEXT, SAMPLE, refunds_next_version

TODAY = date(2026, 3, 2)  # the fixed clock's day in the city


@pytest.fixture()
def workflow_store_of_city(db):
    """The repository's rules and workflows in the store, published by the city's first set-up."""
    store.import_folder(db, REPO / "rules", actor="test", now=NOW, today=TODAY)
    rules = catalog_source.current_rules(db, REPO / "rules")
    workflow_store.import_folder(db, REPO / "workflows", rules, actor="test", now=NOW, today=TODAY)
    return db


def requested_refund(db):
    """An open refund case, requested and not yet researched (the sample's version: it may still be denied)."""
    account = create_account(db)
    charge(db, account.id, "80.00", on=date(2026, 2, 1), due_on=date(2026, 2, 22))
    pay(db, account.id, "80.00", on=date(2026, 2, 20))
    pay(db, account.id, "80.00", on=date(2026, 2, 21))
    running = catalog_source.current_catalog(db, REPO / "rules", REPO / "workflows")
    return services.open_case(db, running, "refunds", account.id, actor="cli:test", on=TODAY, now=at(TODAY),
                              fields={"amount": "80.00", "source": "overpayment"})


def test_save_preview_then_a_second_supervisor_publishes(fixed_clock, workflow_store_of_city, login_as, run_jobs):
    """The draft is previewed on the open case (deny no longer offered), published by another, audited."""
    db = workflow_store_of_city
    case = requested_refund(db)
    author, second = login_as("supervisor"), login_as("supervisor")
    editor = author.get("/workflows/refunds/draft").get_data(as_text=True)
    assert f"version: {NEXT}" in editor and "id: refunds" in editor
    saved = author.post("/workflows/refunds/draft", data={"text": refunds_next_version(), "save": "Save draft"})
    assert saved.status_code == 302 and saved.headers["Location"].endswith("/workflows/refunds/drafts/2")
    assert "Waiting to start" in author.get("/workflows/refunds/drafts/2").get_data(as_text=True)
    assert [job.kind for job in run_jobs()] == ["workflow-preview"]
    preview = author.get("/workflows/refunds/drafts/2").get_data(as_text=True)
    assert "1 open refunds case, each judged on Mar 2, 2026" in preview
    assert "0 would change state" in preview and "1 would offer other steps" in preview
    assert f">{case.id}</a></th><td>requested</td><td>research, deny</td><td>research</td>" in preview
    assert "Waiting for a second approver" in preview and "Publish this version" not in preview
    refused = author.post("/workflows/refunds/drafts/2/publish")
    assert refused.status_code == 403

    assert "Publish this version" in second.get("/workflows/refunds/drafts/2").get_data(as_text=True)
    assert second.post("/workflows/refunds/drafts/2/publish").status_code == 302
    row = db.scalar(select(WorkflowVersion).where(WorkflowVersion.workflow_id == "refunds",
                                                  WorkflowVersion.revision == 2))
    assert (row.status, row.author, row.approver) == ("published", author.user.username, second.user.username)
    actions = [(a.action, a.actor) for a in db.scalars(
        select(AuditEntry).where(AuditEntry.subject_id == "refunds").order_by(AuditEntry.id))]
    assert actions[-2:] == [("workflow.draft", author.user.username), ("workflow.publish", second.user.username)]
    listed = second.get("/workflows/").get_data(as_text=True)
    assert re.search(rf'version {SAMPLE}</a> from the start; <a href="[^"]+">version {NEXT}</a> from Jun 1, 2026',
                     listed)
    assert "No drafts are waiting" in listed


def test_a_broken_draft_names_its_line_and_path_and_stores_nothing(fixed_clock, workflow_store_of_city, supervisor):
    """An unknown state: the line, the path and the message; no revision stored."""
    broken = refunds_next_version().replace("    to: denied", "    to: refused")
    page = supervisor.post("/workflows/refunds/draft", data={"text": broken, "save": "Save draft"})
    assert page.status_code == 400
    text = page.get_data(as_text=True)
    assert "Line 127, <code>transitions[7].to</code>: unknown state &#34;refused&#34;" in text
    assert len(workflow_store_of_city.scalars(select(WorkflowVersion)).all()) == 5


def test_a_title_too_long_for_the_store_is_refused_on_the_page_as_the_command_line_refuses_it(
        fixed_clock, workflow_store_of_city, supervisor):
    """A title of 201 characters: the definition's own check (as `ordinance workflows validate` and `import` make it)
    names line 2 and the title; nothing stored."""
    title = "title: Refunds of credit balances, deposits and license overpayments\n"
    long_title = refunds_next_version().replace(title, "title: " + "R" * 201 + "\n", 1)
    assert long_title != refunds_next_version()
    page = supervisor.post("/workflows/refunds/draft", data={"text": long_title, "save": "Save draft"})
    assert page.status_code == 400
    assert "Line 2, <code>title</code>: longer than the 200 characters the store keeps" in page.get_data(as_text=True)
    assert len(workflow_store_of_city.scalars(select(WorkflowVersion)).all()) == 5


def test_the_draft_page_says_when_the_store_has_no_workflows(fixed_clock, supervisor):
    """An old database: drafting waits for the import, and says so."""
    page = supervisor.get("/workflows/refunds/draft")
    assert page.status_code == 409
    assert "ordinance workflows import" in page.get_data(as_text=True)
    assert "reads the workflows folder" in supervisor.get("/workflows/").get_data(as_text=True)


def test_the_draft_page_draws_the_draft_beside_the_published_version_with_its_changes_marked(
        fixed_clock, workflow_store_of_city, supervisor):
    from tests.workflow.test_diagram import changed_delinquency_text

    version = sample_version("delinquency")
    text = changed_delinquency_text().replace(f"version: {version + 1}\n",
                                              f"version: {version + 1}\neffective: 2026-06-01\n", 1)
    assert "effective: 2026-06-01" in text
    saved = supervisor.post("/workflows/delinquency/draft", data={"text": text, "save": "Save draft"})
    assert saved.status_code == 302, saved.get_data(as_text=True)
    page = supervisor.get(saved.headers["Location"]).get_data(as_text=True)
    assert f"The draft beside the published version {version}" in page
    published = page[page.index('id="published-diagram"'):page.index('id="draft-diagram"')]
    drawn = page[page.index('id="draft-diagram"'):page.index('id="draft-changes-words"')]
    assert published.count("<svg") == 1 and drawn.count("<svg") == 1
    assert 'id="state_in_court"' not in published and 'id="state_in_court"' in drawn  # added: only the draft's
    assert 'stroke="#1a7f37"' in drawn and "stroke-dasharray" in drawn  # added green, removed dashed
    assert 'stroke="#1a7f37"' not in published  # the published version is drawn as it is, nothing marked
    assert 'aria-describedby="draft-changes-words"' in drawn
    assert "<th scope=\"row\">File in small claims court</th><td>added</td>" in page
    assert "<th scope=\"row\">Waive the reconnection fee</th><td>removed</td>" in page
    assert "<th scope=\"row\">Payment plan in default (60 days behind)</th><td>changed</td>" in page
    assert "Mail the past-due reminder</th>" not in page.split('id="draft-changes-words"')[1]  # unchanged: not listed


def test_a_draft_naming_a_program_the_city_does_not_run_is_refused_on_the_page(fixed_clock, workflow_store_of_city,
                                                                              supervisor):
    """The draft check's errors for the assistance programs, with line and path; nothing stored. Once the city runs
    the programs, the same text is saved."""
    from tests.accounts.test_assistance_programs import PROGRAMS, set_programs
    from tests.workflow.test_programs_named import MEDICAL_LINE, SENIOR_LINE, TEXT

    page = supervisor.post("/workflows/delinquency/draft", data={"text": TEXT, "save": "Save draft"})
    assert page.status_code == 400
    text = page.get_data(as_text=True)
    assert (f"Line {SENIOR_LINE}, <code>opening.when.not.contains</code>: delinquency: the opening names the "
            "assistance program &#39;senior&#39;, which the city does not run (it runs: cap)") in text
    assert (f"Line {MEDICAL_LINE}, <code>") in text
    assert "step &#39;post_door_hanger&#39; names the assistance program &#39;medical_baseline&#39;" in text
    assert len(workflow_store_of_city.scalars(select(WorkflowVersion)).all()) == 5
    set_programs(workflow_store_of_city, PROGRAMS)
    saved = supervisor.post("/workflows/delinquency/draft", data={"text": TEXT, "save": "Save draft"})
    assert saved.status_code == 302
    assert len(workflow_store_of_city.scalars(select(WorkflowVersion)).all()) == 6


def test_publishing_a_draft_naming_a_program_the_city_no_longer_runs_is_refused_on_the_page(
        fixed_clock, workflow_store_of_city, login_as):
    """Saved while the city ran the programs, which were then dropped (a draft holds none): the second supervisor's
    publish is refused, the draft page lists the errors, the revision stays a draft."""
    from tests.accounts.test_assistance_programs import PROGRAMS, set_programs
    from tests.workflow.test_programs_named import SENIOR_LINE, TEXT

    db = workflow_store_of_city
    set_programs(db, PROGRAMS)
    author, second = login_as("supervisor"), login_as("supervisor")
    assert author.post("/workflows/delinquency/draft", data={"text": TEXT, "save": "Save draft"}).status_code == 302
    set_programs(db, PROGRAMS[:1])
    db.commit()
    refused = second.post("/workflows/delinquency/drafts/2/publish", follow_redirects=True)
    page = refused.get_data(as_text=True)
    assert "Not published: the text has 2 errors, listed under Publish." in page
    assert (f"Line {SENIOR_LINE}, <code>opening.when.not.contains</code>: delinquency: the opening names the "
            "assistance program &#39;senior&#39;, which the city does not run (it runs: cap)") in page
    row = db.scalar(select(WorkflowVersion).where(WorkflowVersion.workflow_id == "delinquency",
                                                  WorkflowVersion.revision == 2))
    db.refresh(row)
    assert row.status == "draft"


@pytest.mark.parametrize("change, message", [
    (("states:\n", "states:\n  on_hold: {label: On hold}\n"),
     'no step leads to the state &#34;on_hold&#34; (On hold) from the initial state &#34;requested&#34;: no case '
     "could ever be in it"),
    (("voided:      {label: Voided, final: true}", "voided:      {label: Voided}"),
     "no step leaves the state &#34;voided&#34; (Voided), and it is not final: a case there could never close"),
])
def test_a_draft_with_a_state_no_case_reaches_or_leaves_is_refused_and_stores_nothing(
        fixed_clock, workflow_store_of_city, supervisor, change, message):
    """A tester's orphan state, and a final state made an ordinary one: each named by its state with its line; the
    check button and save both refuse it, nothing is stored, and publishing it could never happen."""
    text = refunds_next_version().replace(*change, 1)
    assert text != refunds_next_version()
    for button in ("check", "save"):
        page = supervisor.post("/workflows/refunds/draft", data={"text": text, button: "x"})
        assert page.status_code == 400
        shown = page.get_data(as_text=True)
        assert message in shown and re.search(r"Line \d+, <code>states\.(on_hold|voided)</code>", shown)
    assert len(workflow_store_of_city.scalars(select(WorkflowVersion)).all()) == 5
