"""A city adds a language without Python: a whole set of templates in a folder, then the city's `languages` setting.

The repository's templates are copied to a folder and a Vietnamese set is added (tests/notices/vietnamese.py);
a notice and a receipt are printed in it through the real wkhtmltopdf and read back with pdftotext; an incomplete
set is refused with the file it lacks named; a customer whose language the city stops offering gets English.
"""
from __future__ import annotations

import subprocess
import unicodedata
from datetime import date
from decimal import Decimal

import pytest

from engine import city
from engine.accounts import customer_record as record
from engine.money import cash, ledger
from engine.money.receipts import LineAsked, TenderAsked, receipt_data, take_receipt
from engine.notices import NoticeDataError, NoticeRenderer
from engine.notices.languages import discover
from engine.notices.receipt_pdf import receipt_pdf
from engine.notices.wkhtmltopdf import PdfRenderError
from engine.rulebook.drafting import check_draft
from engine.rules.services import CATCH_ALL, service_names
from samplecity.notices import sample_city, sample_notice_data
from tests.factories import NOW, create_account, create_customer
from tests.ledger.money_support import create_user
from notice_support import REPO, TEMPLATES
from vietnamese import with_vietnamese

DAY = date(2026, 3, 2)


def text_of(pdf: bytes) -> str:
    """The PDF's text as pdftotext reads it: whitespace made single spaces, accents composed (NFC)."""
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
    return unicodedata.normalize("NFC", " ".join(done.stdout.decode("utf-8").split()))


@pytest.fixture()
def folder(tmp_path):
    """The templates with a whole Vietnamese set."""
    return with_vietnamese(tmp_path / "notices")


def test_a_whole_set_is_a_language_the_city_may_choose_named_by_its_words_file(folder):
    languages = discover(folder)
    assert languages.codes == ("en", "es", "vi") and not languages.missing
    assert languages.names() == {"en": "English", "es": "Spanish", "vi": "Vietnamese"}
    assert languages.language("vi").day("2026-03-05") == "ngày 5 tháng 3 năm 2026"
    assert languages.language("vi").month("2026-10") == "tháng 10 năm 2026"
    assert discover(TEMPLATES).codes == ("en", "es")  # the repository's own folder is untouched


def test_a_notice_prints_in_the_new_language(folder):
    data = sample_notice_data("past-due-reminder") | {"due_date": "2026-03-21", "amount_due": "1234.50",
                                                      "past_due_by_service": [
                                                          {"service": "water", "name_en": "Water",
                                                           "name_vi": "Nước", "amount": "1234.50"}]}
    text = text_of(NoticeRenderer(folder, sample_city()).render_one("past-due-reminder", "vi", data))
    for words in ("Nhắc nhở thanh toán quá hạn", "ngày 2 tháng 3 năm 2026", f"Số tài khoản {data['account_number']}",
                  f"Kính gửi {data['recipient']['name']}:", "đã quá hạn thanh toán",
                  "Số dư $1,234.50 phải được thanh toán trước ngày 21 tháng 3 năm 2026.",
                  "Số tiền quá hạn theo dịch vụ", "Nước $1,234.50"):
        assert words in text, (words, text)
    assert "Past-Due Reminder" not in text and "Our records show" not in text


@pytest.fixture()
def counter(db):
    """The sample city saved, a clerk with a drawer open, and an account owing a $52.03 water bill."""
    city.update_city(db, actor="admin1", now=NOW, name="City of Alder Creek")
    clerk, account = create_user(db), create_account(db)
    ledger.post_charge(db, account.id, Decimal("52.03"), on=date(2026, 2, 1), due_on=date(2026, 2, 21), now=NOW,
                       actor="billing:A-2026-02", description="Water and sewer")
    cash.open_drawer(db, clerk=clerk, business_date=DAY, opening=Decimal("100.00"), now=NOW)
    return clerk, account


def _receipt(db, clerk, account, language: str):
    """$52.03 paid with $60.00 cash, the receipt asked for in `language`."""
    return take_receipt(db, [LineAsked("account", account.number, "52.03")], [TenderAsked("cash", "60.00")],
                        clerk=clerk, on=DAY, now=NOW, payer="Lan Nguyen", language=language)


