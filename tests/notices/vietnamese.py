"""A third language for tests: the repository's notice templates copied to a folder, with a Vietnamese (`vi`) set added.

The set is whole (every file engine.notices.languages asks for), each file the English one with
its words file, its receipt and its past-due reminder put into Vietnamese: what a city adding a
language does, here in a few real sentences rather than every letter.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from engine.notices.languages import required_files

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "notices"

MONTHS = ", ".join(f'"tháng {n}"' for n in range(1, 13))
WORDS_HEAD = ('{% set language_name = "Vietnamese" %}\n'
              f"{{% set months = [{MONTHS}] %}}\n"
              '{% set long_date = "ngày {day} {month} năm {year}" %}\n'
              '{% set month_year = "{month} năm {year}" %}\n')
TITLES = {"past-due-reminder": "Nhắc nhở thanh toán quá hạn", "shutoff-notice": "Thông báo cắt dịch vụ"}
# What the Vietnamese files say in place of the English ones' words (file -> [(English, Vietnamese)]).
WORDS = {
    "_words.{}.html": [
        ('{% set account = "Account number" %}', '{% set account = "Số tài khoản" %}'),
        ('{% set amount_due_label = "Amount due" %}', '{% set amount_due_label = "Số tiền phải trả" %}'),
        ('{% set pay_by = "Pay by" %}', '{% set pay_by = "Hạn thanh toán" %}'),
        ('{% set service_address_label = "Service address" %}',
         '{% set service_address_label = "Địa chỉ dịch vụ" %}'),
        ("<p>Dear {{ recipient.name }}:</p>", "<p>Kính gửi {{ recipient.name }}:</p>"),
        ("<caption>Past due by service</caption>", "<caption>Số tiền quá hạn theo dịch vụ</caption>"),
        ('line["name_en"]', 'line.get("name_vi") or line["name_en"]'),
    ],
    "past-due-reminder.{}.html": [
        ("<p>Our records show that the utility account for {{ service_address }} is past due.\n"
         "The balance of <b>{{ amount_due|money }}</b> must be paid by <b>{{ due_date|day }}</b>.",
         "<p>Theo hồ sơ của chúng tôi, tài khoản tiện ích tại {{ service_address }} đã quá hạn thanh toán.\n"
         "Số dư <b>{{ amount_due|money }}</b> phải được thanh toán trước <b>{{ due_date|day }}</b>."),
    ],
    "receipt.{}.html": [
        ('<html lang="en">', '<html lang="vi">'),
        ("<title>Receipt {{ receipt.number }}</title>", "<title>Biên lai {{ receipt.number }}</title>"),
        ("<h1>Receipt {{ receipt.number }}</h1>", "<h1>Biên lai {{ receipt.number }}</h1>"),
        ("<div>Received {{ receipt.received_on|day }}", "<div>Đã nhận {{ receipt.received_on|day }}"),
        ("<td>Total</td>", "<td>Tổng cộng</td>"),
        ("'cash': 'Cash'", "'cash': 'Tiền mặt'"),
        ("<td>Change due</td>", "<td>Tiền thối lại</td>"),
        ("<p class=\"small\">Thank you.", "<p class=\"small\">Cảm ơn quý khách."),
    ],
    "_statement_words.{}.html": [
        ('{% set title = "Utility Bill" %}', '{% set title = "Hóa đơn dịch vụ tiện ích" %}'),
    ],
}


def with_vietnamese(folder: Path) -> Path:
    """The repository's notice templates copied into `folder`, with a whole Vietnamese set added; the folder."""
    shutil.copytree(TEMPLATES, folder, dirs_exist_ok=True)
    for name in required_files("vi"):
        english = (TEMPLATES / name.replace(".vi.", ".en.")).read_text(encoding="utf-8")
        for pattern, pairs in WORDS.items():
            if name == pattern.format("vi"):
                for said, instead in pairs:
                    assert said in english, f"{name}: the English file no longer says {said!r}"
                    english = english.replace(said, instead)
        if name == "_words.vi.html":
            english = _vietnamese_head(english)
        (folder / name).write_text(english, encoding="utf-8")
    return folder


def _vietnamese_head(words: str) -> str:
    """The English words file's language name, months, date patterns and titles made Vietnamese."""
    start, end = words.index('{% set language_name'), words.index("{% set titles")
    words = words[:start] + WORDS_HEAD + words[end:]
    for type_id, title in TITLES.items():
        english = words.split(f'"{type_id}": "', 1)[1].split('"', 1)[0]
        words = words.replace(f'"{type_id}": "{english}"', f'"{type_id}": "{title}"')
    return words
