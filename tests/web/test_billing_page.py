"""The Billing page: a cycle's month before the run, the run as a background job, its register, the bills printed;
its guards (the duty billing_run, CSRF) and its refusals of bad input."""
from __future__ import annotations

import re
import subprocess

import pytest
from sqlalchemy import func, select

from engine.store.models import Bill, Job, SettingChange
from tests.jobs.test_billing_run import CYCLE, PERIOD, city_to_bill
from tests.web.conftest import csrf_token
from tests.web.test_counter_duties import BASE, SAMPLE
from tests.web.pages import assert_download_audited, audited_downloads, fixed_clock  # noqa: F401  (fixture)

PAGE = f"/billing/?cycle={CYCLE}&period={PERIOD}"
REFRESH = '<meta http-equiv="refresh" content="2">'


@pytest.fixture()
def city(db, fixed_clock):  # noqa: F811
    """Cycle A's March to bill on March 2, 2026 (tests.jobs.test_billing_run.city_to_bill)."""
    return city_to_bill(db)


def flat(page) -> str:
    """A page's text with its tags out and every run of white space one space."""
    return " ".join(re.sub(r"<[^>]+>", " ", page.get_data(as_text=True)).split())


def ready_stamp(page) -> str:
    """The figures the page's run button carries."""
    return re.search(r'name="ready" type="hidden" value="([^"]+)"', page.get_data(as_text=True)).group(1)


def jobs(db) -> list[Job]:
    """Every job, oldest first, as the database has them now."""
    return list(db.scalars(select(Job).order_by(Job.id).execution_options(populate_existing=True)))


def test_a_supervisor_bills_the_month_reads_the_register_and_prints_the_bills(app, city, db, supervisor, run_jobs):
    app.config["WTF_CSRF_ENABLED"] = True
    page = supervisor.get(PAGE)
    text = flat(page)
    assert page.status_code == 200
    assert "Reads reviewed and ready to bill 3" in text and "Reads held for review or a reread 1" in text
    assert "Active accounts with no read 1" in text and "Already billed this month 0" in text
    assert "A run today dates its bills Mar 2, 2026, due Mar 23, 2026" in text
    assert f'href="/reads/review?period={PERIOD}&amp;cycle={CYCLE}"' in page.get_data(as_text=True)

    form = {"csrf_token": csrf_token(page), "cycle": CYCLE, "period": PERIOD, "ready": ready_stamp(page)}
    started = supervisor.post("/billing/run", data=form)
    assert started.status_code == 302 and started.headers["Location"].endswith(PAGE.replace("/?", "/?"))
    waiting = supervisor.get(PAGE).get_data(as_text=True)
    assert "has started" in waiting and "Waiting to start" in waiting and REFRESH in waiting
    assert "Bill 3 reads" not in waiting  # no second button while it waits
    again = supervisor.post("/billing/run", data=form)  # the button pressed twice
    assert "already under way" in flat(supervisor.get(again.headers["Location"]))
    assert [job.kind for job in jobs(db)] == ["billing-run"]

    run_jobs()
    text = flat(supervisor.get(PAGE))
    assert "Accounts billed 2 Amount billed $346.11" in text and "Reads refused 1" in text
    assert city.closed in text and "closed" in text and REFRESH not in text.replace(" ", "")
    assert "Residential sewer 1 $38.59" in text and "Commercial water 1 $108.86" in text and "Total 2 $346.11" in text
    assert "Already billed this month 2" in text and "Reads reviewed and ready to bill 1" in text

    pressed_late = supervisor.post("/billing/run", data=form)  # a double submit after the run ended
    assert "Those reads were billed already by the run" in flat(supervisor.get(pressed_late.headers["Location"]))
    assert db.scalar(select(func.count(Bill.id))) == 2 and len(jobs(db)) == 1

    page = supervisor.get(PAGE)
    printing = supervisor.post("/billing/print", data={"csrf_token": csrf_token(page), "cycle": CYCLE,
                                                       "period": PERIOD})
    assert printing.status_code == 302
    assert "Printing" in supervisor.get(PAGE).get_data(as_text=True)
    run_jobs()
    page = supervisor.get(PAGE).get_data(as_text=True)
    link = re.search(r'href="(/billing/prints/\d+/bills\.pdf)"', page).group(1)
    printed = flat(supervisor.get(PAGE))
    assert "2 bills on 2 pages" in printed and "All English 2 2 All All 2 2" in printed  # the postal summary
    pdf = supervisor.get(link)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf.data, capture_output=True,
                          check=True).stdout.decode()
    assert city.home in text and "$97.45" in text
    [audited] = audited_downloads(db)
    assert_download_audited(audited, pdf.data, pdf.headers["Content-Disposition"], supervisor.user.username, 2)
    summary = supervisor.get(link.replace("bills.pdf", "postal-summary.csv"))
    assert summary.status_code == 200 and summary.data.decode().splitlines()[-1] == "all,all,2,2"