def test_the_city_offers_the_new_language_and_a_receipt_prints_in_it(db, folder, counter):
    clerk, account = counter
    with pytest.raises(city.CityError, match=r"'vi' is not a language the notice templates are written in"):
        city.update_city(db, actor="admin1", now=NOW, languages=["en", "es", "vi"], printable=discover(TEMPLATES))
    city.update_city(db, actor="admin1", now=NOW, languages=["en", "es", "vi"], printable=discover(folder))
    assert city.offered(db) == ["en", "es", "vi"]
    receipt = _receipt(db, clerk, account, "vi")
    assert receipt.language == "vi"
    data = receipt_data(receipt, city={"name": "City of Alder Creek", "address": "1 Civic Plaza", "phone": ""},
                        clerk=clerk.full_name, timezone="America/Los_Angeles")
    text = text_of(receipt_pdf(folder, data, receipt.language, "letter"))
    for words in (f"Biên lai {receipt.number}", "Đã nhận ngày 2 tháng 3 năm 2026", "Lan Nguyen", "Tổng cộng $52.03",
                  "Tiền mặt $60.00", "Tiền thối lại $7.97", "Cảm ơn quý khách."):
        assert words in text, (words, text)
    with pytest.raises(PdfRenderError, match=r"no receipt in 'vi'"):
        receipt_pdf(TEMPLATES, data, "vi", "letter")  # a folder without the set cannot print it


def test_a_customer_s_language_the_city_no_longer_offers_prints_in_english(db, folder, counter):
    clerk, account = counter
    city.update_city(db, actor="admin1", now=NOW, languages=["en", "vi"], printable=discover(folder))
    customer = create_customer(db)
    record.change_contact(db, customer.id, phones=[], email="", language="vi", actor="clerk1", now=NOW)
    city.update_city(db, actor="admin1", now=NOW, languages=["en", "es"], printable=discover(folder))
    with pytest.raises(record.RecordError, match=r"Language: one of the city's languages \(en, es\), not 'vi'"):
        record.change_contact(db, customer.id, phones=[], email="", language="vi", actor="clerk1", now=NOW)
    assert customer.language == "vi"  # kept: the city may offer it again
    assert city.printed_in(city.offered(db), customer.language) == "en"
    assert _receipt(db, clerk, account, "vi").language == "en"


def test_an_incomplete_set_is_refused_naming_the_files_it_lacks(db, folder):
    (folder / "leak-letter.vi.html").unlink()
    (folder / "receipt.vi.html").unlink()
    languages = discover(folder)
    assert languages.codes == ("en", "es")
    assert languages.missing == {"vi": ("leak-letter.vi.html", "receipt.vi.html")}
    with pytest.raises(city.CityError, match=r"'vi' cannot be printed: its set in .* is incomplete, lacking "
                                             r"leak-letter.vi.html, receipt.vi.html"):
        city.update_city(db, actor="admin1", now=NOW, languages=["en", "vi"], printable=languages)
    with pytest.raises(NoticeDataError,
                       match=r"past-due-reminder notice: 'vi' cannot be printed: .*leak-letter.vi.html"):
        NoticeRenderer(folder, sample_city()).render_html("past-due-reminder", "vi",
                                                          sample_notice_data("past-due-reminder"))
    with pytest.raises(city.CityError, match=r"Languages must include English \(en\)"):
        city.update_city(db, actor="admin1", now=NOW, languages=["es"], printable=languages)


def test_a_words_file_without_the_language_s_months_is_an_incomplete_set(folder):
    words = folder / "_words.vi.html"
    words.write_text(words.read_text(encoding="utf-8").replace("{% set months", "{% set month_names"),
                     encoding="utf-8")
    assert discover(folder).missing == {
        "vi": ("_words.vi.html: language_name, months, long_date, month_year and titles must be set; months is not",)}


SERVICES = (REPO / "rules" / "utilities" / "city-services.yaml").read_text(encoding="utf-8").replace(
    "      water: {en: Water, es: Agua}\n",
    "      water: {en: Water, es: Agua, vi: Nước}\n").replace(
    "    services:\n", "    other_charges: {en: Other charges, vi: Phí khác}\n    services:\n", 1)


def test_a_rule_draft_with_words_in_a_language_the_city_does_not_offer_is_refused_where_they_are(db, folder):
    city.update_city(db, actor="admin1", now=NOW, name="City of Alder Creek")
    refused = check_draft(db, "city-services", SERVICES, DAY)
    assert [f"{error.path}: {error.message}" for error in refused.errors] == [
        f"{path}: 'vi' is not one of the city's languages (en, es): add it in the city settings first, or write the "
        "words in one of them" for path in ("versions[0].other_charges.vi", "versions[0].services.water.vi")]
    city.update_city(db, actor="admin1", now=NOW, languages=["en", "es", "vi"], printable=discover(folder))
    checked = check_draft(db, "city-services", SERVICES, DAY)
    assert checked.ok, checked.errors
    names = service_names([checked.document], DAY, "vi")
    assert (names["water"], names["sewer"], names[CATCH_ALL]) == ("Nước", "Sewer", "Phí khác")  # Sewer: no vi name
    assert service_names([checked.document], DAY, "es")[CATCH_ALL] == "Otros cargos"  # other_charges has no es
