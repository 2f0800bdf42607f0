"""Notices to HTML (Jinja, autoescaped) and to PDF: one wkhtmltopdf run for a whole mailing."""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape

from engine.notices import formats
from engine.notices.catalog import validate_notice
from engine.notices.wkhtmltopdf import find_wkhtmltopdf, html_to_pdf, new_meta_prefix

DOCUMENT_END = "\n</body>\n</html>\n"


@pass_context
def _day(context, value: str) -> str:
    """A date in the notice's own language."""
    return formats.long_date(value, context["language"])


def _lines(value: str | list[str]) -> list[str]:
    """An address given as a list of lines or as text with line breaks, as lines."""
    if isinstance(value, list):
        return [str(line) for line in value]
    return [line.strip() for line in str(value).splitlines() if line.strip()]


def notice_environment(templates_dir: str | Path) -> Environment:
    """The Jinja environment for notices: autoescaped always, strict about undefined names."""
    env = Environment(
        loader=FileSystemLoader(str(templates_dir)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(money=formats.money, day=_day, lines=_lines, zero=formats.is_zero)
    return env


class NoticeRenderer:
    """Renders a city's notices as HTML pages and as mailing-ready PDFs."""

    def __init__(self, templates_dir: str | Path, city: dict, *, wkhtmltopdf: str | None = None,
                 timeout_seconds: int = 30, seconds_per_page: float = 0.05) -> None:
        """Set up templates and the city's details; wkhtmltopdf is looked for when first needed."""
        self.env = notice_environment(templates_dir)
        self.city = dict(city)
        self.wkhtmltopdf = wkhtmltopdf
        self.timeout_seconds = timeout_seconds
        self.seconds_per_page = seconds_per_page
        self._meta_prefix = new_meta_prefix()
        self._document_start = self.env.get_template("_document.html").render(city=self.city)

    def render_html(self, notice_type: str, language: str, data: dict) -> str:
        """One notice's page (a `<div class="notice">`), after checking its data is complete."""
        city = {**self.city, **data.get("city", {})} if isinstance(data, dict) else self.city
        kind = validate_notice(notice_type, language, data, city)
        template = self.env.get_template(kind.template_name(language))
        context = {**data, "city": city, "language": language, "title": kind.title(language),
                   "by_license": kind.by_license}
        return template.render(context)

    def render_document(self, html_pages: list[str]) -> str:
        """One HTML document holding the pages in order, each notice starting a new sheet."""
        return self._document_start + "\n".join(html_pages) + DOCUMENT_END

    def render_pdf(self, html_pages: list[str]) -> bytes:
        """One PDF of the pages, from a single wkhtmltopdf process."""
        if not html_pages:
            raise ValueError("no notices to render")
        executable = find_wkhtmltopdf(self.wkhtmltopdf)
        timeout = self.timeout_seconds + self.seconds_per_page * len(html_pages)
        return html_to_pdf(executable, self.render_document(html_pages), self._meta_prefix, timeout)

    def render_batch(self, notices: Iterable[tuple[str, str, dict]]) -> bytes:
        """One mailing PDF for many notices (type, language, data), in the order given."""
        return self.render_pdf([self.render_html(*notice) for notice in notices])

    def render_one(self, notice_type: str, language: str, data: dict) -> bytes:
        """The PDF of a single notice, on demand."""
        return self.render_pdf([self.render_html(notice_type, language, data)])
