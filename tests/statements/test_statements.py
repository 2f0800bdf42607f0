"""A billing run's statements: one mailing PDF, one sheet per bill, every line of the account page's bill on it."""
from __future__ import annotations

import csv
import random
import re
import subprocess
from html import unescape

from sqlalchemy import select

from engine.statements.batch import pages_of
from engine.store.models import AuditEntry
from engine.store.db import make_sessionmaker
from tests.statements.conftest import PERIOD, flat, mailing_order, page_text
from webapp.app import create_app
from webapp.config import TestConfig

ROW = re.compile(r'<tr><th scope="row">(.*?)</th><td>(.*?)</td><td class="num">(.*?)</td></tr>', re.S)


def _account_page_lines(client, number: str) -> list[tuple[str, str, str, str]]:
    """The rows of "Why this bill is ..." for the run's bill as the account page shows them: name, [service], working, amount."""
    page = client.get(f"/accounts/{number}").get_data(as_text=True)
    start = page.index(f'<span class="period">{PERIOD}</span>')
    table = page[start:page.index("</tbody>", start)]
    rows = []
    for name, detail, amount in ROW.findall(table):
        service = re.search(r'<span class="muted">(.*?)</span>', name)
        name = re.sub(r'\s*<span class="muted">.*?</span>', "", name)
        rows.append((flat(unescape(name)), unescape(service.group(1)) if service else "", flat(unescape(detail)),
                     flat(unescape(amount))))
    return rows


def test_the_billing_run_makes_one_mailing_pdf_a_sheet_per_bill(billed_city):
    run = billed_city.run
    pdf = run.pdf_path.read_bytes()
    assert pdf.startswith(b"%PDF") and pages_of(pdf) == billed_city.billed
    assert run.summary.total_pieces == run.summary.total_pages == billed_city.billed
    with run.summary_path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[-1] == {"zip": "all", "language": "all", "pieces": str(billed_city.billed),
                        "pages": str(billed_city.billed)}
    by_zip = [row for row in rows if row["zip"] != "all"]
    assert sum(int(row["pieces"]) for row in by_zip) == billed_city.billed
    assert {row["language"] for row in by_zip} == {"en", "es"}
    with make_sessionmaker(billed_city.engine)() as session:
        mailed = session.scalar(select(AuditEntry).where(AuditEntry.action == "statements.mailed"))
        assert mailed.detail["sha256"] == run.sha256 and mailed.detail["pieces"] == billed_city.billed


def test_sample_pages_show_every_line_of_the_account_pages_bill_to_the_cent(billed_city, tmp_path):
    order = mailing_order(billed_city)
    app = create_app(TestConfig(database_url=str(billed_city.engine.url), instance=tmp_path),
                     sessions=make_sessionmaker(billed_city.engine))
    client = app.test_client()
    assert client.post("/login", data={"username": "clerk", "password": "clerk-demo-2026"}).status_code == 302
    rng = random.Random(15)
    sample = sorted(rng.sample(range(len(order)), 6) + [next(i for i, row in enumerate(order) if row[1] == "es")])
    for index in sample:
        number, language, _ = order[index]
        text = flat(page_text(billed_city.run.pdf_path, index + 1))
        lines = _account_page_lines(client, number)
        assert len(lines) >= 3, number
        assert number in text
        for name, service, detail, amount in lines:
            if language == "en":  # the same words, the service's name included
                assert flat(f"{name} {service} {detail} {amount}") in text, (number, name, detail, amount)
            else:  # the service's name is in Spanish: the line, its working and its amount the same
                shown = re.escape(name) + r"( \[[^\]]+\])? " + re.escape(detail) + " " + re.escape(amount)
                assert re.search(shown, text), (number, name, detail, amount)
        total = flat(unescape(re.search(r"Why this bill is (\$[\d,.]+)",
                                        client.get(f"/accounts/{number}").get_data(as_text=True)).group(1)))
        assert total in text


