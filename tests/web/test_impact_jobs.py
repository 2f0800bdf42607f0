"""A draft's impact is a background job: the page answers at once, shows progress, then the stored result."""
from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from engine.jobs import rule_impact
from engine.jobs.kinds import KINDS
from engine.money import ledger
from engine.rulebook import store
from engine.rulebook.drafting import check_draft
from engine.store.models import AuditEntry, Job
from tests.factories import NOW, create_account
from tests.web.conftest import csrf_token
from tests.web.pages import fixed_clock  # noqa: F401  (fixture)
from tests.web.test_rule_drafts import LATE_FEE_12, TODAY, rule_store  # noqa: F401  (fixture)

PAGE = "/rules/late-fee/drafts/2"
REFRESH = '<meta http-equiv="refresh" content="2">'


@pytest.fixture()
def drafted(rule_store):
    """A late fee raised to 12% from July, drafted; one account $200.00 past due."""
    owing = create_account(rule_store)
    ledger.post_charge(rule_store, owing.id, Decimal("200.00"), on=TODAY - timedelta(days=40),
                       due_on=TODAY - timedelta(days=20), now=NOW, actor="billing", description="Water and sewer")
    store.draft(rule_store, check_draft(rule_store, "late-fee", LATE_FEE_12, TODAY), "import", NOW)
    rule_store.flush()
    return owing


def jobs(db) -> list[Job]:
    """Every job, oldest first, as the database has them now."""
    return list(db.scalars(select(Job).order_by(Job.id).execution_options(populate_existing=True)))


def test_the_draft_page_answers_at_once_and_asks_for_the_impact(fixed_clock, drafted, rule_store, supervisor):
    page = supervisor.get(PAGE)
    text = page.get_data(as_text=True)

    assert page.status_code == 200
    [job] = jobs(rule_store)
    assert (job.kind, job.status, job.result, job.requested_by) == ("rule-impact", "queued", None,
                                                                    supervisor.user.username)
    assert job.input == {"document_id": "late-fee", "revision": 2, "today": "2026-03-02"}
    assert "Waiting to start" in text and "<progress" in text and REFRESH in text
    assert "Totals over" not in text and "$24.00" not in text  # nothing worked out inside the request
    assert rule_store.scalar(select(AuditEntry.actor).where(AuditEntry.action == "job.request",
                                                            AuditEntry.subject_id == str(job.id))) \
        == supervisor.user.username

    supervisor.get(PAGE)
    assert len(jobs(rule_store)) == 1  # the same draft's impact is one job


def test_the_page_shows_how_far_the_worker_has_got(fixed_clock, drafted, rule_store, supervisor):
    supervisor.get(PAGE)
    rule_store.execute(update(Job).values(status="running", progress_done=340, progress_total=2000,
                                          progress_message="Working out the impact on real accounts: "
                                                           "340 of 2,000 accounts"))
    text = supervisor.get(PAGE).get_data(as_text=True)
    assert "Working out the impact on real accounts: 340 of 2,000 accounts" in text
    assert 'value="340" max="2000"' in text and REFRESH in text


def test_after_the_worker_every_later_view_shows_the_stored_result(fixed_clock, drafted, rule_store, supervisor,
                                                                     login_as, run_jobs):
    supervisor.get(PAGE)
    [done] = run_jobs()
    assert run_jobs() == []  # a done job is never run again

    for viewer in (supervisor, login_as("supervisor")):
        text = viewer.get(PAGE).get_data(as_text=True)
        assert "version of Jul 1, 2026" in text and "accounts with a past-due balance" in text
        assert "$20.00" in text and "$24.00" in text and drafted.number in text
        assert REFRESH not in text and "<progress" not in text
    [job] = jobs(rule_store)
    assert (job.id, job.status, job.attempts, job.progress_done, job.progress_total) == (done.id, "done", 1, 1, 1)
    assert job.progress_message == "Working out the impact on real accounts: 1 of 1 accounts"
    assert rule_impact.report_of(job).money.after_total == Decimal("24.00")


