"""Notices as mailing PDFs, read back with pdftotext: every type, both languages, one page each."""
from __future__ import annotations

import re

import pytest

from engine.notices import NOTICE_TYPES, NoticeRenderer
from engine.notices.formats import money
from samplecity.notices import sample_city, sample_notice_data
from notice_support import TEMPLATES, flat, long_date, page_text, pdf_page_size, pdf_pages, sample_languages, word_boxes

# What each type must print, besides the recipient, the citation and the date: (key, kind).
SHOWN = {
    "past-due-reminder": [("amount_due", "money"), ("due_date", "date")],
    "shutoff-notice": [("amount_due", "money"), ("shutoff_date", "date"), ("due_date", "date")],
    "door-hanger": [("amount_due", "money"), ("shutoff_date", "date")],
    "payment-plan-agreement": [("amount_due", "money")],
    "reconnection": [("reconnection_fee", "money"), ("reconnection_date", "date"), ("amount_due", "money")],
    "lien-intent": [("amount_due", "money"), ("due_date", "date"), ("parcel", "text")],
    "lien-release": [("recording_number", "text"), ("release_date", "date"), ("parcel", "text")],
    "license-renewal-reminder": [("fee", "money"), ("due_date", "date"), ("business_name", "text")],
    "license-renewal-final": [("amount_due", "money"), ("penalty", "money"), ("due_date", "date")],
    "license-lapsed": [("amount_due", "money"), ("lapsed_date", "date"), ("business_name", "text")],
    "license-certificate": [("business_name", "text"), ("expiration_date", "date")],
    "refund-letter": [("refund_amount", "money"), ("check_number", "text"), ("check_date", "date")],
    "leak-letter": [("read_date", "date"), ("service_address", "text"), ("times_average", "text")],
}
# A phrase only the English page has, and one only the Spanish page has.
LANGUAGE_MARK = {"en": "Para recibir este aviso en español, llame al (530) 555-0142.",
                 "es": "For this notice in English, call (530) 555-0142."}
OTHER_MARK = {"en": "Este aviso se emite conforme", "es": "This notice is issued under"}


def _every_notice() -> list[tuple[str, str, dict]]:
    """Each type in English then Spanish, each to its own recipient with its own amounts."""
    notices = []
    for number, type_id in enumerate(NOTICE_TYPES):
        for language in ("en", "es"):
            data = sample_notice_data(type_id, number * 2 + (language == "es"))
            data["recipient"]["name"] = f"Resident {type_id} {language}"
            data["notice_date"] = f"2026-03-{number + 1:02d}"
            notices.append((type_id, language, data))
    return notices


@pytest.fixture(scope="module")
def mailing(renderer, tmp_path_factory):
    """All 26 notices in one mailing PDF, written to disk for pdftotext."""
    notices = _every_notice()
    pdf = renderer.render_batch(notices)
    path = tmp_path_factory.mktemp("mailing") / "mailing.pdf"
    path.write_bytes(pdf)
    return notices, pdf, path


def test_the_mailing_is_one_letter_size_page_per_notice(mailing):
    notices, pdf, _ = mailing
    assert pdf.startswith(b"%PDF")
    assert pdf_pages(pdf) == len(notices) == 26
    assert pdf_page_size(pdf).startswith("612 x 792 pts")


@pytest.mark.parametrize("index", range(26))
def test_each_page_has_its_notice(mailing, renderer, index):
    notices, _, path = mailing
    type_id, language, data = notices[index]
    text = flat(page_text(path, index + 1))
    assert data["recipient"]["name"] in text
    assert sample_languages().language(language).title(type_id) in flat(page_text(path, index + 1, layout=False))
    assert long_date(data["notice_date"], language) in text
    assert data["reference"] in text
    assert LANGUAGE_MARK[language] in text and OTHER_MARK[language] not in text
    for key, kind in SHOWN[type_id]:
        shown = {"money": money, "date": lambda v: long_date(v, language), "text": str}[kind](data[key])
        assert shown in text, f"{type_id}.{language}: {key} {shown!r} not on page {index + 1}"
    # No other notice's recipient strays onto this page.
    others = {n[2]["recipient"]["name"] for n in notices} - {data["recipient"]["name"]}
    assert not [name for name in others if name in text]


def test_spanish_pages_write_dates_and_money_the_spanish_way(mailing):
    notices, _, path = mailing
    index = next(i for i, n in enumerate(notices) if n[:2] == ("shutoff-notice", "es"))
    text = flat(page_text(path, index + 1))
    data = notices[index][2]
    assert "Cómo pagar" in text and "Preguntas, apelaciones y planes de pago" in text
    assert f"El saldo total a más tardar el {long_date(data['due_date'], 'es')}".lower() in text.lower()
    assert re.search(r"\d+ de marzo de 2026", text)
    assert money(data["amount_due"]).startswith("$") and money(data["amount_due"]) in text