def test_a_spanish_customers_statement_is_in_spanish(billed_city):
    order = mailing_order(billed_city)
    spanish = next(i for i, row in enumerate(order) if row[1] == "es")
    english = next(i for i, row in enumerate(order) if row[1] == "en")
    es = flat(page_text(billed_city.run.pdf_path, spanish + 1))
    en = flat(page_text(billed_city.run.pdf_path, english + 1))
    for words in ("Factura de servicios públicos", "Número de cuenta", "Total a pagar", "Fecha de vencimiento",
                  "Cargos de esta factura", "Pagos recibidos desde su última factura", "Lectura anterior",
                  "For this bill in English, call"):
        assert words in es, words
        assert words not in en or words.startswith("For this bill"), words
    assert re.search(r"\d{1,2} de (noviembre|diciembre) de 2026", es)
    assert "Utility Bill" in en and "Total due" in en and "Total a pagar" not in en


def test_each_statement_shows_reads_use_history_summary_and_the_citys_messages(billed_city):
    order = mailing_order(billed_city)
    index = next(i for i, row in enumerate(order) if row[1] == "en")
    text = flat(page_text(billed_city.run.pdf_path, index + 1))
    for words in ("Previous read", "Current read", "Water used", "Your water use, last 12 bills",
                  "Balance on your last bill", "Payments received since your last bill", "Past due",
                  "Rate schedule",
                  "Crews will flush water mains", "Please detach and return this part"):
        assert words in text, words
    assert "October 27, 2026" in text  # the read date of this run's reads
    # the schedule by its title, as the customer reads it (it printed "Rate schedule water-rates-residential")
    assert re.search(r"Rate schedule (Residential|Commercial|Irrigation|Multi)[a-z]* [a-z ]+, version of", text), text
    assert "water-rates-" not in text and "meter_size" not in text
    assert re.search(r"\b\d{6}-\d{2} \d{10} \d\b", text)  # the scan line


def test_the_scan_line_is_printed_in_the_ocr_a_font_shipped_with_the_application(billed_city):
    fonts = subprocess.run(["pdffonts", "-l", "1", str(billed_city.run.pdf_path)], capture_output=True, text=True,
                           check=True).stdout
    assert re.search(r"^\S*OCRA\s+CID TrueType\s+Identity-H\s+yes", fonts, re.M), fonts


def test_the_chart_of_use_shows_as_many_bills_as_the_billing_document_says(billed_city, tmp_path):
    """`usage_history: {bills: 3}`: three bars, and the title says three, in English and in Spanish."""
    from engine.rules.library import RuleLibrary
    from engine.rules.loader import load_document
    from engine.statements.batch import statement_of_bill, statement_pdf

    docs = list(billed_city.library)
    policy = next(doc for doc in docs if doc.kind == "billing")
    text = policy.text.replace("places: 0}\n", "places: 0}\n    usage_history: {bills: 3}\n", 1)
    assert "usage_history" in text
    three = RuleLibrary.from_documents([*(d for d in docs if d.id != policy.id),
                                        load_document(text, f"{policy.id}.yaml")], known=docs)
    with make_sessionmaker(billed_city.engine)() as session:
        bill_id = mailing_order(billed_city)[0][2]
        usual = statement_of_bill(session, billed_city.library, bill_id).data
        few = statement_of_bill(session, three, bill_id).data
        assert len(usual["usage"]) > 3 and usual["usage_bills"] == 12
        assert few["usage_bills"] == 3 and few["usage"] == usual["usage"][-3:]
        for language, words in (("en", "Your water use, last 3 bills"), ("es", "Su consumo de agua, últimas 3")):
            pdf = tmp_path / f"{language}.pdf"
            pdf.write_bytes(statement_pdf(session, three, bill_id, language=language))
            assert words in flat(page_text(pdf, 1)), language


def test_the_city_s_bill_messages_are_found_by_their_kind_whatever_their_id(billed_city):
    from engine.rules.library import RuleLibrary
    from engine.rules.loader import load_document
    from engine.statements.batch import statement_of_bill

    docs = list(billed_city.library)
    messages = next(doc for doc in docs if doc.kind == "bill-messages")
    text = messages.text.replace(f"id: {messages.id}\n", "id: notes-on-bills\n", 1)
    renamed = RuleLibrary.from_documents([*(d for d in docs if d.id != messages.id),
                                          load_document(text, "notes-on-bills.yaml")], known=docs)
    with make_sessionmaker(billed_city.engine)() as session:
        bill_id = mailing_order(billed_city)[0][2]
        usual = statement_of_bill(session, billed_city.library, bill_id).data["messages"]
        assert usual and statement_of_bill(session, renamed, bill_id).data["messages"] == usual
