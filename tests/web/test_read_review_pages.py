"""The read review pages: the month's held and missing reads with their reasons in words, a clerk's decisions,
the reread list for the field, and the leak letters (English and Spanish) as one PDF."""
from __future__ import annotations

import re
import subprocess
from datetime import date

import pytest
from sqlalchemy import func, select

from engine.reads.files import import_reads, parse_csv
from engine.store.models import AuditEntry, MeterRead, Notice
from tests.factories import NOW, create_customer, save_city
from tests.ledger.billing_support import account_with_reads
from tests.web.conftest import csrf_token
from tests.web.pages import assert_download_audited, audited_downloads, fixed_clock, library  # noqa: F401  (fixture)
from tests.web.test_access_matrix import routes

WINTER = [("2025-12", date(2025, 12, 27), 980, 6), ("2026-01", date(2026, 1, 28), 988, 8)]


@pytest.fixture()
def month(db):
    """Cycle R's March: a zero read, a read 6x the average (a Spanish-speaking customer), and a missing read."""
    zero = account_with_reads(db, WINTER, cycle="R")
    high = account_with_reads(db, WINTER, cycle="R", customer=create_customer(db, language="es"))
    missing = account_with_reads(db, WINTER, cycle="R")
    rows, problems = parse_csv(["account_number,read_on,reading", f"{zero.number},2026-02-26,988",
                                f"{high.number},2026-02-26,1030"])
    report = import_reads(db, library(), cycle="R", period="2026-03", rows=rows, problems=problems,
                          as_of=date(2026, 3, 1), actor="carla", now=NOW)
    assert len(report.held) == 2
    reads = {r.account_id: r for r in db.scalars(select(MeterRead).where(MeterRead.period == "2026-03"))}
    return {"zero": (zero, reads[zero.id]), "high": (high, reads[high.id]), "missing": (missing, None)}


def _decide(client, read, decision):
    """POST one decision from the review page."""
    return client.post(f"/reads/{read.id}/decide", data={"decision": decision, "period": "2026-03", "cycle": "R"})


def test_the_review_page_lists_each_exception_with_its_reason_in_words(fixed_clock, clerk, month):
    page = clerk.get("/reads/review?period=2026-03&cycle=R").get_data(as_text=True)
    assert "Read review — Mar 2026, cycle R" in page
    assert "3 reads to decide" in page
    assert "Zero use: the meter has not moved since the previous read (the 12-month average is 7.0 CCF)" in page
    assert "High use: 42 CCF is 6.0 times the 12-month average of 7.0 CCF (held above 3 times)" in page
    assert "No read for Mar 2026: estimate it, or enter the read" in page
    for account, _ in month.values():
        assert f'href="/accounts/{account.number}"' in page
    assert page.count("Send to reread") == 2 and page.count(">Estimate<") == 3 and page.count(">Accept<") == 2
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b", re.sub(r"<[^>]+>", "", page))  # dates the city's way
    assert "Feb 26, 2026" in page


def test_a_clerk_accepts_sends_to_reread_and_estimates(fixed_clock, clerk, db, month):
    zero_account, zero = month["zero"]
    high_account, high = month["high"]
    missing_account, _ = month["missing"]
    done = _decide(clerk, zero, "accept")
    assert done.status_code == 302 and "/reads/review?period=2026-03&cycle=R" in done.headers["Location"]
    assert f"Accepted the read of {zero_account.number}: it will be billed." in clerk.get(
        done.headers["Location"]).get_data(as_text=True)
    assert _decide(clerk, high, "reread").status_code == 302
    estimated = clerk.post(f"/reads/missing/{missing_account.id}/estimate", data={"period": "2026-03", "cycle": "R"})
    assert estimated.status_code == 302
    db.expire_all()
    assert (zero.review_status, zero.reviewed_by) == ("accepted", clerk.user.username)
    assert high.review_status == "reread"
    made = db.scalar(select(MeterRead).where(MeterRead.account_id == missing_account.id,
                                             MeterRead.period == "2026-03"))
    assert (made.review_status, made.consumption_ccf) == ("estimated", 7)
    page = clerk.get("/reads/review?period=2026-03&cycle=R").get_data(as_text=True)
    assert "1 read to decide" in page and "Reread requested" in page
    assert f"by {clerk.user.full_name}, Mar 2, 2026" in page  # who sent it back, and when (the city's time)

    rereads = clerk.get("/reads/rereads?period=2026-03").get_data(as_text=True)
    assert "Cycle R" in rereads and high_account.number in rereads and "High use: 42 CCF" in rereads
    assert zero_account.number not in rereads and "New reading" in rereads

    refused = _decide(clerk, high, "reread")  # already sent: a clear refusal, nothing changed
    assert "Not done: the read of 2026-03 is reread requested, not to review" in clerk.get(
        refused.headers["Location"]).get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action.like("read.%"))) == 3


