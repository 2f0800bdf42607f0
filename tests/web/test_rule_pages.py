"""Rule pages for staff: documents in force, each version in words, diffs, and what a schedule would charge."""
from __future__ import annotations

import pytest

from tests.web.pages import fixed_clock  # noqa: F401  (fixture)


@pytest.mark.parametrize("path", ["/rules/", "/rules/water-rates-residential", "/rules/water-rates-residential/diff"])
def test_rules_are_read_by_all_staff(fixed_clock, login_as, client, path):
    assert login_as("clerk").get(path).status_code == 200
    assert login_as("supervisor").get(path).status_code == 200
    assert login_as("admin").get(path).status_code == 200


def test_the_list_shows_each_documents_version_in_force(fixed_clock, supervisor):
    page = supervisor.get("/rules/").get_data(as_text=True)
    assert 'href="/rules/water-rates-residential"' in page and "schedule" in page
    assert "version of Jul 1, 2025" in page  # the FY2025-26 rates are in force on March 2, 2026
    assert "Resolution 2025-41, Exhibit A (FY2025-26)" in page


def test_a_document_shows_each_version_in_force_future_or_past(fixed_clock, supervisor):
    page = supervisor.get("/rules/water-rates-residential").get_data(as_text=True)
    assert "Version of Jul 1, 2026" in page and "Version of Jul 1, 2024" in page
    assert page.count(">in force<") == 1 and ">future<" in page and ">past<" in page
    assert "Water base charge" in page and "Franchise fee" in page  # the content, readable
    assert "<pre" in page and "id: water-rates-residential" in page  # and as written


def test_evaluating_a_schedule_shows_each_line_worked_out(fixed_clock, supervisor):
    response = supervisor.post("/rules/water-rates-residential/evaluate", data={
        "as_of": "2026-03-02", "fact_meter_size": '3/4"', "fact_consumption_ccf": "12", "fact_sewer": "y"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "version of Jul 1, 2025" in page
    assert "7 CCF x 2.05 + 5 CCF x 2.57" in page  # the water use line's detail
    assert "$27.02" in page  # the 3/4 inch base charge of FY2025-26
    assert "Total" in page


def test_a_bad_fact_is_told_and_nothing_is_evaluated(fixed_clock, supervisor):
    response = supervisor.post("/rules/water-rates-residential/evaluate", data={
        "as_of": "2026-03-02", "fact_meter_size": '3/4"', "fact_consumption_ccf": "-4"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "consumption_ccf" in page and 'id="result"' not in page
    missing = supervisor.post("/rules/water-rates-residential/evaluate", data={"as_of": "2026-03-02",
                                                                               "fact_meter_size": '3/4"'})
    assert missing.status_code == 400 and "Consumption ccf is required." in missing.get_data(as_text=True)


def test_an_unknown_document_is_a_404(supervisor):
    response = supervisor.get("/rules/no-such-rule")
    assert response.status_code == 404 and "There is no rule document “no-such-rule”." in response.get_data(as_text=True)


def test_each_version_reads_in_words(fixed_clock, clerk):
    page = clerk.get("/rules/water-rates-residential").get_data(as_text=True)
    assert "tier 2 rate, meter size 3/4&#34;: $2.57 per CCF" in page  # FY2025-26
    assert "tier 2 rate, meter size 3/4&#34;: $2.70 per CCF" in page  # FY2026-27
    assert "only when: sewer == true" in page  # conditions in the explanations' words
    assert "Draft a new version" not in page  # a clerk reads; editing stays with supervisors


def test_the_diff_of_two_versions_in_words_and_as_a_table(fixed_clock, clerk):
    page = clerk.get("/rules/water-rates-residential/diff?older=2025-07-01&newer=2026-07-01").get_data(as_text=True)
    assert "Water use, tier 2 rate, meter size 3/4&#34;: $2.57 per CCF → $2.70 per CCF" in page
    assert "<td>$2.57 per CCF</td><td>$2.70 per CCF</td>" in page
    assert '<option value="2025-07-01" selected>' in page and '<option value="2026-07-01" selected>' in page


def test_the_diff_of_a_calendar_lists_holidays_added_and_removed(fixed_clock, supervisor):
    page = supervisor.get("/rules/city-calendar/diff?older=2025-01-01&newer=2026-01-01").get_data(as_text=True)
    assert "Jul 4, 2025: Independence Day; Sep 1, 2025: Labor Day" in page  # dates in the city's style
    assert "Yearly holidays added: observed: on a Saturday: the Friday before; on a Sunday: the Monday after" in page
    assert "Independence Day: July 4; Labor Day: the first Monday of September" in page


def test_a_document_of_one_version_has_nothing_to_compare(fixed_clock, supervisor):
    page = supervisor.get("/rules/lien-eligibility/diff").get_data(as_text=True)
    assert "has one version: there is nothing to compare it with" in page


def test_a_document_the_program_uses_says_what_for(fixed_clock, supervisor):
    """The returned-payment fee's page says the program charges it on a returned payment (its tag); another
    document's page says nothing of the kind."""
    page = supervisor.get("/rules/returned-payment-fee").get_data(as_text=True)
    assert ('<p id="program-uses">The program uses it as the fee charged on a returned payment '
            '(tag <code>returned_payment_fee</code>).</p>') in page
    assert 'id="program-uses"' not in supervisor.get("/rules/late-fee").get_data(as_text=True)
