"""One bill's statement again: a reprint from the account page, and the PDF e-bill the API serves."""
from __future__ import annotations

import subprocess

from engine import api_tokens
from engine.statements.batch import pages_of
from engine.store.db import make_sessionmaker
from tests.statements.conftest import NOW, flat, mailing_order, pages_text
from tests.web.pages import assert_download_audited, audited_downloads
from webapp.app import create_app
from webapp.config import TestConfig


def _text(pdf: bytes) -> str:
    """pdftotext of a PDF given as bytes."""
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def words(text: str) -> list[str]:
    """A page's words, sorted: pdftotext may read a chart's figure before or after the line beside it."""
    return sorted(text.split())


def _app(city, tmp_path):
    """The app on the billed city at the run's moment."""
    return create_app(TestConfig(database_url=str(city.engine.url), instance=tmp_path, CLOCK=lambda: NOW),
                      sessions=make_sessionmaker(city.engine))


def test_a_clerk_reprints_a_bill_from_the_account_page_as_it_was_mailed(billed_city, tmp_path):
    client = _app(billed_city, tmp_path).test_client()
    assert client.post("/login", data={"username": "clerk", "password": "clerk-demo-2026"}).status_code == 302
    mailed = pages_text(billed_city.run.pdf_path)
    bills = mailing_order(billed_city)
    with make_sessionmaker(billed_city.engine)() as session:
        before = len(audited_downloads(session))
    for index in (0, next(i for i, row in enumerate(bills) if row[1] == "es")):
        number, _, bill_id = bills[index]
        page = client.get(f"/accounts/{number}").get_data(as_text=True)
        link = f"/accounts/{number}/bills/{bill_id}/statement.pdf"
        assert f'href="{link}"' in page and "Reprint this bill (PDF)" in page
        response = client.get(link)
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        assert pages_of(response.data) == 1
        assert words(_text(response.data)) == words(mailed[index])
        with make_sessionmaker(billed_city.engine)() as session:
            taken = audited_downloads(session)[-1]  # the reprint's own row, committed before the bytes left
        assert_download_audited(taken, response.data, response.headers["Content-Disposition"], "clerk", 1)
    other_account = bills[1][0]
    assert client.get(f"/accounts/{other_account}/bills/{bills[0][2]}/statement.pdf").status_code == 404
    with make_sessionmaker(billed_city.engine)() as session:
        assert len(audited_downloads(session)) == before + 2  # the two reprints; the refused one wrote none


def test_a_spanish_bill_has_its_english_twin_with_the_same_figures(billed_city, tmp_path):
    import re

    client = _app(billed_city, tmp_path).test_client()
    assert client.post("/login", data={"username": "clerk", "password": "clerk-demo-2026"}).status_code == 302
    bills = mailing_order(billed_city)
    index = next(i for i, row in enumerate(bills) if row[1] == "es")
    number, _, bill_id = bills[index]
    link = f"/accounts/{number}/bills/{bill_id}/statement.pdf?language=en"
    assert f'href="{link}"'.replace("?language=en", "?language=en") in client.get(f"/accounts/{number}").get_data(
        as_text=True)
    spanish, english = pages_text(billed_city.run.pdf_path)[index], _text(client.get(link).data)
    money = lambda text: sorted(re.findall(r"\$[\d,]+\.\d\d", text))  # noqa: E731
    assert money(english) == money(spanish) and money(english)
    assert "Total due" in flat(english) or "total due" in flat(english).lower()
    assert client.get(f"/accounts/{number}/bills/{bill_id}/statement.pdf?language=fr").status_code == 404


def test_the_api_serves_an_accounts_bill_as_a_pdf_e_bill(billed_city, tmp_path):
    client = _app(billed_city, tmp_path).test_client()
    with make_sessionmaker(billed_city.engine)() as session, session.begin():
        _, token = api_tokens.add_token(session, name="portal", scopes=["accounts:read"], actor="test", now=NOW)
        _, payments_only = api_tokens.add_token(session, name="lockbox", scopes=["payments:write"], actor="test",
                                                now=NOW)
        before = len(audited_downloads(session))
    number, _, _ = mailing_order(billed_city)[0]
    auth = {"Authorization": f"Bearer {token}"}
    latest = client.get(f"/api/v1/accounts/{number}/bill.pdf", headers=auth)
    assert latest.status_code == 200 and latest.mimetype == "application/pdf"
    assert words(_text(latest.data)) == words(pages_text(billed_city.run.pdf_path)[0])
    earlier = client.get(f"/api/v1/accounts/{number}/bill.pdf?period=2026-10", headers=auth)
    assert earlier.status_code == 200 and "October 2026" in flat(_text(earlier.data))
    assert client.get(f"/api/v1/accounts/{number}/bill.pdf?period=2024-01", headers=auth).get_json() == {
        "error": f"Account {number} has no bill for 2024-01.", "field": "period"}
    bad = client.get(f"/api/v1/accounts/{number}/bill.pdf?period=2026-13", headers=auth)
    assert bad.status_code == 400 and bad.get_json()["field"] == "period"
    assert client.get("/api/v1/accounts/NO-SUCH/bill.pdf", headers=auth).status_code == 404
    assert client.get(f"/api/v1/accounts/{number}/bill.pdf",
                      headers={"Authorization": f"Bearer {payments_only}"}).status_code == 403
    assert client.get(f"/api/v1/accounts/{number}/bill.pdf").status_code == 401
    # Each e-bill served is a download by the token, audited before its bytes left; a refused call wrote none.
    with make_sessionmaker(billed_city.engine)() as session:
        served = audited_downloads(session)[before:]
    assert [(row.detail["what"], row.detail["filters"]) for row in served] == [
        ("A bill's statement (API e-bill)", {"account": number, "period": "2026-11"}),
        ("A bill's statement (API e-bill)", {"account": number, "period": "2026-10"})]
    for row, response in zip(served, (latest, earlier)):
        assert_download_audited(row, response.data, response.headers["Content-Disposition"], "api:portal", 1)
    admin = _app(billed_city, tmp_path).test_client()
    assert admin.post("/login", data={"username": "admin", "password": "admin-demo-2026"}).status_code == 302
    page = admin.get("/admin/downloads").get_data(as_text=True)
    assert "Another system, with the API token portal" in page and f"account {number}; period Oct 2026" in page