def test_accepting_a_jump_sends_a_leak_letter_in_the_customers_language(fixed_clock, clerk, db, month, tmp_path):
    high_account, high = month["high"]
    save_city(db)  # the address, phone and website every notice prints
    assert clerk.get("/reads/leak-letters.pdf?period=2026-03").status_code == 404
    _decide(clerk, high, "accept")
    letter = db.scalar(select(Notice).where(Notice.notice_type == "leak-letter"))
    assert (letter.subject_id, letter.language, letter.period) == (high_account.id, "es", "2026-03")
    assert (letter.data["consumption_ccf"], letter.data["average_ccf"], letter.data["times_average"]) == (42, "7.0",
                                                                                                          "6.0")
    page = clerk.get("/reads/review?period=2026-03&cycle=R").get_data(as_text=True)
    assert "Leak letters of Mar 2026 (1, PDF)" in page
    pdf = clerk.get("/reads/leak-letters.pdf?period=2026-03")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    path = tmp_path / "leak.pdf"
    path.write_bytes(pdf.data)
    text = " ".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    assert "Posible fuga" in text and "42 CCF" in text and "6.0 veces" in text and high_account.number in text
    [taken] = audited_downloads(db)  # not the 404 of an empty month
    assert_download_audited(taken, pdf.data, pdf.headers["Content-Disposition"], clerk.user.username, 1)
    assert (taken.detail["what"], taken.detail["filters"]) == ("Leak letters", {"period": "2026-03"})
    _decide(clerk, high, "accept")  # twice: refused, and no second letter
    assert db.scalar(select(func.count()).select_from(Notice).where(Notice.notice_type == "leak-letter")) == 1


def test_negative_use_cannot_be_accepted_from_the_page(fixed_clock, clerk, db):
    account = account_with_reads(db, WINTER, cycle="R")
    rows, problems = parse_csv(["account_number,read_on,reading", f"{account.number},2026-02-26,900"])
    import_reads(db, library(), cycle="R", period="2026-03", rows=rows, problems=problems, as_of=date(2026, 3, 1),
                 actor="carla", now=NOW)
    read = db.scalar(select(MeterRead).where(MeterRead.account_id == account.id, MeterRead.period == "2026-03"))
    refused = _decide(clerk, read, "accept")
    assert "Not done: a use of -88 CCF cannot be billed" in clerk.get(refused.headers["Location"]).get_data(
        as_text=True)
    db.expire_all()
    assert read.review_status == "to_review"


def test_a_decision_without_its_csrf_token_changes_nothing(app, fixed_clock, clerk, db, month):
    app.config["WTF_CSRF_ENABLED"] = True
    _, zero = month["zero"]
    assert _decide(clerk, zero, "accept").status_code == 400
    db.expire_all()
    assert zero.review_status == "to_review"
    token = csrf_token(clerk.get("/reads/review?period=2026-03&cycle=R"))
    done = clerk.post(f"/reads/{zero.id}/decide", data={"decision": "accept", "period": "2026-03", "cycle": "R",
                                                        "csrf_token": token})
    assert done.status_code == 302
    db.expire_all()
    assert zero.review_status == "accepted"


