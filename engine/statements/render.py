"""Bill statements to PDF with the notices' renderer: a whole run as one mailing PDF, or one bill on demand.

The same machinery as the notices (engine.notices.render): Jinja autoescaped and strict,
wkhtmltopdf with no file or network access, long mailings in parts rendered a few processes
at a time and joined with pdfunite. The statement's own template is
templates/notices/bill-statement.<language>.html; the scan line's OCR-A font ships in
templates/notices/fonts/ and is shown to wkhtmltopdf through fontconfig (a real font in the
PDF, so the scan line is text that pdftotext reads; an @font-face web font would be drawn
as outlines).
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

from engine.notices.catalog import NoticeDataError, RECIPIENT_KEYS
from engine.notices.render import NoticeRenderer

STATEMENT = "bill-statement"
NEEDS = ("account_number", "service_address", "period", "service_from", "service_to", "billed_on", "due_date",
         "amount_due", "explanation", "scan_line", "recipient", "usage", "services")


class StatementRenderer(NoticeRenderer):
    """Renders bill statements (type "bill-statement") as a mailing PDF or one bill's PDF."""

    def __init__(self, templates_dir: str | Path, city: dict, **options) -> None:
        """The notices' renderer, with the statement's own document head (its stylesheet) and the fonts shipped with it."""
        super().__init__(templates_dir, city, **options)
        self.font_dirs = (str((Path(templates_dir) / "fonts").resolve()),)
        self._document_start = self.env.get_template("_statement_document.html").render(city=self.city)

    def render_html(self, notice_type: str, language: str, data: dict, printed_on: date | None = None) -> str:
        """One statement's page, after checking its data holds what the template prints. `printed_on` is not read: a
        statement is the bill as billed, and its reprint (the account page's) shows that bill, due date and all."""
        if notice_type != STATEMENT:
            raise NoticeDataError(f"a statement renderer renders {STATEMENT}, not {notice_type!r}")
        self.languages.language(language)  # a LanguageError names what the language's set lacks
        missing = [key for key in NEEDS if data.get(key) in (None, "")]
        missing += [f"recipient.{key}" for key in RECIPIENT_KEYS if not (data.get("recipient") or {}).get(key)]
        if missing:
            raise NoticeDataError(f"bill statement of {data.get('account_number', '?')}: data is missing "
                                  f"{', '.join(missing)}")
        template = self.env.get_template(f"{STATEMENT}.{language}.html")
        return template.render({**data, "city": self.city, "language": language})