def test_a_payment_plan_lists_every_installment(mailing):
    notices, _, path = mailing
    index = next(i for i, n in enumerate(notices) if n[:2] == ("payment-plan-agreement", "en"))
    text = flat(page_text(path, index + 1))
    for number, installment in enumerate(notices[index][2]["installments"], start=1):
        assert f"{number} {long_date(installment['due_date'], 'en')} {money(installment['amount'])}" in text


def test_the_address_sits_inside_the_envelope_window(mailing):
    notices, _, path = mailing
    # The #10 window, in points: 7/8 in from the left, 2 in from the top, 4 in by 1 1/8 in.
    left, top, right, bottom = 0.875 * 72, 2 * 72, 4.875 * 72, 3.125 * 72
    for page in (1, 26):
        recipient = notices[page - 1][2]["recipient"]
        address_words = f"{recipient['name']} {recipient['street']} {recipient['zip']}".split()
        inside = {word for word, x0, y0, x1, y1 in word_boxes(path, page)
                  if left + 4 <= x0 and x1 <= right - 4 and top + 4 <= y0 and y1 <= bottom - 4}
        assert set(address_words) <= inside


def test_a_batch_of_three_puts_each_recipient_on_their_own_page(renderer, tmp_path):
    names = ["Ana Lucía Paredes", "Walter Brennan-Holt", "Kim Sun-hee"]
    notices = []
    for number, (type_id, language) in enumerate(
            [("past-due-reminder", "en"), ("shutoff-notice", "es"), ("license-renewal-reminder", "en")]):
        data = sample_notice_data(type_id, number)
        data["recipient"]["name"] = names[number]
        notices.append((type_id, language, data))
    path = tmp_path / "three.pdf"
    path.write_bytes(renderer.render_batch(notices))
    assert pdf_pages(path.read_bytes()) >= 3
    for page, name in enumerate(names, start=1):
        text = page_text(path, page)
        assert name in text
        assert [other for other in names if other in text] == [name]


def test_render_one_is_a_single_page(renderer):
    pdf = renderer.render_one("refund-letter", "es", sample_notice_data("refund-letter", 5))
    assert pdf_pages(pdf) == 1


def test_the_html_has_no_external_references(renderer):
    pages = [renderer.render_html(*notice) for notice in _every_notice()]
    document = renderer.render_document(pages)
    for reference in ("src=", "href=", "url(", "@import", "<script", "<link", "<img"):
        assert reference not in document.lower()


def test_a_mailing_rendered_in_parts_is_joined_in_order(tmp_path):
    renderer = NoticeRenderer(TEMPLATES, sample_city(), processes=2, pages_per_process=3)
    notices = _every_notice()[:8]
    path = tmp_path / "parts.pdf"
    path.write_bytes(renderer.render_batch(notices))
    assert pdf_pages(path.read_bytes()) == 8
    for page, (_, _, data) in enumerate(notices, start=1):
        assert data["recipient"]["name"] in flat(page_text(path, page))


def test_the_longest_notice_still_fits_one_sheet(renderer, tmp_path):
    data = sample_notice_data("payment-plan-agreement", 4)
    data["installments"] = [{"due_date": f"2026-{month:02d}-15", "amount": "1041.67"} for month in range(1, 13)]
    data["amount_due"] = "12500.04"
    data["service_address"] = "12345 Old Sacramento Stagecoach Road, Building C, Unit 1204"
    data["recipient"].update(name="Compañía de Construcción Hermanos Villaseñor-Echeverría S.A. de C.V.",
                             care_of="Attn: Accounts Payable Department", unit="Suite 1204")
    city = {**sample_city(), "office_hours_es": "lunes a viernes, de 8:00 a. m. a 5:00 p. m."}
    path = tmp_path / "long.pdf"
    path.write_bytes(renderer.render_one("payment-plan-agreement", "es", {**data, "city": city}))
    assert pdf_pages(path.read_bytes()) == 1
    text = flat(page_text(path, 1))
    assert "12 15 de diciembre de 2026 $1,041.67" in text
    assert "lunes a viernes, de 8:00 a. m. a 5:00 p. m." in text


def test_the_city_details_saved_with_a_notice_are_the_ones_printed(renderer):
    data = sample_notice_data("past-due-reminder")
    data["city"] = {"phone": "(530) 555-0199"}
    html = renderer.render_html("past-due-reminder", "en", data)
    assert "(530) 555-0199" in html and "(530) 555-0142" not in html
    assert "City of Alder Creek" in html