def broken(context, input, report_progress):
    """A rule-impact that fails the way a bug would."""
    raise RuntimeError("the published rules could not be read")


def test_a_failed_impact_says_so_and_try_again_asks_afresh(app, fixed_clock, drafted, rule_store, supervisor,
                                                            run_jobs):
    supervisor.get(PAGE)
    run_jobs(kinds={**KINDS, "rule-impact": broken})

    page = supervisor.get(PAGE).get_data(as_text=True)
    assert "could not be worked out: the published rules could not be read" in page
    assert "Try again" in page and REFRESH not in page
    assert len(jobs(rule_store)) == 1  # viewing a failed impact does not ask again by itself

    app.config["WTF_CSRF_ENABLED"] = True
    assert supervisor.post(PAGE + "/impact").status_code == 400
    token = csrf_token(supervisor.get(PAGE))
    again = supervisor.post(PAGE + "/impact", data={"csrf_token": token})
    assert again.status_code == 302 and again.headers["Location"].endswith(PAGE)
    assert [job.status for job in jobs(rule_store)] == ["failed", "queued"]

    run_jobs()
    assert "$24.00" in supervisor.get(PAGE).get_data(as_text=True)


def test_a_clerk_may_not_ask_for_an_impact(fixed_clock, drafted, rule_store, clerk):
    assert clerk.post(PAGE + "/impact").status_code == 403
    assert jobs(rule_store) == []


def test_a_rate_draft_shows_a_histogram_of_the_changes_and_links_the_largest_increases(fixed_clock, drafted,
                                                                                         rule_store, supervisor,
                                                                                         run_jobs):
    from datetime import date

    from engine.rules import editing
    from tests.web.pages import bill
    from tests.web.test_rule_drafts import RESIDENTIAL

    small, large = create_account(rule_store, meter_size='3/4"'), create_account(rule_store, meter_size='3/4"')
    bill(rule_store, small, "2026-01", 5, due_on=date(2026, 2, 5))  # tier 1 only: no change
    bill(rule_store, large, "2026-01", 14, due_on=date(2026, 2, 5))  # 7 CCF in tier 2: 7 x 0.13 = $0.91 more
    text = editing.new_version(RESIDENTIAL, date(2026, 4, 1)).text
    for size in ('5/8"', '3/4"', '1"', '1-1/2"', '2"'):
        text = editing.set_value(text, f"versions[2].lines[1].tiers.blocks.{size}[1].rate", Decimal("2.70"))
    row = store.draft(rule_store, check_draft(rule_store, "water-rates-residential", text, TODAY), "import", NOW)
    rule_store.flush()
    page = f"/rules/water-rates-residential/drafts/{row.revision}"
    supervisor.get(page)
    run_jobs()
    shown = supervisor.get(page).get_data(as_text=True)
    assert '<svg role="img" aria-label="Change of each of 2 accounts.' in shown
    chart = shown[shown.index('<svg role="img"'):shown.index("</svg>")]
    assert 'style="' not in chart and "<style" not in chart  # the app's CSP refuses inline styles: drawn black
    histogram = shown[shown.index('id="impact-histogram"'):]
    assert re.search(r"no change</th><td class=\"num\">1<", histogram)
    assert re.search(r"up less than \$1</th><td class=\"num\">1<", histogram)  # $0.91 and the 5% franchise fee
    assert f'<a href="/accounts/{large.number}">{large.number}</a>' in shown  # the largest increase, a link
    groups = shown[shown.index('id="impact-groups"'):shown.index("</table>", shown.index('id="impact-groups"'))]
    assert "Revenue by meter size" in groups
    assert re.search(r'<th scope="row">3/4&#34;</th><td class="num">2</td>', groups)  # both accounts, one size
    assert "A year (12 bills like the last)" in shown
    examples = re.findall(r'<h3 id="example-\d+">Example: <a href="/accounts/([^"]+)"', shown)
    assert examples == [large.number]  # only an account whose bill changes is an example
