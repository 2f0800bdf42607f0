"""Notices to HTML (Jinja, autoescaped) and to PDF: a whole mailing as one PDF, a sheet per notice."""
from __future__ import annotations

import os
import tempfile
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import islice
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context

from engine.notices import formats
from engine.notices.catalog import NoticeDataError, validate_notice
from engine.notices.pdfmerge import can_merge, merge_pdf_files
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
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(money=formats.money, day=_day, lines=_lines, zero=formats.is_zero)
    return env


class NoticeRenderer:
    """Renders a city's notices as HTML pages and as mailing-ready PDFs.

    A mailing longer than pages_per_process is rendered in parts, `processes` (default: one
    per CPU) wkhtmltopdf runs at a time while later notices are still being written, and
    the parts are joined with pdfunite (one run for the whole mailing when pdfunite is not
    installed). Any bad notice fails the whole mailing: no PDF is returned.
    """

    def __init__(self, templates_dir: str | Path, city: dict, *, wkhtmltopdf: str | None = None,
                 timeout_seconds: int = 30, seconds_per_page: float = 0.05,
                 processes: int | None = None, pages_per_process: int = 250) -> None:
        """Set up templates and the city's details; wkhtmltopdf is looked for when first needed."""
        self.env = notice_environment(templates_dir)
        self.city = dict(city)
        self.wkhtmltopdf = wkhtmltopdf
        self.timeout_seconds = timeout_seconds
        self.seconds_per_page = seconds_per_page
        self.processes = max(1, processes or os.cpu_count() or 1)
        self.pages_per_process = max(1, pages_per_process)
        self._meta_prefix = new_meta_prefix()
        self._document_start = self.env.get_template("_document.html").render(city=self.city)

    def render_html(self, notice_type: str, language: str, data: dict) -> str:
        """One notice's page (a `<div class="notice">`), after checking its data is complete."""
        saved_city = data.get("city", {}) if isinstance(data, dict) else {}
        if not isinstance(saved_city, dict):
            raise NoticeDataError(f"{notice_type} notice: 'city' must be a dict of the city's details")
        city = {**self.city, **saved_city}
        kind = validate_notice(notice_type, language, data, city)
        template = self.env.get_template(kind.template_name(language))
        context = {**data, "city": city, "language": language, "title": kind.title(language),
                   "by_license": kind.by_license}
        return template.render(context)

    def render_document(self, html_pages: list[str]) -> str:
        """One HTML document holding the pages in order, each notice starting a new sheet."""
        return self._document_start + "\n".join(html_pages) + DOCUMENT_END

    def render_pdf(self, html_pages: list[str]) -> bytes:
        """One PDF of the pages, in order, each notice on a new sheet."""
        return self._mailing(iter(html_pages))

    def render_batch(self, notices: Iterable[tuple[str, str, dict]]) -> bytes:
        """One mailing PDF for many notices (type, language, data), in the order given."""
        return self._mailing(self.render_html(*notice) for notice in notices)

    def render_one(self, notice_type: str, language: str, data: dict) -> bytes:
        """The PDF of a single notice, on demand."""
        return self.render_pdf([self.render_html(notice_type, language, data)])

    def _mailing(self, pages: Iterator[str]) -> bytes:
        """Render the pages in parts, a few wkhtmltopdf processes at a time, and join the parts."""
        executable = find_wkhtmltopdf(self.wkhtmltopdf)
        size = self.pages_per_process if can_merge() else None
        with tempfile.TemporaryDirectory(prefix="ordinance-mailing-") as folder:
            files, total = self._render_parts(executable, _parts(pages, size), Path(folder))
            if not files:
                raise ValueError("no notices to render")
            timeout = self.timeout_seconds + self.seconds_per_page * total
            return merge_pdf_files(files, Path(folder) / "mailing.pdf", timeout)

    def _render_parts(self, executable: str, parts: Iterator[list[str]],
                      folder: Path) -> tuple[list[Path], int]:
        """Each part's PDF in a file of the folder; at most a few parts' pages held at once."""
        files: list[Path] = []
        running: deque[Future] = deque()
        total = 0
        with ThreadPoolExecutor(self.processes, thread_name_prefix="wkhtmltopdf") as pool:
            try:
                for part in parts:
                    while len(running) > self.processes:
                        running.popleft().result()
                    files.append(folder / f"part-{len(files):05d}.pdf")
                    running.append(pool.submit(self._part_pdf, executable, part, files[-1]))
                    total += len(part)
                for future in running:
                    future.result()
            except BaseException:
                pool.shutdown(wait=True, cancel_futures=True)
                raise
        return files, total

    def _part_pdf(self, executable: str, part: list[str], path: Path) -> None:
        """One wkhtmltopdf run over some pages, with a time limit that grows with the pages."""
        timeout = self.timeout_seconds + self.seconds_per_page * len(part)
        path.write_bytes(html_to_pdf(executable, self.render_document(part), self._meta_prefix, timeout))


def _parts(pages: Iterator[str], size: int | None) -> Iterator[list[str]]:
    """The pages in lists of `size` (all in one list when size is None), lazily."""
    while part := list(islice(pages, size)):
        yield part
