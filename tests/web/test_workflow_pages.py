"""Workflow pages for all staff: the list, each workflow drawn as a state diagram with its words, from a case page."""
from __future__ import annotations

import re

import pytest

from tests.web.pages import REPO, fixed_clock  # noqa: F401  (fixture)
from tests.workflow.test_diagram import changed_delinquency_text
from tests.factories import sample_version
from tests.web.test_case_pages import reminded_case

WORKFLOWS = ("delinquency", "licensing", "refunds", "liens")
DELINQUENCY = sample_version("delinquency")  # the version workflows/delinquency.yaml is


@pytest.mark.parametrize("role", ["clerk", "supervisor", "admin"])
@pytest.mark.parametrize("path", ["/workflows/", *(f"/workflows/{w}" for w in WORKFLOWS),
                                  f"/workflows/delinquency?version={DELINQUENCY}"])
def test_every_staff_role_opens_the_workflow_pages(fixed_clock, login_as, role, path):
    assert login_as(role).get(path).status_code == 200


@pytest.mark.parametrize("path", ["/workflows/", "/workflows/delinquency"])
def test_a_stranger_is_sent_to_sign_in(client, path):
    assert client.get(path).status_code == 302


def test_the_list_links_each_workflow_and_the_menu_offers_it(fixed_clock, clerk):
    page = clerk.get("/workflows/").get_data(as_text=True)
    for workflow_id in WORKFLOWS:
        assert f'href="/workflows/{workflow_id}?version={sample_version(workflow_id)}"' in page
    assert 'href="/workflows/"' in clerk.get("/").get_data(as_text=True)


def test_a_workflow_page_draws_the_diagram_inline_with_its_words(fixed_clock, clerk):
    page = clerk.get("/workflows/delinquency").get_data(as_text=True)
    assert re.search(r'<svg\s+viewBox="[^"]+"', page)  # inline, sized by the page
    assert 'role="img" class="diagram" aria-describedby="diagram-words"' in page
    assert 'id="state_shutoff_ready"' in page and 'id="step_record_shutoff"' in page
    assert 'id="diagram-words"' in page  # the text alternative
    assert "Record the shut-off → Service off; clerk, supervisor; needs shutoff-eligibility: eligible true; " \
           "needs the date in shutoff_on, on a shut-off day of city-calendar; " \
           "needs the latest shutoff-notice sent; " \
           "needs Meter reading at shut-off (form)" in page
    assert "<?xml" not in page and "<!DOCTYPE svg" not in page


def test_an_unknown_workflow_or_version_is_a_404_that_says_so(fixed_clock, clerk):
    missing = clerk.get("/workflows/no-such-flow")
    assert missing.status_code == 404 and "There is no workflow “no-such-flow”." in missing.get_data(as_text=True)
    assert clerk.get("/workflows/delinquency?version=9").status_code == 404


def test_a_case_page_links_its_workflows_diagram(fixed_clock, clerk, db):
    case = reminded_case(db)
    page = clerk.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f'href="/workflows/delinquency?version={DELINQUENCY}"' in page


def test_two_versions_of_a_workflow_are_compared_in_one_drawing(fixed_clock, app, login_as, tmp_path):
    folder = tmp_path / "workflows"
    folder.mkdir()
    for path in (REPO / "workflows").glob("*.yaml"):
        (folder / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    newer = DELINQUENCY + 1
    (folder / f"delinquency-v{newer}.yaml").write_text(changed_delinquency_text(), encoding="utf-8")
    app.config["WORKFLOWS_DIR"] = str(folder)
    clerk = login_as("clerk")
    newest = clerk.get("/workflows/delinquency").get_data(as_text=True)
    assert f"version {newer}" in newest
    assert f'href="/workflows/delinquency/changes?older={DELINQUENCY}&amp;newer={newer}"' in newest
    page = clerk.get(f"/workflows/delinquency/changes?older={DELINQUENCY}&newer={newer}").get_data(as_text=True)
    assert 'id="state_in_court"' in page and 'stroke="#1a7f37"' in page and 'stroke-dasharray' in page
    assert "<th scope=\"row\">File in small claims court</th><td>added</td>" in page
    assert "<th scope=\"row\">Waive the reconnection fee</th><td>removed</td>" in page
    assert "<th scope=\"row\">Payment plan in default (60 days behind)</th><td>changed</td>" in page
    assert "Mail the past-due reminder</th>" not in page  # unchanged: drawn, not listed
    assert clerk.get(f"/workflows/delinquency/changes?older={newer}&newer={DELINQUENCY}").status_code == 404
    assert clerk.get(f"/workflows/delinquency/changes?older={DELINQUENCY}&newer={newer + 4}").status_code == 404
