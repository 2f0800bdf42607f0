"""Workflow pages for all staff: the list, each workflow drawn as a state diagram with its words, from a case page."""
from __future__ import annotations

import re

import pytest

from tests.web.pages import fixed_clock  # noqa: F401  (fixture)
from tests.web.test_case_pages import reminded_case

WORKFLOWS = ("delinquency", "licensing", "refunds", "liens")


@pytest.mark.parametrize("role", ["clerk", "supervisor", "admin"])
@pytest.mark.parametrize("path", ["/workflows/", *(f"/workflows/{w}" for w in WORKFLOWS),
                                  "/workflows/delinquency?version=1"])
def test_every_staff_role_opens_the_workflow_pages(fixed_clock, login_as, role, path):
    assert login_as(role).get(path).status_code == 200


@pytest.mark.parametrize("path", ["/workflows/", "/workflows/delinquency"])
def test_a_stranger_is_sent_to_sign_in(client, path):
    assert client.get(path).status_code == 302


def test_the_list_links_each_workflow_and_the_menu_offers_it(fixed_clock, clerk):
    page = clerk.get("/workflows/").get_data(as_text=True)
    for workflow_id in WORKFLOWS:
        assert f'href="/workflows/{workflow_id}?version=1"' in page
    assert 'href="/workflows/"' in clerk.get("/").get_data(as_text=True)


def test_a_workflow_page_draws_the_diagram_inline_with_its_words(fixed_clock, clerk):
    page = clerk.get("/workflows/delinquency").get_data(as_text=True)
    assert re.search(r'<svg\s+viewBox="[^"]+"', page)  # inline, sized by the page
    assert 'role="img" class="diagram" aria-describedby="diagram-words"' in page
    assert 'id="state_shutoff_ready"' in page and 'id="step_record_shutoff"' in page
    assert 'id="diagram-words"' in page  # the text alternative
    assert "Record the shut-off → Service off; clerk, supervisor; needs shutoff-eligibility: eligible true; " \
           "needs Meter reading at shut-off (form)" in page
    assert "<?xml" not in page and "<!DOCTYPE svg" not in page


def test_an_unknown_workflow_or_version_is_a_404_that_says_so(fixed_clock, clerk):
    missing = clerk.get("/workflows/no-such-flow")
    assert missing.status_code == 404 and "There is no workflow “no-such-flow”." in missing.get_data(as_text=True)
    assert clerk.get("/workflows/delinquency?version=9").status_code == 404


def test_a_case_page_links_its_workflows_diagram(fixed_clock, clerk, db):
    case = reminded_case(db)
    page = clerk.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'href="/workflows/delinquency?version=1"' in page