def test_a_clerk_without_the_duty_is_refused_until_the_city_gives_it(app, city, db, clerk, login_as):
    assert clerk.get(PAGE).status_code == 403
    assert clerk.post("/billing/run", data={"cycle": CYCLE, "period": PERIOD, "ready": "3-x"}).status_code == 403
    assert clerk.post("/billing/print", data={"cycle": CYCLE, "period": PERIOD}).status_code == 403
    assert "/billing/" not in clerk.get("/").get_data(as_text=True)
    assert jobs(db) == []

    ada, ben = login_as("admin"), login_as("admin")  # a change of who may: asked by one, approved by another
    ada.post("/admin/city", data={**BASE, **SAMPLE, "duty_billing_run": ["clerk", "supervisor", "admin"]})
    ben.post(f"/admin/changes/{db.scalar(select(SettingChange.id))}/approve")
    page = clerk.get(PAGE)
    assert page.status_code == 200 and 'href="/billing/"' in page.get_data(as_text=True)  # now in the menu
    clerk.post("/billing/run", data={"cycle": CYCLE, "period": PERIOD, "ready": ready_stamp(page)})
    assert [job.requested_by for job in jobs(db)] == [clerk.user.username]


def test_a_run_without_its_csrf_token_is_refused_and_starts_nothing(app, city, db, supervisor):
    app.config["WTF_CSRF_ENABLED"] = True
    page = supervisor.get(PAGE)
    refused = supervisor.post("/billing/run", data={"cycle": CYCLE, "period": PERIOD, "ready": ready_stamp(page)})
    assert refused.status_code == 400
    assert jobs(db) == []


@pytest.mark.parametrize("query, words", [
    ("cycle=A&period=2026-3", "Write the month as YYYY-MM, e.g. 2026-03."),
    ("cycle=Z&period=2026-03", "the city has no billing cycle 'Z' (its cycles: A, B, C, D)."),
    ("cycle=A&period=2026-07", "Jul 2026 is too far ahead: on Mar 2, 2026 cycle A may be billed up to Apr 2026"),
])
def test_bad_input_is_named_on_the_page(city, supervisor, query, words):
    page = supervisor.get(f"/billing/?{query}")
    assert page.status_code == 200
    assert words in page.get_data(as_text=True).replace("&#39;", "'")
    assert "Reads reviewed and ready" not in page.get_data(as_text=True)


@pytest.mark.parametrize("form, words", [
    ({"cycle": "A", "period": "2026-13", "ready": "3-x"}, "Write the month as YYYY-MM"),
    ({"cycle": "Z", "period": PERIOD, "ready": "3-x"}, "the city has no billing cycle"),
    ({"cycle": "A", "period": "2027-01", "ready": "3-x"}, "Jan 2027 is too far ahead: on Mar 2, 2026 cycle A may be"),
    ({"cycle": "A", "period": PERIOD, "ready": ""}, "The figures the run was asked on are missing."),
])
def test_a_run_asked_with_bad_input_says_why_and_changes_nothing(city, db, supervisor, form, words):
    refused = supervisor.post("/billing/run", data=form)
    assert refused.status_code == 302
    assert words in supervisor.get(refused.headers["Location"]).get_data(as_text=True).replace("&#39;", "'")
    assert jobs(db) == [] and db.scalar(select(func.count(Bill.id))) == 0


def test_printing_before_any_bill_says_to_run_the_billing_first(city, db, supervisor):
    refused = supervisor.post("/billing/print", data={"cycle": CYCLE, "period": PERIOD})
    assert "has no bills for Mar 2026; run the billing first" in flat(supervisor.get(refused.headers["Location"]))
    assert jobs(db) == []
