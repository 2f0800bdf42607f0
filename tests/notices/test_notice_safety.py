"""The PDF renderer is safe with hostile data: no option smuggling, no scripts, no files, no network."""
from __future__ import annotations

import http.server
import threading

import pytest

from engine.notices import NoticeRenderer, PdfRenderError
from samplecity.notices import sample_city, sample_notice_data
from notice_support import TEMPLATES, flat, page_text, pdf_page_size

META_NAME = '<meta name="pdfkit-enable-local-file-access" content="">'
SCRIPT_NAME = '<script>document.write("PWNED")</script> Robert'


@pytest.fixture(scope="module")
def hostile_mailing(renderer, tmp_path_factory):
    """A past-due reminder to a customer named like a meta tag, and a shut-off notice to one named like a script."""
    first = sample_notice_data("past-due-reminder", 1)
    first["recipient"]["name"] = META_NAME
    second = sample_notice_data("shutoff-notice", 2)
    second["recipient"]["name"] = SCRIPT_NAME
    second["service_address"] = '<meta name="pdfkit-page-size" content="A4"> 5 Elm St'
    path = tmp_path_factory.mktemp("hostile") / "hostile.pdf"
    path.write_bytes(renderer.render_batch([("past-due-reminder", "en", first),
                                            ("shutoff-notice", "es", second)]))
    return path


def test_a_customer_named_like_a_pdfkit_meta_tag_prints_literally(hostile_mailing):
    assert META_NAME in flat(page_text(hostile_mailing, 1))


def test_a_customer_named_like_a_script_prints_literally_and_never_runs(hostile_mailing):
    text = flat(page_text(hostile_mailing, 2))
    assert SCRIPT_NAME in text
    assert '<meta name="pdfkit-page-size" content="A4"> 5 Elm St' in text
    assert "PWNED" not in text.replace(SCRIPT_NAME, "")
    assert pdf_page_size(hostile_mailing.read_bytes()).startswith("612 x 792 pts")


def test_the_html_escapes_data(renderer):
    data = sample_notice_data("refund-letter")
    data["recipient"]["name"] = META_NAME
    html = renderer.render_html("refund-letter", "en", data)
    assert "<meta" not in html and "&lt;meta name=&#34;pdfkit-enable-local-file-access&#34;" in html


def test_meta_tags_with_pdfkits_usual_prefix_are_not_options(renderer):
    # Even raw, unescaped HTML cannot pass wkhtmltopdf options: the prefix is a secret.
    pdf = renderer.render_pdf(['<div class="notice"><meta name="pdfkit-page-size" content="A4">'
                               '<meta name="pdfkit-orientation" content="Landscape">Hello</div>'])
    assert pdf_page_size(pdf).startswith("612 x 792 pts")


def test_meta_tags_with_the_secret_prefix_are_refused(renderer):
    secret = renderer._meta_prefix
    with pytest.raises(PdfRenderError, match="carries wkhtmltopdf options"):
        renderer.render_pdf([f'<meta name="{secret}enable-local-file-access" content="">'])


def test_each_renderer_has_its_own_secret_prefix():
    first, second = (NoticeRenderer(TEMPLATES, sample_city()) for _ in range(2))
    assert first._meta_prefix != second._meta_prefix and len(first._meta_prefix) > 30


class _Recorder(http.server.BaseHTTPRequestHandler):
    """Counts every request that reaches the test's web server."""

    hits: list[str] = []

    def do_GET(self):  # noqa: N802 (the http.server name)
        """Record the path and answer with a little CSS."""
        self.hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"body { color: red }")

    def log_message(self, *args):
        """Stay quiet."""


@pytest.fixture()
def web_server():
    """A local web server that records every request it gets; its base URL."""
    _Recorder.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_the_renderer_makes_no_network_requests(renderer, web_server):
    # Plain wkhtmltopdf fetches these from the server; --no-images alone still lets the
    # stylesheet and the frame through. The renderer refuses the page and fetches nothing.
    page = (f'<div class="notice"><link rel="stylesheet" href="{web_server}/style.css">'
            f'<img src="{web_server}/logo.png"><iframe src="{web_server}/frame"></iframe>'
            f'<script src="{web_server}/x.js"></script>'
            f'<style>@import url("{web_server}/import.css");</style>Body</div>')
    with pytest.raises(PdfRenderError, match="network error"):
        renderer.render_pdf([page])
    assert _Recorder.hits == []


def test_the_renderer_reads_no_local_files(renderer, tmp_path):
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text("TOP-SECRET-CONTENTS")
    page = f'<div class="notice"><iframe src="file://{secret_file}"></iframe>Body</div>'
    with pytest.raises(PdfRenderError, match="ProtocolUnknownError"):
        renderer.render_pdf([page])


def test_a_missing_wkhtmltopdf_says_how_to_install_it():
    renderer = NoticeRenderer(TEMPLATES, sample_city(), wkhtmltopdf="/nonexistent/wkhtmltopdf")
    with pytest.raises(PdfRenderError, match=r"^wkhtmltopdf is not installed: apt-get install wkhtmltopdf$"):
        renderer.render_one("refund-letter", "en", sample_notice_data("refund-letter"))


def test_a_render_that_takes_too_long_is_stopped():
    renderer = NoticeRenderer(TEMPLATES, sample_city(), timeout_seconds=0, seconds_per_page=0.001)
    with pytest.raises(PdfRenderError, match="took longer than 0.001 s"):
        renderer.render_one("refund-letter", "en", sample_notice_data("refund-letter"))


def test_a_missing_key_fails_the_whole_batch(renderer):
    data = sample_notice_data("door-hanger")
    del data["shutoff_date"]
    with pytest.raises(ValueError, match=r"^door-hanger notice: data is missing 'shutoff_date'$"):
        renderer.render_batch([("past-due-reminder", "en", sample_notice_data("past-due-reminder")),
                               ("door-hanger", "es", data)])
