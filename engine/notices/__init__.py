"""Notices the city mails: the catalog of notice types, and rendering them to mailing-ready PDFs.

    renderer = NoticeRenderer("templates/notices", city)       # city: name, address, phone, ...
    pdf = renderer.render_batch([("shutoff-notice", "es", data), ...])   # one mailing PDF
    pdf = renderer.render_one("refund-letter", "en", data)                # one notice, on demand
    renderer.languages.codes        # the languages the folder holds a whole set for (engine.notices.languages)

Needs on the machine: wkhtmltopdf (Debian's 0.12.6 runs headless, no X server or xvfb: it
is started with QT_QPA_PLATFORM=offscreen) and, to join a long mailing rendered in parallel
parts, pdfunite from poppler-utils (without it a mailing is rendered in one process).
    apt-get install wkhtmltopdf poppler-utils
"""
from engine.notices.catalog import NOTICE_TYPES, NoticeDataError, NoticeType, notice_type, required_keys
from engine.notices.languages import Language, LanguageError, Languages, discover
from engine.notices.render import NoticeRenderer
from engine.notices.wkhtmltopdf import PdfRenderError

__all__ = ["Language", "LanguageError", "Languages", "NOTICE_TYPES", "NoticeDataError", "NoticeRenderer",
           "NoticeType", "PdfRenderError", "discover", "notice_type", "required_keys"]
