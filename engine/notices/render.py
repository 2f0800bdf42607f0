"""Notices to HTML (Jinja, autoescaped) and to PDF: a whole mailing as one PDF, a sheet per notice."""
from __future__ import annotations

import os
import re
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date
from itertools import islice
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context

from engine.notices import formats
from engine.notices.catalog import NoticeDataError, NoticeType, validate_notice
from engine.notices.languages import Languages, discover
from engine.notices.pdfmerge import can_merge, can_split, merge_pdf_files, split_pdf_file
from engine.notices.pdfsplit import UnsplittablePdf, split_pages
from engine.notices.wkhtmltopdf import find_wkhtmltopdf, html_to_pdf, new_meta_prefix

DOCUMENT_END = "\n</body>\n</html>\n"
PAGE = re.compile(rb"/Type\s*/Page(?![a-z])")
# Receives each notice's own PDF while a mailing renders: (its position in the mailing, its bytes).
EachNotice = Callable[[int, bytes], None]
# Receives each notice's count of sheets while a mailing renders: (its position in the mailing, its sheets).
EachPages = Callable[[int, int], None]


def pages_of(pdf: bytes) -> int:
    """How many pages a PDF holds."""
    return len(PAGE.findall(pdf))


def _lines(value: str | list[str]) -> list[str]:
    """An address given as a list of lines or as text with line breaks, as lines."""
    if isinstance(value, list):
        return [str(line) for line in value]
    return [line.strip() for line in str(value).splitlines() if line.strip()]


