"""Each notice's own PDF while the mailing renders: its sheet of the mailing, in order, one sheet each."""
from __future__ import annotations

import subprocess

import pytest

import engine.notices.render as render_module
from engine.notices import NoticeRenderer
from engine.notices.pdfsplit import UnsplittablePdf, split_pages
from samplecity.notices import sample_batch, sample_city
from notice_support import TEMPLATES, flat, pdf_pages


def text_of(pdf: bytes) -> str:
    """The words of a one-sheet PDF."""
    return flat(subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode())


def unreadable(pdf: bytes) -> list[bytes]:
    """The splitter meeting a PDF it does not understand."""
    raise UnsplittablePdf("not wkhtmltopdf's")


def two_sheets(pdf: bytes) -> list[bytes]:
    """A split that finds two sheets in a part of three notices."""
    return [pdf, pdf]


def test_each_notice_gets_its_own_sheet_of_the_mailing_in_order():
    """Five notices in parts of two: five one-sheet PDFs handed over by position, each the right recipient."""
    notices = sample_batch(5)
    copies: list[tuple[int, bytes]] = []
    renderer = NoticeRenderer(TEMPLATES, sample_city(), pages_per_process=2)
    mailing = renderer.render_batch(notices, each_notice=lambda position, pdf: copies.append((position, pdf)))
    assert pdf_pages(mailing) == 5
    assert [position for position, _ in copies] == [0, 1, 2, 3, 4]
    for (_, pdf), (_, _, data) in zip(copies, notices):
        assert pdf_pages(pdf) == 1 and data["recipient"]["name"] in text_of(pdf)


def test_a_part_the_splitter_cannot_read_is_split_by_pdfseparate(monkeypatch):
    """Another writer's PDF: pdfseparate splits it, still one sheet per notice, no extra rendering."""
    runs = []
    real = render_module.html_to_pdf
    monkeypatch.setattr(render_module, "split_pages", unreadable)
    monkeypatch.setattr(render_module, "html_to_pdf", lambda *args: runs.append(1) or real(*args))
    copies: list[bytes] = []
    renderer = NoticeRenderer(TEMPLATES, sample_city(), pages_per_process=4)
    notices = sample_batch(3)
    renderer.render_batch(notices, each_notice=lambda _position, pdf: copies.append(pdf))
    assert [pdf_pages(pdf) for pdf in copies] == [1, 1, 1] and len(runs) == 1
    assert all(data["recipient"]["name"] in text_of(pdf) for pdf, (_, _, data) in zip(copies, notices))


def test_with_neither_way_to_split_each_notice_is_rendered_on_its_own(monkeypatch):
    """No way to split a part: the copies cost a wkhtmltopdf run each, and are still one sheet each."""
    runs = []
    real = render_module.html_to_pdf
    monkeypatch.setattr(render_module, "split_pages", unreadable)
    monkeypatch.setattr(render_module, "can_split", lambda: False)
    monkeypatch.setattr(render_module, "html_to_pdf", lambda *args: runs.append(1) or real(*args))
    copies: list[bytes] = []
    renderer = NoticeRenderer(TEMPLATES, sample_city(), pages_per_process=4)
    renderer.render_batch(sample_batch(3), each_notice=lambda _position, pdf: copies.append(pdf))
    assert [pdf_pages(pdf) for pdf in copies] == [1, 1, 1]
    assert len(runs) == 1 + 3


def test_a_part_with_more_sheets_than_notices_is_not_split_by_guess(monkeypatch):
    """A notice that ran over a sheet would shift every copy after it: that part's notices are rendered alone."""
    monkeypatch.setattr(render_module, "split_pages", two_sheets)
    copies: list[bytes] = []
    renderer = NoticeRenderer(TEMPLATES, sample_city(), pages_per_process=3)
    notices = sample_batch(3)
    renderer.render_batch(notices, each_notice=lambda _position, pdf: copies.append(pdf))
    assert len(copies) == 3
    assert all(data["recipient"]["name"] in text_of(pdf) for pdf, (_, _, data) in zip(copies, notices))


def test_a_sheet_split_off_is_the_mailings_page_byte_for_byte_in_its_objects(renderer):
    """The same mailing splits into the same bytes every time; each sheet prints what the mailing's page prints."""
    mailing = renderer.render_batch(sample_batch(3))
    sheets = split_pages(mailing)
    assert split_pages(mailing) == sheets and len(sheets) == 3
    for number, sheet in enumerate(sheets, start=1):
        page = subprocess.run(["pdftotext", "-f", str(number), "-l", str(number), "-", "-"], input=mailing,
                              capture_output=True, check=True).stdout.decode()
        assert pdf_pages(sheet) == 1 and text_of(sheet) == flat(page)


def test_a_pdf_the_splitter_does_not_understand_is_refused():
    for pdf in (b"%PDF-1.5\n", b"%PDF-1.5\n1 0 obj\n<< >>\nendobj\nstartxref\n9\n%%EOF\n"):
        with pytest.raises(UnsplittablePdf):
            split_pages(pdf)


def test_asked_only_for_sheet_counts_a_part_of_one_sheet_notices_is_not_split(monkeypatch):
    """The postal summary needs each notice's sheets, not its PDF: a part with a sheet per notice is never split."""
    monkeypatch.setattr(render_module, "split_pages", lambda pdf: pytest.fail("split a part of one-sheet notices"))
    counts: list[tuple[int, int]] = []
    renderer = NoticeRenderer(TEMPLATES, sample_city(), pages_per_process=2)
    mailing = renderer.render_batch(sample_batch(5), each_pages=lambda position, sheets: counts.append((position, sheets)))
    assert pdf_pages(mailing) == 5 and counts == [(0, 1), (1, 1), (2, 1), (3, 1), (4, 1)]


class LongSecondNotice(NoticeRenderer):
    """A renderer whose second notice runs onto a second sheet."""

    def render_html(self, notice_type: str, language: str, data: dict, printed_on=None) -> str:
        html = super().render_html(notice_type, language, data, printed_on)
        if data is self.long:
            html += '<div style="page-break-before: always">continued</div>'
        return html


def test_a_notice_over_two_sheets_is_counted_as_two():
    """A part with more sheets than notices: its notices are counted one by one, so the extra sheet is the right one's."""
    notices = sample_batch(4)
    renderer = LongSecondNotice(TEMPLATES, sample_city(), pages_per_process=2)
    renderer.long = notices[1][2]
    counts: list[tuple[int, int]] = []
    mailing = renderer.render_batch(notices, each_pages=lambda position, sheets: counts.append((position, sheets)))
    assert pdf_pages(mailing) == 5 and counts == [(0, 1), (1, 2), (2, 1), (3, 1)]


def test_a_notice_and_its_sheets_cannot_both_be_asked_for():
    """One receiver a mailing: its PDFs or its sheet counts."""
    renderer = NoticeRenderer(TEMPLATES, sample_city())
    with pytest.raises(ValueError, match="not both"):
        renderer.render_batch(sample_batch(1), each_notice=lambda *_: None, each_pages=lambda *_: None)
