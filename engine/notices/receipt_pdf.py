"""A counter receipt printed as a PDF: 80 mm wide for the receipt printer, or US Letter; in a language the notice
templates folder holds a complete set for (engine.notices.languages: `receipt.<code>.html` is part of the set).

The same renderer as the notices (Jinja autoescaped and strict; wkhtmltopdf with no file or
network access and a secret meta-tag prefix, engine.notices.wkhtmltopdf); the paper is
named by the caller from a fixed list, never read from the receipt.
"""
from __future__ import annotations

from pathlib import Path

from engine.notices.languages import LanguageError, discover
from engine.notices.render import notice_environment
from engine.notices.wkhtmltopdf import PAPERS, PdfRenderError, find_wkhtmltopdf, html_to_pdf, new_meta_prefix


def receipt_html(templates_dir: str | Path, data: dict, language: str, paper: str) -> str:
    """The receipt as one HTML document in its language, laid out for its paper."""
    languages = discover(templates_dir)
    try:
        languages.language(language)
    except LanguageError as error:
        raise PdfRenderError(f"no receipt in {language!r}: {error}") from None
    if paper not in PAPERS:
        raise PdfRenderError(f"unknown paper {paper!r}; use {', '.join(PAPERS)}")
    env = notice_environment(templates_dir, languages)
    return env.get_template(f"receipt.{language}.html").render(receipt=data, paper=paper, language=language)


def receipt_pdf(templates_dir: str | Path, data: dict, language: str, paper: str, *, wkhtmltopdf: str | None = None,
                timeout_seconds: float = 30) -> bytes:
    """The receipt's PDF on its paper ("receipt": 80 mm wide; "letter")."""
    html = receipt_html(templates_dir, data, language, paper)
    return html_to_pdf(find_wkhtmltopdf(wkhtmltopdf), html, new_meta_prefix(), timeout_seconds, paper)