def notice_environment(templates_dir: str | Path, languages: Languages | None = None) -> Environment:
    """The Jinja environment for notices: autoescaped always, strict about undefined names; dates and months are
    written as the notice's language's words file says (engine.notices.languages)."""
    languages = languages or discover(templates_dir)

    @pass_context
    def day(context, value: str) -> str:
        """A date in the notice's own language."""
        return languages.language(context["language"]).day(value)

    @pass_context
    def dates(context, text: object) -> str:
        """A sentence the engine wrote, with each ISO date in it spelled in the notice's own language."""
        return formats.spelled_dates("" if text is None else str(text), languages.language(context["language"]).day)

    @pass_context
    def month(context, period: str) -> str:
        """A billing period (YYYY-MM) as the notice's language says it: 'October 2026', 'octubre de 2026'."""
        return languages.language(context["language"]).month(period)

    env = Environment(
        loader=FileSystemLoader(str(templates_dir)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(money=formats.money, day=day, lines=_lines, zero=formats.is_zero, dates=dates, month=month)
    return env


class NoticeRenderer:
    """Renders a city's notices as HTML pages and as mailing-ready PDFs.

    A mailing longer than pages_per_process is rendered in parts, `processes` (default: one
    per CPU) wkhtmltopdf runs at a time while later notices are still being written, and
    the parts are joined with pdfunite (one run for the whole mailing when pdfunite is not
    installed). Any bad notice fails the whole mailing: no PDF is returned.

    Asked for each notice's own PDF too (to keep what was mailed), a part is split into its
    sheets in the same worker (engine.notices.pdfsplit copies each sheet's objects as they
    are; pdfseparate splits what that cannot read), so the copies cost no second rendering:
    a notice is one sheet. A part with more sheets than notices (a notice ran over a sheet)
    gets its notices rendered one by one instead.
    """

    def __init__(self, templates_dir: str | Path, city: dict, *, wkhtmltopdf: str | None = None,
                 timeout_seconds: int = 30, seconds_per_page: float = 0.05,
                 processes: int | None = None, pages_per_process: int = 250) -> None:
        """Set up templates, the languages they print and the city's details; wkhtmltopdf is looked for when first
        needed."""
        self.languages = discover(templates_dir)
        self.env = notice_environment(templates_dir, self.languages)
        self.city = dict(city)
        self.wkhtmltopdf = wkhtmltopdf
        self.timeout_seconds = timeout_seconds
        self.seconds_per_page = seconds_per_page
        self.processes = max(1, processes or os.cpu_count() or 1)
        self.pages_per_process = max(1, pages_per_process)
        self._meta_prefix = new_meta_prefix()
        self.font_dirs: tuple[str, ...] = ()  # folders of fonts the application ships (engine.notices.wkhtmltopdf)
        self._document_start = self.env.get_template("_document.html").render(city=self.city)

    def render_html(self, notice_type: str, language: str, data: dict, printed_on: date | None = None) -> str:
        """One notice's page (a `<div class="notice">`), after checking its data is complete and (given the day it is
        printed, in the city's time zone) that no date the customer must act by is already past."""
        kind, city = self._checked(notice_type, language, data, printed_on)
        template = self.env.get_template(kind.template_name(language))
        title = self.languages.language(language).title(kind.id)
        context = {**data, "city": city, "language": language, "title": title,
                   "by_license": kind.by_license}
        return template.render(context)

    def check(self, notice_type: str, language: str, data: dict, printed_on: date | None = None) -> None:
        """What render_html checks, without rendering: a NoticeDataError (a PastActBy for a date to act by already
        past on `printed_on`) when the notice cannot be printed."""
        self._checked(notice_type, language, data, printed_on)

    def _checked(self, notice_type: str, language: str, data: dict, printed_on: date | None) -> tuple[NoticeType, dict]:
        """The notice's type and the city's details it prints (its own kept ones over today's), once checked."""
        saved_city = data.get("city", {}) if isinstance(data, dict) else {}
        if not isinstance(saved_city, dict):
            raise NoticeDataError(f"{notice_type} notice: 'city' must be a dict of the city's details")
        city = {**self.city, **saved_city}
        return validate_notice(notice_type, language, data, city, self.languages, printed_on), city

    def render_document(self, html_pages: list[str]) -> str:
        """One HTML document holding the pages in order, each notice starting a new sheet."""
        return self._document_start + "\n".join(html_pages) + DOCUMENT_END

    def render_pdf(self, html_pages: list[str]) -> bytes:
        """One PDF of the pages, in order, each notice on a new sheet."""
        return self._mailing(iter(html_pages))

    def render_batch(self, notices: Iterable[tuple[str, str, dict]], each_notice: EachNotice | None = None,
                     each_pages: EachPages | None = None, printed_on: date | None = None) -> bytes:
        """One mailing PDF for many notices (type, language, data), in the order given.

        With `each_notice`, every notice's own PDF (its sheet of the mailing) is handed to it
        as (position, bytes), in the mailing's order, while later parts are still rendering.
        With `each_pages`, only every notice's count of sheets is, as (position, sheets): a
        part with as many sheets as notices is not split at all. Given `printed_on`, a notice whose date to act by is
        before it fails the mailing.
        """
        if each_notice is not None and each_pages is not None:
            raise ValueError("ask for each notice's PDF or for its sheets, not both")
        if each_pages is not None:
            return self._mailing((self.render_html(*notice, printed_on) for notice in notices), each_pages, counted=True)
        return self._mailing((self.render_html(*notice, printed_on) for notice in notices), each_notice)

    def render_one(self, notice_type: str, language: str, data: dict, printed_on: date | None = None) -> bytes:
        """The PDF of a single notice, on demand (refused, given the day it is printed, when a date to act by is past)."""
        return self.render_pdf([self.render_html(notice_type, language, data, printed_on)])

    def _mailing(self, pages: Iterator[str], each_notice: EachNotice | EachPages | None = None,
                 counted: bool = False) -> bytes:
        """Render the pages in parts, a few wkhtmltopdf processes at a time, and join the parts."""
        executable = find_wkhtmltopdf(self.wkhtmltopdf)
        size = self.pages_per_process if can_merge() else None
        with tempfile.TemporaryDirectory(prefix="ordinance-mailing-") as folder:
            files, total = self._render_parts(executable, _parts(pages, size), Path(folder), each_notice, counted)
            if not files:
                raise ValueError("no notices to render")
            timeout = self.timeout_seconds + self.seconds_per_page * total
            return merge_pdf_files(files, Path(folder) / "mailing.pdf", timeout)

    def _render_parts(self, executable: str, parts: Iterator[list[str]], folder: Path,
                      each_notice: EachNotice | EachPages | None, counted: bool) -> tuple[list[Path], int]:
        """Each part's PDF in a file of the folder; at most a few parts' pages held at once."""
        files: list[Path] = []
        running: deque[tuple[int, Future]] = deque()
        total = 0
        with ThreadPoolExecutor(self.processes, thread_name_prefix="wkhtmltopdf") as pool:
            try:
                for part in parts:
                    while len(running) > self.processes:
                        _hand_over(*running.popleft(), each_notice)
                    files.append(folder / f"part-{len(files):05d}.pdf")
                    keep = None if each_notice is None else "pages" if counted else "sheets"
                    running.append((total, pool.submit(self._part_pdf, executable, part, files[-1], keep)))
                    total += len(part)
                while running:
                    _hand_over(*running.popleft(), each_notice)
            except BaseException:
                pool.shutdown(wait=True, cancel_futures=True)
                raise
        return files, total

    def _part_pdf(self, executable: str, part: list[str], path: Path, keep: str | None) -> list[bytes] | list[int]:
        """One wkhtmltopdf run over some pages, with a time limit that grows with the pages; then what is kept of each
        notice: its PDF ("sheets"), its count of sheets ("pages"), or nothing (None)."""
        timeout = self.timeout_seconds + self.seconds_per_page * len(part)
        pdf = html_to_pdf(executable, self.render_document(part), self._meta_prefix, timeout, "letter", self.font_dirs)
        path.write_bytes(pdf)
        if keep == "pages":
            if pages_of(pdf) == len(part):
                return [1] * len(part)
            return [pages_of(alone) for alone in self._one_by_one(executable, part)]  # which one ran over
        return self._notice_pdfs(executable, part, path, pdf, timeout) if keep == "sheets" else []

    def _notice_pdfs(self, executable: str, part: list[str], path: Path, pdf: bytes, timeout: float) -> list[bytes]:
        """Each notice's own PDF: its sheet of the part, or (a notice over a sheet) a run of its own."""
        sheets = _sheets(path, pdf, timeout)
        if len(sheets) == len(part):
            return sheets
        return self._one_by_one(executable, part)

    def _one_by_one(self, executable: str, part: list[str]) -> list[bytes]:
        """Each notice of a part rendered on its own: a wkhtmltopdf run each."""
        return [html_to_pdf(executable, self.render_document([page]), self._meta_prefix, self.timeout_seconds,
                            "letter", self.font_dirs) for page in part]


def _sheets(part: Path, pdf: bytes, timeout: float) -> list[bytes]:
    """Each sheet of a part's PDF (also in the file `part`) as a PDF: its objects copied, else by pdfseparate."""
    try:
        return split_pages(pdf)
    except UnsplittablePdf:
        if not can_split():
            return []
    files = split_pdf_file(part, timeout)
    try:
        return [sheet.read_bytes() for sheet in files]
    finally:
        for sheet in files:
            sheet.unlink()


def _hand_over(start: int, done: Future, each_notice: EachNotice | EachPages | None) -> None:
    """Wait for a part, then give each of its notices' PDFs (or sheet counts) to `each_notice` with its place in the
    mailing."""
    for offset, kept in enumerate(done.result()):
        each_notice(start + offset, kept)  # type: ignore[misc, arg-type]  # only parts rendered with a receiver keep


def _parts(pages: Iterator[str], size: int | None) -> Iterator[list[str]]:
    """The pages in lists of `size` (all in one list when size is None), lazily."""
    while part := list(islice(pages, size)):
        yield part