def test_the_read_review_routes_are_in_the_matrix_for_all_staff(app):
    """Each /reads route is walked by the access matrix; every one is declared for clerks, supervisors and admins."""
    declared = {(rule.rule, method): roles for rule, method, roles, _ in routes(app) if rule.rule.startswith("/reads")}
    staff = frozenset({"clerk", "supervisor", "admin"})
    assert declared == {("/reads/review", "GET"): staff, ("/reads/<read_id>/decide", "POST"): staff,
                        ("/reads/missing/<account_id>/estimate", "POST"): staff, ("/reads/rereads", "GET"): staff,
                        ("/reads/leak-letters.pdf", "GET"): staff}


def test_the_reread_list_goes_by_the_meters_route_with_the_meter_to_find(fixed_clock, clerk, db, month):
    """The high read's meter is on route 12 (city data on the meter); the zero read's account has no meter on file:
    it is listed under its billing cycle."""
    from engine.accounts.meters import NewMeter, install_meter

    (zero_account, zero), (high_account, high) = month["zero"], month["high"]
    install_meter(db, NewMeter(number="M-4412", size='3/4"', location="left of the driveway", route="12"),
                  property_id=high_account.property_id, account_id=high_account.id, on=date(2020, 1, 1), now=NOW,
                  actor="test")
    assert _decide(clerk, high, "reread").status_code == 302
    assert _decide(clerk, zero, "reread").status_code == 302
    page = clerk.get("/reads/rereads?period=2026-03").get_data(as_text=True)
    groups = {re.search(r"<h2>([^<]+?) <", part).group(1): part
              for part in page.split('<section class="reread-group">')[1:]}
    assert sorted(groups) == ["Cycle R", "Route 12"]
    assert "M-4412" in groups["Route 12"] and "left of the driveway" in groups["Route 12"]
    assert f">{high_account.number}<" in groups["Route 12"] and f">{zero_account.number}<" in groups["Cycle R"]
    assert f">{zero_account.number}<" not in groups["Route 12"]


@pytest.mark.parametrize("period, words", [
    ("9999-12", "9999-12 has not begun: a read is missing only for this month (2026-03) or earlier"),
    ("2026-04", "2026-04 has not begun: a read is missing only for this month (2026-03) or earlier"),
    ("2025-11", "the last read on file is of 2026-01: a missing read to estimate is of a later month, not 2025-11"),
    ("1900-01", "the last read on file is of 2026-01: a missing read to estimate is of a later month, not 1900-01")])
def test_a_missing_read_is_estimated_only_for_a_month_it_can_be_missing_for(fixed_clock, clerk, db, month, period,
                                                                           words):
    """A period typed into the estimate's hidden field (9999-12) was estimated, dated a month after the last read."""
    missing_account, _ = month["missing"]
    reads, audits = (db.scalar(select(func.count()).select_from(model)) for model in (MeterRead, AuditEntry))
    refused = clerk.post(f"/reads/missing/{missing_account.id}/estimate", data={"period": period, "cycle": "R"})
    assert refused.status_code == 302
    assert f"Not done: {words}" in clerk.get(refused.headers["Location"]).get_data(as_text=True)
    assert (db.scalar(select(func.count()).select_from(MeterRead)),
            db.scalar(select(func.count()).select_from(AuditEntry))) == (reads, audits)


def test_a_closed_accounts_read_is_not_estimated(fixed_clock, clerk, db, month):
    missing_account, _ = month["missing"]
    missing_account.status = "closed"
    db.flush()
    refused = clerk.post(f"/reads/missing/{missing_account.id}/estimate", data={"period": "2026-03", "cycle": "R"})
    assert "Not done: the account is not active" in clerk.get(refused.headers["Location"]).get_data(as_text=True)
    assert db.scalar(select(MeterRead).where(MeterRead.account_id == missing_account.id,
                                             MeterRead.period == "2026-03")) is None
