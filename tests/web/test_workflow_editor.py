"""A workflow's form editor on the web: every workflow opens in it and comes back unchanged; a change is that change."""
from __future__ import annotations

import difflib

from sqlalchemy import select

from engine.store.models import WorkflowVersion
from tests.web.pages import fixed_clock  # noqa: F401  (fixture)
from tests.web.test_rule_editor import form_of
from tests.web.test_workflow_drafts import workflow_store_of_city  # noqa: F401  (fixture)
from tests.workflow.conftest import REPO
from tests.workflow.test_store import NEXT, SAMPLE

WORKFLOWS = sorted(path.stem for path in (REPO / "workflows").glob("*.yaml"))


def published(db, workflow_id: str) -> str:
    return db.scalar(select(WorkflowVersion.yaml_text).where(WorkflowVersion.workflow_id == workflow_id,
                                                             WorkflowVersion.status == "published"))


def test_every_workflow_opens_in_its_form_and_comes_back_as_the_same_text(fixed_clock, workflow_store_of_city,
                                                                          supervisor):
    db = workflow_store_of_city
    assert len(WORKFLOWS) >= 5
    for workflow_id in WORKFLOWS:
        page = supervisor.get(f"/workflows/{workflow_id}/edit")
        assert page.status_code == 200, workflow_id
        fields = form_of(page.get_data(as_text=True))
        assert fields["text"] == published(db, workflow_id), workflow_id
        assert sum(1 for name in fields if name.startswith("cell:")) >= 5, workflow_id
        checked = supervisor.post(f"/workflows/{workflow_id}/edit", data={**fields, "check": "Show what changes"})
        text = checked.get_data(as_text=True)
        assert "Nothing: the form says what the published text says." in text, workflow_id
        assert form_of(text)["text"] == published(db, workflow_id), workflow_id  # sent back: the same text
        saved = supervisor.post(f"/workflows/{workflow_id}/edit", data={**fields, "save": "Save draft"})
        assert saved.status_code == 400, workflow_id  # the same version again is not a draft
    assert db.scalars(select(WorkflowVersion).where(WorkflowVersion.status == "draft")).all() == []


def test_the_next_version_with_a_label_a_role_and_a_threshold_changed_is_a_draft_of_exactly_those_lines(
        fixed_clock, workflow_store_of_city, supervisor):
    db = workflow_store_of_city
    page = supervisor.get("/workflows/refunds/edit").get_data(as_text=True)
    assert '<a href="/workflows/refunds/edit">' in supervisor.get("/workflows/").get_data(as_text=True)
    next_version = supervisor.post("/workflows/refunds/edit",
                                   data={**form_of(page), "on": "2026-06-01", "new_version": "Make it"})
    assert next_version.status_code == 200, next_version.get_data(as_text=True)
    fields = form_of(next_version.get_data(as_text=True))
    assert fields["cell:effective"] == "2026-06-01" and fields["cell:states.issued.label"] == "Check issued"
    fields.update({"cell:states.issued.label": "Check mailed", "cell:transitions[0].roles[0]": "supervisor",
                   "cell:transitions[1].when.all[1].gte": "1.00"})
    checked = supervisor.post("/workflows/refunds/edit", data={**fields, "check": "Show what changes"})
    shown = checked.get_data(as_text=True)
    assert checked.status_code == 200, shown
    assert "<th scope=\"row\">Check mailed</th><td>changed</td>" in shown
    saved = supervisor.post("/workflows/refunds/edit", data={**fields, "save": "Save draft"})
    assert saved.status_code == 302, saved.get_data(as_text=True)
    assert saved.headers["Location"].endswith("/workflows/refunds/drafts/2")
    draft = db.scalar(select(WorkflowVersion.yaml_text).where(WorkflowVersion.status == "draft"))
    lines = [line for line in difflib.ndiff(published(db, "refunds").splitlines(), draft.splitlines())
             if line.startswith(("- ", "+ "))]
    assert lines == [f"- version: {SAMPLE}", f"+ version: {NEXT}", "+ effective: 2026-06-01",
                     "-   issued:      {label: Check issued}", "+   issued:      {label: Check mailed}",
                     "-     roles: [clerk, supervisor, admin]", "+     roles: [supervisor, supervisor, admin]",
                     "-         - {fact: refundable, gte: 0.01}", "+         - {fact: refundable, gte: 1.00}"]
    drawn = supervisor.get(saved.headers["Location"]).get_data(as_text=True)
    assert f"The draft beside the published version {SAMPLE}" in drawn
    assert "<th scope=\"row\">Record the research</th><td>changed</td>" in drawn


def test_a_label_left_empty_is_named_in_words_and_nothing_is_stored(fixed_clock, workflow_store_of_city, supervisor):
    page = supervisor.get("/workflows/refunds/edit").get_data(as_text=True)
    fields = form_of(page)
    fields["cell:transitions[0].label"] = ""
    response = supervisor.post("/workflows/refunds/edit", data={**fields, "save": "Save draft"})
    assert response.status_code == 400
    assert "Step “Record the research”, label: write it, or change it as YAML." in response.get_data(as_text=True)
    assert workflow_store_of_city.scalars(select(WorkflowVersion).where(WorkflowVersion.status == "draft")).all() == []


def test_a_clerk_may_not_open_the_form(fixed_clock, workflow_store_of_city, clerk):
    assert clerk.get("/workflows/refunds/edit").status_code == 403
