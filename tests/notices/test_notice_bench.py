"""The notice bench reports throughput both ways; without pdfunite a mailing is one process."""
from __future__ import annotations

import engine.notices.render as render_module
from engine.notices import NoticeRenderer
from benchmarks.notices import run_notice_bench
from samplecity.notices import sample_batch, sample_city
from notice_support import TEMPLATES, pdf_pages


def test_the_bench_measures_a_mailing_and_single_notices():
    result = run_notice_bench(n=6, singles=2, pages_per_process=4)
    assert result["batch_notices"] == 6 and result["single_notices"] == 2
    assert result["batch_notices_per_s"] > 0 and result["single_notices_per_s"] > 0
    assert result["batch_cpu_seconds"] > 0 and result["batch_pdf_bytes"] > 10_000
    assert result["meets_target"] == (result["batch_notices_per_s"] >= 300)


def test_without_pdfunite_a_long_mailing_is_one_wkhtmltopdf_run(monkeypatch):
    runs = []
    real = render_module.html_to_pdf
    monkeypatch.setattr(render_module, "can_merge", lambda: False)
    monkeypatch.setattr(render_module, "html_to_pdf", lambda *args: runs.append(1) or real(*args))
    renderer = NoticeRenderer(TEMPLATES, sample_city(), pages_per_process=2)
    assert pdf_pages(renderer.render_batch(sample_batch(5))) == 5
    assert len(runs) == 1


def test_with_pdfunite_a_long_mailing_is_rendered_in_parts(monkeypatch):
    runs = []
    real = render_module.html_to_pdf
    monkeypatch.setattr(render_module, "html_to_pdf", lambda *args: runs.append(1) or real(*args))
    renderer = NoticeRenderer(TEMPLATES, sample_city(), pages_per_process=2)
    assert pdf_pages(renderer.render_batch(sample_batch(5))) == 5
    assert len(runs) == 3
